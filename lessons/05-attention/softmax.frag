// lessons/05-attention/softmax.frag — probabilities over the 16 scores (4 texels): exp(x - max) / sum (lesson 4).
#version 100
precision highp float;
precision highp sampler2D;
uniform sampler2D S;
varying highp vec2 v_texel;

void main() {
    float m = -3.0e38, sum = 0.0;
    for (int i = 0; i < 4; i++) {
        vec4 v = texture2D(S, vec2((float(i) + 0.5) / 4.0, 0.5));
        m = max(m, max(max(v.x, v.y), max(v.z, v.w)));
    }
    for (int i = 0; i < 4; i++) sum += dot(exp(texture2D(S, vec2((float(i) + 0.5) / 4.0, 0.5)) - m), vec4(1.0));
    gl_FragColor = exp(texture2D(S, vec2((floor(v_texel.x) + 0.5) / 4.0, 0.5)) - m) / sum;
}
