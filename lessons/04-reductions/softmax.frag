// lessons/04-reductions/softmax.frag — p = exp(x - max) / sum over each row of x (T, C). exp of a score of 100 is
// 2.7e43, beyond fp32's 3.4e38: subtracting the row's max first keeps every exp in [0, 1] and changes nothing else.
// STABLE undefined: the textbook formula exp(x) / sum exp(x), to see it break.
#version 100
precision highp float;
precision highp sampler2D;
uniform sampler2D X;
uniform vec2 X_inv;
varying highp vec2 v_texel;

void main() {
    float c4 = floor(v_texel.x), t = floor(v_texel.y);
    float m = 0.0;
#ifdef STABLE
    m = -3.0e38;
    for (int i = 0; i < C4; i++) {
        vec4 v = texture2D(X, vec2(float(i) + 0.5, t + 0.5) * X_inv);
        m = max(m, max(max(v.x, v.y), max(v.z, v.w)));
    }
#endif
    float sum = 0.0;
    for (int i = 0; i < C4; i++) sum += dot(exp(texture2D(X, vec2(float(i) + 0.5, t + 0.5) * X_inv) - m), vec4(1.0));
    gl_FragColor = exp(texture2D(X, vec2(c4 + 0.5, t + 0.5) * X_inv) - m) / sum;
}
