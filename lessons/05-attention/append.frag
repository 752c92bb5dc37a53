// lessons/05-attention/append.frag — writes one row of the K or V cache: the program draws only into the row of the
// new token (viewport = 2 x 1 texels at row pos), so every other row keeps what earlier steps wrote.
#version 100
precision highp float;
uniform vec4 u_lo, u_hi;  // the row's 8 values: texel 0 and texel 1
varying highp vec2 v_texel;

void main() { gl_FragColor = v_texel.x < 1.0 ? u_lo : u_hi; }
