// glsl/attn_values.frag — y[t, c] = sum_{s <= pos0 + t} probs[h(c)*R + q0 + t, s] * v[s, c],  h(c) = c / hd
//   probs: rows as in attn_scores.frag   v: the layer's values, row s of V from texel col v_col4   y: (T, C)
// Defines: S4 = texels of the longest probs row (constant); HD_ALIGNED when hd % 4 == 0 (all 4 lanes in one head);
//   SLICE4: this fragment sums only key texels [s*SLICE4, s*SLICE4 + SLICE4) for quad layer s = v_layer, and the
//   engine adds the layers up by blending (split over the context, as matmul's split-K). PARTIAL (with SLICE4;
//   tiers that cannot blend): no layers; output row s T + t holds slice s of row t, added up by glsl/ksum.frag.
//   SCORES: P holds the scores, not the probabilities: each is made as it is read, exp(x - max) / sum with the row's
//   max and sum merged from STATS (glsl/softmax_stats.frag; CHUNK4, CHUNKS as in softmax.frag), masked keys 0.
//   P_PLAIN, V_PLAIN: that tensor is a plain image (load_plain).
// Coded tiers keep one channel a fragment (lane g_lane): it reads that channel's values alone, one texel each.
uniform sampler2D P;
uniform vec4 P_geo;
uniform vec2 P_inv;
uniform sampler2D V;
uniform vec4 V_geo;
uniform vec2 V_inv;
uniform vec3 u_attn;  // (T, pos0, hd)
uniform vec2 u_rows;  // (R, q0)
uniform float u_vcol4;  // v's first texel col in its tensor (passes/ops.h AttnCols)
#ifdef P_PLAIN
#define LOAD_P(r, s4) load_plain(P, P_inv, r, s4)
#else
#define LOAD_P(r, s4) load4(P, P_geo, P_inv, r, s4)
#endif
#ifdef V_PLAIN
#define LOAD_V(r, c4) load_plain(V, V_inv, r, c4)
#else
#define LOAD_V(r, c4) load4(V, V_geo, V_inv, r, c4)
#endif
#if defined(SLICE4) && !defined(PARTIAL)
varying highp float v_layer;
#endif
#ifdef SCORES
uniform sampler2D STATS;
uniform vec4 STATS_geo;
uniform vec2 STATS_inv;
// Scores row r's softmax: (max, sum of exp(x - max), last visible key), merged from the row's chunks.
vec3 row_softmax(float r) {
    float last = last_key(r, u_rows, u_attn.y);
    vec2 ms = merge_softmax_chunks(STATS, STATS_geo, STATS_inv, r, idiv(idiv(last, 4.0), float(CHUNK4)) + 1.0);
    return vec3(ms, last);
}
// The probabilities of texel s4 of row r, whose softmax is st (softmax.frag's formula)
#define PROB(st, r, s4) (exp(min(LOAD_P(r, s4) - st.x, 0.0)) * below(s4, st.z + 1.0) / st.y)
#else
#define PROB(st, r, s4) LOAD_P(r, s4)
#endif

vec4 compute(float row, float c4) {
#ifdef PARTIAL
    float slice = idiv(row, u_attn.x);
    row -= slice * u_attn.x;
#elif defined(SLICE4)
    float slice = floor(v_layer + 0.5);
#endif
    float n4 = idiv(u_attn.y + row, 4.0) + 1.0;
    vec4 acc = vec4(0.0), comp = vec4(0.0);  // comp: SUM_ADD's compensation (half tier)
#ifdef CODED
    // the fragment keeps one channel (lane g_lane): its head's probabilities, that channel of V (col vt: a texel each)
    float own = 4.0 * c4 + g_lane, pr = idiv(own, u_attn.z) * u_rows.x + u_rows.y + row, vt = 4.0 * u_vcol4 + own;
#ifdef SCORES
    vec3 st = row_softmax(pr);
#endif
#else
    vec4 prow = idiv(4.0 * c4 + vec4(0.0, 1.0, 2.0, 3.0), u_attn.z) * u_rows.x + u_rows.y + row;
#ifdef SCORES
    vec3 st0 = row_softmax(prow.x);
#ifndef HD_ALIGNED
    vec3 st1 = row_softmax(prow.y), st2 = row_softmax(prow.z), st3 = row_softmax(prow.w);
#endif
#endif
#endif
#ifdef SLICE4
    // A slice's key texels 4 a step (past the last visible one, re-reads of it weighted 0), stopping after the step
    // with the last (as merge_softmax_chunks: the step's fetches need not wait on each other).
    float first = slice * float(SLICE4);
    for (int i = 0; i < SLICE4; i += 4) {
        if (first + float(i) >= n4) break;
        for (int u = 0; u < 4; u++) {
            float s4 = min(first + float(i + u), n4 - 1.0), keep = first + float(i + u) < n4 ? 1.0 : 0.0;
#else  // the whole row: its visible part
    for (int i = 0; i < S4; i++) {
        float s4 = float(i), keep = 1.0;
        if (s4 >= n4) break;
        {  // a block, as the slice's inner loop, so that both close alike
#endif
#ifdef CODED
        vec4 v = vec4(load1(V, V_geo, V_inv, 4.0 * s4, vt), load1(V, V_geo, V_inv, 4.0 * s4 + 1.0, vt),
                      load1(V, V_geo, V_inv, 4.0 * s4 + 2.0, vt), load1(V, V_geo, V_inv, 4.0 * s4 + 3.0, vt));
        SUM_ADD(acc, comp, vec4(dot(PROB(st, pr, s4) * keep, v)));
#else
        float vc = u_vcol4 + c4;
        vec4 v0 = LOAD_V(4.0 * s4, vc);
        vec4 v1 = LOAD_V(4.0 * s4 + 1.0, vc);
        vec4 v2 = LOAD_V(4.0 * s4 + 2.0, vc);
        vec4 v3 = LOAD_V(4.0 * s4 + 3.0, vc);
#ifdef HD_ALIGNED
        vec4 p = PROB(st0, prow.x, s4) * keep;
        SUM_ADD(acc, comp, p.x * v0 + p.y * v1 + p.z * v2 + p.w * v3);
#else
        SUM_ADD(acc, comp, keep * vec4(dot(PROB(st0, prow.x, s4), vec4(v0.x, v1.x, v2.x, v3.x)),
                                       dot(PROB(st1, prow.y, s4), vec4(v0.y, v1.y, v2.y, v3.y)),
                                       dot(PROB(st2, prow.z, s4), vec4(v0.z, v1.z, v2.z, v3.z)),
                                       dot(PROB(st3, prow.w, s4), vec4(v0.w, v1.w, v2.w, v3.w))));
#endif
#endif
        }
    }
    return acc;
}
