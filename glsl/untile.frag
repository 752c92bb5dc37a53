// glsl/untile.frag — gathers the tiles a matmul wrote into draw buffers (passes/matmul.cpp) back into one tensor:
//   y[row, texel c4] = T_j[t - jr B, c4 - jc W4] for t = row - u_yrow, jr = floor(t / B), jc = floor((c4 - u_c40) / W4),
//   j = jc TILE_ROWS + jr, B = u_tile_rows, W4 = u_tile_cols.   T_j: TILES tensors of one layout (T0's)
// (coded tiers: c4 counts groups of 4 outputs, the fragment keeping lane g_lane of its group)
uniform sampler2D T0;
uniform vec4 T0_geo;
uniform vec2 T0_inv;
#if TILES > 1
uniform sampler2D T1;
#endif
#if TILES > 2
uniform sampler2D T2;
#endif
#if TILES > 3
uniform sampler2D T3;
#endif
#if TILES > 4
uniform sampler2D T4;
#endif
#if TILES > 5
uniform sampler2D T5;
#endif
#if TILES > 6
uniform sampler2D T6;
#endif
#if TILES > 7
uniform sampler2D T7;
#endif
uniform float u_yrow;
uniform float u_c40;
uniform float u_tile_rows;
uniform float u_tile_cols;

vec4 compute(float row, float c4) {
    float t = row - u_yrow;
    float jr = idiv(t, u_tile_rows), jc = idiv(c4 - u_c40, u_tile_cols);
    float j = jc * float(TILE_ROWS) + jr;                        // the draw buffer
    float r = t - jr * u_tile_rows, c = c4 - jc * u_tile_cols;  // its texel
    if (j < 0.5) return load_kept(T0, T0_geo, T0_inv, r, c);
#if TILES > 1
    if (j < 1.5) return load_kept(T1, T0_geo, T0_inv, r, c);
#endif
#if TILES > 2
    if (j < 2.5) return load_kept(T2, T0_geo, T0_inv, r, c);
#endif
#if TILES > 3
    if (j < 3.5) return load_kept(T3, T0_geo, T0_inv, r, c);
#endif
#if TILES > 4
    if (j < 4.5) return load_kept(T4, T0_geo, T0_inv, r, c);
#endif
#if TILES > 5
    if (j < 5.5) return load_kept(T5, T0_geo, T0_inv, r, c);
#endif
#if TILES > 6
    if (j < 6.5) return load_kept(T6, T0_geo, T0_inv, r, c);
#endif
#if TILES > 7
    if (j < 7.5) return load_kept(T7, T0_geo, T0_inv, r, c);
#endif
    return vec4(0.0);
}
