// lessons/02-numbers-in-textures/pack.frag — writes each float of X as its 4 bytes into an RGBA8 texel (R, G, B, A =
// bytes 0..3 of the IEEE-754 float, little-endian), with encode_float from glsl/prelude.glsl, which the program puts
// before this file. X is 4 floats per texel; output texel x holds float x, lane x % 4 of X's texel x / 4.
uniform sampler2D X;
uniform vec2 u_inv;
varying highp vec2 v_texel;

void main() {
    float x = floor(v_texel.x);
    float t = floor(x / 4.0), lane = x - 4.0 * t;
    vec4 v = texture2D(X, vec2(t + 0.5, 0.5) * u_inv);
    float f = lane < 0.5 ? v.x : lane < 1.5 ? v.y : lane < 2.5 ? v.z : v.w;
    gl_FragColor = encode_float(f);
}
