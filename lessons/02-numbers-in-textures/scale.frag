// lessons/02-numbers-in-textures/scale.frag — copies texture X texel for texel: y = x. The texel this fragment
// writes is the texel it reads (u_inv = 1 / texture size turns texel coordinates into texture coordinates).
#version 100
precision highp float;
precision highp sampler2D;
uniform sampler2D X;
uniform vec2 u_inv;
varying highp vec2 v_texel;

void main() {
    vec4 x = texture2D(X, v_texel * u_inv);
    gl_FragColor = x;
}
