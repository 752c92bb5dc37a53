// glsl/softmax_stats.frag — per chunk of CHUNK4 texels of each attention scores row: (max, sum of exp(x - max), 0, 0)
// over the chunk's visible keys, for softmax.frag (ROW_STATS). Rows as in softmax.frag; texel j = chunk j; chunks with
// no visible key are never read (written as 0).
uniform sampler2D X;
uniform vec4 X_geo;
uniform vec2 X_inv;
uniform vec2 u_attn;  // (T, pos0)
uniform vec2 u_rows;  // (R, q0)
#ifdef X_PLAIN  // x is a plain image (load_plain)
#define LOAD_X(r, c4) load_plain(X, X_inv, r, c4)
#else
#define LOAD_X(r, c4) load4(X, X_geo, X_inv, r, c4)
#endif

vec4 compute(float row, float j) {
    float last = last_key(row, u_rows, u_attn.y);
    float n4 = idiv(last, 4.0) + 1.0;
    float first = j * float(CHUNK4);
    if (first >= n4) return vec4(0.0);
    // Past the row's last visible texel the walks re-read it (its max again; in the sum masked by c4) rather than
    // break, so their count is fixed and their fetches need not wait on each other.
    float m = -BIG;
    for (int i = 0; i < CHUNK4; i++) {
        float c4 = min(first + float(i), n4 - 1.0);
        m = max(m, visible_max(LOAD_X(row, c4), c4, last));
    }
    float sum = 0.0;
    for (int i = 0; i < CHUNK4; i++) {
        float c4 = first + float(i);
        sum += dot(exp(min(LOAD_X(row, min(c4, n4 - 1.0)) - m, 0.0)), below(c4, last + 1.0));
    }
    return vec4(m, sum, 0.0, 0.0);
}
