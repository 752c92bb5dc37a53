// glsl/embed.frag — x[t, c] = wte[id_t, c] + wpe[pos0 + t, c]     out: x (T, C)
// wte is stored transposed (passes/tensor.h), maybe over several textures: part (C, n) holds tokens [first, first + n)
// as cols; one pass per part, fragments whose token is not in this part discard. u_part = (first / 256, first % 256,
// n): the token's place in the part comes from its id's bytes, so no number here passes 2048 (the half tier's FP16).
// A texel holds 4 tokens' values of one channel: this token's lane of the 4 texels of channels 4c4 .. 4c4+3.
// WTE_Q8: wte holds int8 values and WTE_SCALE (1, V) their per-token scales; WTE_Q8P: the same packed 3 channels to a
// float (passes/tensor.h): channel c of a token is byte c % 3 of its lane in packed row c / 3.
// WTE_ROWS (the coded tiers): the part is wte itself, (n, C): 4 channels of the token's row.
// Token ids come in an RGBA8 texture, one id per texel: id = r + 256 g + 65536 b, texel t at (t % w, t / w).
uniform sampler2D WTE;  // one part of wte^T (WTE_ROWS: of wte)
uniform vec4 WTE_geo;
uniform vec2 WTE_inv;
#if defined(WTE_Q8) || defined(WTE_Q8P)
uniform sampler2D WTE_SCALE;
uniform vec4 WTE_SCALE_geo;
uniform vec2 WTE_SCALE_inv;
#endif
uniform sampler2D WPE;  // (n_positions, C)
uniform vec4 WPE_geo;
uniform vec2 WPE_inv;
uniform sampler2D IDS;
uniform vec3 u_ids;  // (w, 1/w, 1/h) of the ids texture
uniform vec3 u_part;
uniform float u_pos0;
#ifdef WTE_Q8
#define LOAD_WTE(c) load_q8(WTE, WTE_geo, WTE_inv, min(c, WTE_geo.x - 1.0), t4)
#elif defined(WTE_Q8P)
// The 4 lanes' channel c: the packed texel of channels 3r .. 3r+2, r = c / 3, taken apart; byte c - 3r of each lane.
vec4 load_wte_q8p(float c, float t4) {
    float r = idiv(c, 3.0);
    vec4 q0, q1, q2;
    unpack_q8x3(texture2D(WTE, uv_of(texel_of(WTE_geo, min(r, WTE_geo.x - 1.0), t4), WTE_inv)), q0, q1, q2);
    float b = c - 3.0 * r;
    return b < 0.5 ? q0 : b < 1.5 ? q1 : q2;
}
#define LOAD_WTE(c) load_wte_q8p(c, t4)
#else
#define LOAD_WTE(c) load4(WTE, WTE_geo, WTE_inv, min(c, WTE_geo.x - 1.0), t4)
#endif

vec4 compute(float row, float c4) {
    float iy = idiv(row, u_ids.x);
    vec2 uv = uv_of(vec2(row - iy * u_ids.x, iy), u_ids.yz);
    vec4 b = floor(texture2D(IDS, uv) * 255.0 + 0.5);
    float local = (b.g + 256.0 * b.b - u_part.x) * 256.0 + b.r - u_part.y;  // id - first
    if (local < 0.0 || local >= u_part.z) discard;
#if defined(WTE_ROWS) && defined(WTE_Q8)
    vec4 tok = load_q8(WTE, WTE_geo, WTE_inv, local, c4);
#elif defined(WTE_ROWS)
    vec4 tok = load_kept(WTE, WTE_geo, WTE_inv, local, c4);
#else
    float t4 = idiv(local, 4.0);
    vec4 lane = vec4(equal(vec4(0.0, 1.0, 2.0, 3.0), vec4(local - 4.0 * t4)));
    float c = 4.0 * c4;  // channels past C (C % 4 != 0) read channel C - 1; the output masks them
    vec4 tok = vec4(dot(LOAD_WTE(c), lane), dot(LOAD_WTE(c + 1.0), lane), dot(LOAD_WTE(c + 2.0), lane),
                    dot(LOAD_WTE(c + 3.0), lane));
#endif
#if defined(WTE_Q8) || defined(WTE_Q8P)
    float id = b.r + 256.0 * b.g + 65536.0 * b.b;
    float i4 = idiv(id, 4.0);
    vec4 s4 = load4(WTE_SCALE, WTE_SCALE_geo, WTE_SCALE_inv, 0.0, i4);
    tok *= dot(s4, vec4(equal(vec4(0.0, 1.0, 2.0, 3.0), vec4(id - 4.0 * i4))));
#endif
    return tok + load_kept(WPE, WPE_geo, WPE_inv, u_pos0 + row, c4);
}
