// lessons/06-gpt2-passes/solutions/exercise1.frag — exercise 1: glsl/softmax.frag at attention temperature 2:
// every exp(x - m) becomes exp((x - m) / 2), flattening each head's attention.
// glsl/softmax.frag — probs[r, s] = exp(x[r, s] - max) / sum over the keys s <= pos0 + t visible to row
//   r = h*R + q0 + t (see attn_scores.frag); masked keys get exactly 0. The probabilities stay in a texture for the viewer.
// Masked lanes hold anything finite: exp(min(x - m, 0)) keeps them finite before the mask zeroes them.
// Defines: S4 = texels of the longest row (n_ctx / 4, constant); loops break at the row's last visible texel.
uniform sampler2D X;
uniform vec4 X_geo;
uniform vec2 X_inv;
uniform vec2 u_attn;  // (T, pos0)
uniform vec2 u_rows;  // (R, q0)

vec4 compute(float row, float c4) {
    float h = floor((row + 0.5) / u_rows.x);
    float last = u_attn.y + row - h * u_rows.x - u_rows.y;  // last visible key
    float n4 = floor((last + 0.5) / 4.0) + 1.0;
    float m = -3.0e38;
    for (int i = 0; i < S4; i++) {
        if (float(i) >= n4) break;
        // Masked lanes take lane x's value, which is always visible (key 4i <= last): a select, no arithmetic.
        // Blending a sentinel in arithmetically fails on real GPUs: mix() may be x + a (y - x) (SwiftShader), and
        // v * keep + (keep - 1) * 3e38 may be reassociated to keep * (v + 3e38) - 3e38, which is 0 (NVIDIA).
        vec4 keep = below(float(i), last + 1.0);
        vec4 v = load4(X, X_geo, X_inv, row, float(i));
        m = max(m, max(max(v.x, keep.y > 0.5 ? v.y : v.x), max(keep.z > 0.5 ? v.z : v.x, keep.w > 0.5 ? v.w : v.x)));
    }
    float sum = 0.0;
    for (int i = 0; i < S4; i++) {
        if (float(i) >= n4) break;
        sum += dot(exp(min(load4(X, X_geo, X_inv, row, float(i)) - m, 0.0) * 0.5), below(float(i), last + 1.0));
    }
    return exp(min(load4(X, X_geo, X_inv, row, c4) - m, 0.0) * 0.5) * below(c4, last + 1.0) / sum;
}
