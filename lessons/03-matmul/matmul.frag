// lessons/03-matmul/matmul.frag — y = x W + b as one pass, 4 outputs per fragment.
//   X: x (T, K), a texel = 4 consecutive k of one row t: texture K/4 x T
//   W: W^T, a texel = the weights of 4 consecutive outputs n for one input k: texture N/4 x K
//   B: b (N), texture N/4 x 1.   Output y (T, N): texture N/4 x T, the fragment at (n4, t) makes y[t, 4n4 .. 4n4+3].
// K4 = K / 4 is a #define: GLSL ES 1.00 loops need a constant bound (WebGL 1.0 rejects any other).
#version 100
precision highp float;
precision highp sampler2D;
uniform sampler2D X, W, B;
uniform vec2 X_inv, W_inv, B_inv;  // 1 / texture sizes
varying highp vec2 v_texel;

void main() {
    float n4 = floor(v_texel.x), t = floor(v_texel.y);
    vec4 y = texture2D(B, vec2(n4 + 0.5, 0.5) * B_inv);
    for (int i = 0; i < K4; i++) {
        float k4 = float(i);
        vec4 x = texture2D(X, vec2(k4 + 0.5, t + 0.5) * X_inv);  // x[t, 4k4 .. 4k4+3]
        y += x.x * texture2D(W, vec2(n4 + 0.5, 4.0 * k4 + 0.5) * W_inv);  // += x[t, k] * W[4n4 .. 4n4+3, k]
        y += x.y * texture2D(W, vec2(n4 + 0.5, 4.0 * k4 + 1.5) * W_inv);
        y += x.z * texture2D(W, vec2(n4 + 0.5, 4.0 * k4 + 2.5) * W_inv);
        y += x.w * texture2D(W, vec2(n4 + 0.5, 4.0 * k4 + 3.5) * W_inv);
    }
    gl_FragColor = y;
}
