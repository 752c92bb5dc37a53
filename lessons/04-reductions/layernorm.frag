// lessons/04-reductions/layernorm.frag — y = (x - mean) / sqrt(var + eps) over each row of x (T, C); a texel = 4
// channels. One fragment per output texel walks its whole row: once for the mean, once for the variance around it
// (subtracting the mean first keeps the sum small: a raw sum of squares minus mean² loses everything to an outlier).
// C4 = C / 4 (a #define: loop bounds are constants in GLSL ES 1.00).
#version 100
precision highp float;
precision highp sampler2D;
uniform sampler2D X;
uniform vec2 X_inv;
varying highp vec2 v_texel;

void main() {
    float c4 = floor(v_texel.x), t = floor(v_texel.y);
    float sum = 0.0;
    for (int i = 0; i < C4; i++) sum += dot(texture2D(X, vec2(float(i) + 0.5, t + 0.5) * X_inv), vec4(1.0));
    float mean = sum / float(4 * C4);
    float sq = 0.0;
    for (int i = 0; i < C4; i++) {
        vec4 d = texture2D(X, vec2(float(i) + 0.5, t + 0.5) * X_inv) - mean;
        sq += dot(d, d);
    }
    float var = sq / float(4 * C4);
    vec4 x = texture2D(X, vec2(c4 + 0.5, t + 0.5) * X_inv);
    gl_FragColor = (x - mean) / sqrt(var + 1e-5);
}
