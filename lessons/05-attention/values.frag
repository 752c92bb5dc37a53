// lessons/05-attention/values.frag — y = sum_s p[s] v_s: the output (d = 8, 2 texels), one fragment per 4 dims, a loop
// over the 16 positions of the value cache (p is 0 where the key was masked).
#version 100
precision highp float;
precision highp sampler2D;
uniform sampler2D P, V;
varying highp vec2 v_texel;

void main() {
    float half_ = floor(v_texel.x);  // dims 0..3 or 4..7
    vec4 y = vec4(0.0);
    for (int i = 0; i < 4; i++) {
        vec4 p = texture2D(P, vec2((float(i) + 0.5) / 4.0, 0.5));  // p of keys 4i .. 4i+3
        for (int j = 0; j < 4; j++) {
            float pj = j == 0 ? p.x : j == 1 ? p.y : j == 2 ? p.z : p.w;
            y += pj * texture2D(V, vec2((half_ + 0.5) / 2.0, (float(4 * i + j) + 0.5) / 16.0));
        }
    }
    gl_FragColor = y;
}
