// lessons/04-reductions/solutions/exercise1.frag — exercise 1: RMS norm, y = x / sqrt(mean(x^2) + eps).
#version 100
precision highp float;
precision highp sampler2D;
uniform sampler2D X;
uniform vec2 X_inv;
varying highp vec2 v_texel;

void main() {
    float c4 = floor(v_texel.x), t = floor(v_texel.y);
    float sq = 0.0;
    for (int i = 0; i < C4; i++) {
        vec4 x = texture2D(X, vec2(float(i) + 0.5, t + 0.5) * X_inv);
        sq += dot(x, x);
    }
    vec4 x = texture2D(X, vec2(c4 + 0.5, t + 0.5) * X_inv);
    gl_FragColor = x / sqrt(sq / float(4 * C4) + 1e-5);
}
