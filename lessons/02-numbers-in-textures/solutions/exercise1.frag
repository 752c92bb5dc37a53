// lessons/02-numbers-in-textures/solutions/exercise1.frag — exercise 1: y = 2x + 1.
#version 100
precision highp float;
precision highp sampler2D;
uniform sampler2D X;
uniform vec2 u_inv;
varying highp vec2 v_texel;

void main() {
    gl_FragColor = 2.0 * texture2D(X, v_texel * u_inv) + 1.0;
}
