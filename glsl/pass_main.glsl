// glsl/pass_main.glsl — main() of every op pass, put after the op's .frag (which defines compute()).
// Maps this fragment's texel to (row, c4) through the output tensor's layout, calls compute and writes the texel
// (DRAW_BUFFERS: compute_tile, and a texel into each draw buffer; coded tiers: the fragment's lane of each);
// cols past the tensor's end get 0 (coded tiers: the one value of this texel, encoded).
// Half tier: (row, tc) come from the texel and u_cell, set by the engine for each rectangle it draws, so no number
// computed here passes 2048 (the output's layout has numbers beyond FP16's integers: the vocabulary's logits).
// g_c4_local: c4 less the pass's first col / 4, exact there too (matmul's column within one weight part).
// g_lane (coded tiers): which of compute's 4 outputs the texel keeps.
uniform vec4 u_out_geo;  // the output tensor's (rows, segW, bandH, cols)
varying vec2 v_texel;    // this fragment's texel + 0.5, highp (gl_FragCoord is mediump in GLSL ES 1.00); on the
                         // half tier mediump, exact below 1024
#ifdef TIER_HALF
uniform vec4 u_cell;  // per rectangle: (tc - first col - x, row - y, first col / 4, cols - first col)
#endif

#ifndef CODED
// v with the cols past the tensor's end (in texel tc) set to 0
vec4 in_tensor(vec4 v, float tc) {
    vec4 c = 4.0 * tc + vec4(0.5, 1.5, 2.5, 3.5);
    float n = u_out_geo.w;
    return vec4(c.x < n ? v.x : 0.0, c.y < n ? v.y : 0.0, c.z < n ? v.z : 0.0, c.w < n ? v.w : 0.0);
}
#endif

void main() {
    vec2 p = floor(v_texel);
#ifdef TIER_HALF
    float tl = p.x + u_cell.x;  // tc - first col
    float row = p.y + u_cell.y;
    g_c4_local = idiv(tl, 4.0);
    float i = tl - 4.0 * g_c4_local;
    g_lane = i;
    vec4 v = compute(row, g_c4_local + u_cell.z);
    float x = i < 0.5 ? v.x : i < 1.5 ? v.y : i < 2.5 ? v.z : v.w;
    gl_FragColor = encode_float(tl < u_cell.w ? x : 0.0);
#else
    float band = idiv(p.x, u_out_geo.y);
    float yl = band * u_out_geo.z + p.y;
    float seg = idiv(yl, u_out_geo.x);
    float row = yl - seg * u_out_geo.x;
    float tc = seg * u_out_geo.y + p.x - band * u_out_geo.y;
#ifdef CODED
    float c4 = idiv(tc, 4.0);
    float i = tc - 4.0 * c4;
    g_lane = i;
#ifdef DRAW_BUFFERS  // one-row tiles (glsl/matmul.frag W_ROWS): each block's lane i, encoded
    compute_tile(row, c4);
#define TILE_TEXEL(v) encode_float(i < 0.5 ? v.x : i < 1.5 ? v.y : i < 2.5 ? v.z : v.w)
#else
    vec4 v = compute(row, c4);
    float x = i < 0.5 ? v.x : i < 1.5 ? v.y : i < 2.5 ? v.z : v.w;
    gl_FragColor = encode_float(tc < u_out_geo.w ? x : 0.0);
#endif
#else
#ifdef DRAW_BUFFERS
    compute_tile(row, tc);
#define TILE_TEXEL(v) in_tensor(v, tc)
#else
    gl_FragColor = in_tensor(compute(row, tc), tc);
#endif
#endif
#endif
#ifdef DRAW_BUFFERS
    gl_FragData[0] = TILE_TEXEL(g_tile[0]);  // constant indices: WebGL 1.0 indexes outputs no other way
#if DRAW_BUFFERS > 1
    gl_FragData[1] = TILE_TEXEL(g_tile[1]);
#endif
#if DRAW_BUFFERS > 2
    gl_FragData[2] = TILE_TEXEL(g_tile[2]);
#endif
#if DRAW_BUFFERS > 3
    gl_FragData[3] = TILE_TEXEL(g_tile[3]);
#endif
#if DRAW_BUFFERS > 4
    gl_FragData[4] = TILE_TEXEL(g_tile[4]);
#endif
#if DRAW_BUFFERS > 5
    gl_FragData[5] = TILE_TEXEL(g_tile[5]);
#endif
#if DRAW_BUFFERS > 6
    gl_FragData[6] = TILE_TEXEL(g_tile[6]);
#endif
#if DRAW_BUFFERS > 7
    gl_FragData[7] = TILE_TEXEL(g_tile[7]);
#endif
#endif
}
