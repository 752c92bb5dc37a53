// lessons/01-hello-gpgpu/hello.frag — one fragment = one texel of the output: it finds where it is and computes
// f(x, y) there. The vertex shader (glsl/quad.vert) hands every fragment v_texel, its texel's coordinates + 0.5.
#version 100
precision highp float;
varying highp vec2 v_texel;

void main() {
    vec2 p = floor(v_texel);                      // this texel: x in [0, 16), y in [0, 8)
    float f = p.x + 100.0 * p.y;                  // the function this lesson computes
    gl_FragColor = vec4(p.x, p.y, f, p.x * p.y);  // 4 numbers per texel: R, G, B, A
}
