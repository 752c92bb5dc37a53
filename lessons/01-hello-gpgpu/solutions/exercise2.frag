// lessons/01-hello-gpgpu/solutions/exercise2.frag — exercise 2: A holds the distance from texel (8, 4).
#version 100
precision highp float;
varying highp vec2 v_texel;

void main() {
    vec2 p = floor(v_texel);
    gl_FragColor = vec4(p.x, p.y, p.x + 100.0 * p.y, length(p - vec2(8.0, 4.0)));
}
