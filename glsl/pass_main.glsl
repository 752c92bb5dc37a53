// glsl/pass_main.glsl — main() of every op pass, put after the op's .frag (which defines compute()).
// Maps this fragment's texel to (row, c4) through the output tensor's layout, calls compute and writes the texel;
// cols past the tensor's end get 0 (rgba8: the one float of this texel, encoded).
uniform vec4 u_out_geo;  // the output tensor's (rows, segW, bandH, cols)
varying vec2 v_texel;    // this fragment's texel + 0.5, highp (gl_FragCoord is mediump in GLSL ES 1.00)

void main() {
    vec2 p = floor(v_texel);
    float band = floor((p.x + 0.5) / u_out_geo.y);
    float yl = band * u_out_geo.z + p.y;
    float seg = floor((yl + 0.5) / u_out_geo.x);
    float row = yl - seg * u_out_geo.x;
    float tc = seg * u_out_geo.y + p.x - band * u_out_geo.y;
#ifdef TIER_RGBA8
    float c4 = floor((tc + 0.5) / 4.0);
    float i = tc - 4.0 * c4;
    vec4 v = compute(row, c4);
    float x = i < 0.5 ? v.x : i < 1.5 ? v.y : i < 2.5 ? v.z : v.w;
    gl_FragColor = encode_float(tc < u_out_geo.w ? x : 0.0);
#else
    vec4 v = compute(row, tc);
    vec4 c = 4.0 * tc + vec4(0.5, 1.5, 2.5, 3.5);
    float n = u_out_geo.w;
    gl_FragColor = vec4(c.x < n ? v.x : 0.0, c.y < n ? v.y : 0.0, c.z < n ? v.z : 0.0, c.w < n ? v.w : 0.0);
#endif
}
