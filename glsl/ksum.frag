// glsl/ksum.frag — adds up the slices of a pass whose tier cannot sum them by blending (PARTIAL: matmul's slices of
// K, attn_values' slices of the context), then applies what needs the whole sum:
//   y[row, n] = f(sum_{s < u_slices} P[s u_rows + row - u_yrow, n]) (+ res[row, n]),  f = gelu (GELU) or identity
//   P: (u_slices u_rows, N) the slices' sums (a matmul's with its scale and bias)   res, y: (T, N)
// At most gl::Quad::kMaxLayers = 64 slices: compiled in for a matmul's (SLICES), else a uniform, so that a growing
// context compiles nothing new.
// TILES (one-row tiles of a matmul through draw buffers): the slices' sums are in T0 .. T(TILES-1), y's texel
//   u_c40 + jc u_tile_cols + c in T_jc's texel u_c40 + c (the same layout each).
#ifdef TILES
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
uniform float u_c40;
uniform float u_tile_cols;
#else
uniform sampler2D P;
uniform vec4 P_geo;
uniform vec2 P_inv;
#endif
#ifdef HAS_RESIDUAL
uniform sampler2D RES;
uniform vec4 RES_geo;
uniform vec2 RES_inv;
#endif
#ifdef LN_FOLD
// The product was of x * g, a layer norm's gain g folded into its input (its producer wrote x * g: X_SCALED): the
// layer norm's rest applied to the sum, y = (sum - mean csum) / sqrt(var + eps) + fbias, with csum = g . W and
// fbias = bias + b . W (b the layer norm's bias) per output (passes/ops.h LnFold), and the row's mean and var merged
// from its chunk moments (STATS: (rows, 4 CHUNKS), glsl/ln_stats.frag), as glsl/layernorm.frag merges them.
uniform sampler2D STATS;
uniform vec4 STATS_geo;
uniform vec2 STATS_inv;
uniform sampler2D CSUM;
uniform vec4 CSUM_geo;
uniform vec2 CSUM_inv;
uniform sampler2D FBIAS;
uniform vec4 FBIAS_geo;
uniform vec2 FBIAS_inv;
uniform float u_eps;
#endif
#ifdef X_SCALED
// Two draw buffers: y, and y * G (1, N), the gain of the layer norm that reads y next, folded into its matmul's input.
uniform sampler2D G;
uniform vec4 G_geo;
uniform vec2 G_inv;
#endif
#ifndef SLICES
uniform float u_slices;
#endif
uniform float u_rows;
uniform float u_yrow;

// The sum of slices' texel c4 of row r in T, in slice order: 4 slices a step, fetched together (one at a time, each
// fetch waited for the one before: 11 us a pass on an H200); past the last slice times 0 (reading the last one's
// instead: finite, so the product is 0). SLICES: the count as a constant (a matmul's, fixed by its shape), the walk
// then a fixed count with no break; else the uniform u_slices (attn_values', which grow with the context).
vec4 sum_of_slices(sampler2D T, vec4 geo, vec2 inv, float r, float c4) {
    vec4 acc = vec4(0.0);
#ifdef SLICES
    float last = float(SLICES) - 1.0;
    for (int i = 0; i < (SLICES + 3) / 4; i++) {
        float s = 4.0 * float(i);
#else
    float last = u_slices - 1.0;
    for (int i = 0; i < 16; i++) {
        float s = 4.0 * float(i);
        if (s >= u_slices) break;
#endif
        for (int j = 0; j < 4; j++) {
            float sj = s + float(j);
            acc += step(sj, last) * load_kept(T, geo, inv, min(sj, last) * u_rows + r, c4);
        }
    }
    return acc;
}

vec4 compute(float row, float c4) {
    float r = row - u_yrow;
#ifdef TILES
    float jc = idiv(c4 - u_c40, u_tile_cols), c = c4 - jc * u_tile_cols;
    vec4 acc = vec4(0.0);
    if (jc < 0.5) acc = sum_of_slices(T0, T0_geo, T0_inv, r, c);
#if TILES > 1
    else if (jc < 1.5) acc = sum_of_slices(T1, T0_geo, T0_inv, r, c);
#endif
#if TILES > 2
    else if (jc < 2.5) acc = sum_of_slices(T2, T0_geo, T0_inv, r, c);
#endif
#if TILES > 3
    else if (jc < 3.5) acc = sum_of_slices(T3, T0_geo, T0_inv, r, c);
#endif
#if TILES > 4
    else if (jc < 4.5) acc = sum_of_slices(T4, T0_geo, T0_inv, r, c);
#endif
#if TILES > 5
    else if (jc < 5.5) acc = sum_of_slices(T5, T0_geo, T0_inv, r, c);
#endif
#if TILES > 6
    else if (jc < 6.5) acc = sum_of_slices(T6, T0_geo, T0_inv, r, c);
#endif
#if TILES > 7
    else if (jc < 7.5) acc = sum_of_slices(T7, T0_geo, T0_inv, r, c);
#endif
#else
    vec4 acc = sum_of_slices(P, P_geo, P_inv, r, c4);
#endif
#ifdef LN_FOLD
    vec3 m = merge_row_moments(STATS, STATS_geo, STATS_inv, r);  // (count, mean, m2) of x's row r
    acc = (acc - m.y * load_kept(CSUM, CSUM_geo, CSUM_inv, 0.0, c4)) / sqrt(m.z / m.x + u_eps) +
          load_kept(FBIAS, FBIAS_geo, FBIAS_inv, 0.0, c4);
#endif
#ifdef GELU
    acc = gelu(acc);
#endif
#ifdef HAS_RESIDUAL
    acc += load_kept(RES, RES_geo, RES_inv, row, c4);
#endif
    return acc;
}

#ifdef X_SCALED
vec4 g_tile[2];  // y, y * g (glsl/pass_main.glsl writes them)
void compute_tile(float row, float c4) {
    g_tile[0] = compute(row, c4);
    g_tile[1] = g_tile[0] * load_kept(G, G_geo, G_inv, 0.0, c4);
}
#endif
