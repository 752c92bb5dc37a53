// glsl/attn_scores.frag — scores[h*R + q0 + t, s] = q[t, head h] . k[s, head h] / sqrt(hd), for keys s <= pos0 + t
//   q: row q_row0 + t of Q from texel col q_col4   k: the layer's keys, row s of K from texel col k_col4 (the model's
//   q|k|v cache holds both; passes/ops.h AttnCols)   scores: rows h*R + q0 + t, cols S = pos0 + T; masked keys get 0.
//   R, q0 = u_rows: compact (T, 0), or by absolute position (n_ctx, pos0) so a viewer keeps the whole matrix.
// A head's dims [h*hd, h*hd + hd) may start inside a texel when hd % 4 != 0: lanes outside are masked.
// Defines: HD4 = texels a head can touch (constant); HD_ALIGNED when hd % 4 == 0 (a head's texels are all its own:
//   no lane masked); Q_PLAIN, K_PLAIN: that tensor is a plain image (load_plain). Coded tiers keep one key a fragment
//   (g_lane): its dot product only.
uniform sampler2D Q;
uniform vec4 Q_geo;
uniform vec2 Q_inv;
uniform sampler2D K;
uniform vec4 K_geo;
uniform vec2 K_inv;
uniform vec4 u_attn;  // (T, pos0, hd, 1/sqrt(hd))
uniform vec2 u_rows;  // (R, q0): rows per head and the first query's row within a head's block
uniform vec3 u_cols;  // (q_row0, q_col4, k_col4): where q and k sit in their tensors (passes/ops.h AttnCols)
#ifdef Q_PLAIN
#define LOAD_Q(r, c4) load_plain(Q, Q_inv, r, c4)
#else
#define LOAD_Q(r, c4) load4(Q, Q_geo, Q_inv, r, c4)
#endif
#ifdef K_PLAIN
#define LOAD_K(r, c4) load_plain(K, K_inv, r, c4)
#else
#define LOAD_K(r, c4) load4(K, K_geo, K_inv, r, c4)
#endif

vec4 compute(float row, float c4) {
    float h = idiv(row, u_rows.x);
    float t = row - h * u_rows.x - u_rows.y;
    float lo = h * u_attn.z;
    float first = idiv(lo, 4.0);
    vec4 key = 4.0 * c4 + vec4(0.0, 1.0, 2.0, 3.0);
    if (key.x > u_attn.y + t) return vec4(0.0);  // 4 keys after the query (half a prefill's texels): all masked
    vec4 s = vec4(0.0);
    for (int i = 0; i < HD4; i++) {
        float k4 = first + float(i);
        vec4 q = LOAD_Q(u_cols.x + t, u_cols.y + k4);
#ifndef HD_ALIGNED
        vec4 dim = 4.0 * k4 + vec4(0.0, 1.0, 2.0, 3.0);  // this head's: lo <= dim < lo + hd (integers: exact)
        q *= vec4(greaterThanEqual(dim, vec4(lo))) * vec4(lessThan(dim, vec4(lo + u_attn.z)));
#endif
        float kc = u_cols.z + k4;
#ifdef CODED  // the fragment keeps one key's score (lane g_lane): that key's dot product alone
        s += vec4(dot(q, LOAD_K(key.x + g_lane, kc)));
#else
        s += vec4(dot(q, LOAD_K(key.x, kc)), dot(q, LOAD_K(key.y, kc)), dot(q, LOAD_K(key.z, kc)),
                  dot(q, LOAD_K(key.w, kc)));
#endif
    }
    return s * u_attn.w * vec4(lessThanEqual(key, vec4(u_attn.y + t)));
}
