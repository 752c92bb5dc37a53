// lessons/01-hello-gpgpu/solutions/exercise1.frag — exercise 1: B holds x * x - y.
#version 100
precision highp float;
varying highp vec2 v_texel;

void main() {
    vec2 p = floor(v_texel);
    gl_FragColor = vec4(p.x, p.y, p.x * p.x - p.y, p.x * p.y);
}
