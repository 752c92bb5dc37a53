// glsl/softmax.frag — probs[r, s] = exp(x[r, s] - max) / sum over the keys s <= pos0 + t visible to row
//   r = h*R + q0 + t (see attn_scores.frag); masked keys get exactly 0. The probabilities stay in a texture for the viewer.
// The row's max and sum:
//   ROW_STATS: merged from STATS, one (max, sum of exp(x - max), 0, 0) per chunk of CHUNK4 texels of the row
//     (glsl/softmax_stats.frag), CHUNKS chunks in the longest row;
//   else every fragment walks its row itself (S4 = texels of the longest row, n_ctx / 4).
// Masked lanes hold anything finite: exp(min(x - m, 0)) keeps them finite before the mask zeroes them.
uniform sampler2D X;
uniform vec4 X_geo;
uniform vec2 X_inv;
#ifdef ROW_STATS
uniform sampler2D STATS;
uniform vec4 STATS_geo;
uniform vec2 STATS_inv;
#endif
uniform vec2 u_attn;  // (T, pos0)
uniform vec2 u_rows;  // (R, q0)

vec4 compute(float row, float c4) {
    float last = last_key(row, u_rows, u_attn.y);
    float n4 = idiv(last, 4.0) + 1.0;  // texels with a visible key
    float m = -BIG, sum = 0.0;
#ifdef ROW_STATS
    vec2 ms = merge_softmax_chunks(STATS, STATS_geo, STATS_inv, row, idiv(n4 - 1.0, float(CHUNK4)) + 1.0);
    m = ms.x, sum = ms.y;
#else
    for (int i = 0; i < S4; i++) {
        if (float(i) >= n4) break;
        m = max(m, visible_max(load4(X, X_geo, X_inv, row, float(i)), float(i), last));
    }
    vec4 sums = vec4(0.0), comp = vec4(0.0);  // per lane, compensated on the half tier (SUM_ADD)
    for (int i = 0; i < S4; i++) {
        if (float(i) >= n4) break;
        SUM_ADD(sums, comp, exp(min(load4(X, X_geo, X_inv, row, float(i)) - m, 0.0)) * below(float(i), last + 1.0));
    }
    sum = dot(sums, vec4(1.0));
#endif
    return exp(min(load_kept(X, X_geo, X_inv, row, c4) - m, 0.0)) * below(c4, last + 1.0) / sum;
}
