// lessons/03-matmul/split.frag — one slice of y = x W + b: the sum over k4 in [u_k4.x, u_k4.y) only, the bias with
// slice 0. Drawn once per slice with additive blending, the slices add up in the output texture.
#version 100
precision highp float;
precision highp sampler2D;
uniform sampler2D X, W, B;
uniform vec2 X_inv, W_inv, B_inv;
uniform vec2 u_k4;  // this slice's k4 range
varying highp vec2 v_texel;

void main() {
    float n4 = floor(v_texel.x), t = floor(v_texel.y);
    vec4 y = u_k4.x == 0.0 ? texture2D(B, vec2(n4 + 0.5, 0.5) * B_inv) : vec4(0.0);
    for (int i = 0; i < K4; i++) {
        float k4 = float(i);
        if (k4 < u_k4.x) continue;
        if (k4 >= u_k4.y) break;
        vec4 x = texture2D(X, vec2(k4 + 0.5, t + 0.5) * X_inv);
        y += x.x * texture2D(W, vec2(n4 + 0.5, 4.0 * k4 + 0.5) * W_inv);
        y += x.y * texture2D(W, vec2(n4 + 0.5, 4.0 * k4 + 1.5) * W_inv);
        y += x.z * texture2D(W, vec2(n4 + 0.5, 4.0 * k4 + 2.5) * W_inv);
        y += x.w * texture2D(W, vec2(n4 + 0.5, 4.0 * k4 + 3.5) * W_inv);
    }
    gl_FragColor = y;
}
