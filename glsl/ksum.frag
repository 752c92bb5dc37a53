// glsl/ksum.frag — adds up the K slices of a matmul whose tier cannot sum them by blending (glsl/matmul.frag,
// K_PARTIAL), then applies what needs the whole sum:
//   y[row, n] = f(sum_s P[s u_rows + row - u_yrow, n]) (+ res[row, n]),  f = gelu (GELU) or identity
//   P: (SLICES u_rows, N) the slices' sums, scale and bias included   res, y: (T, N)
uniform sampler2D P;
uniform vec4 P_geo;
uniform vec2 P_inv;
#ifdef HAS_RESIDUAL
uniform sampler2D RES;
uniform vec4 RES_geo;
uniform vec2 RES_inv;
#endif
uniform float u_rows;
uniform float u_yrow;

vec4 compute(float row, float c4) {
    vec4 acc = vec4(0.0);
    float r = row - u_yrow;
    for (int s = 0; s < SLICES; s++) acc += load4(P, P_geo, P_inv, float(s) * u_rows + r, c4);
#ifdef GELU
    acc = gelu(acc);
#endif
#ifdef HAS_RESIDUAL
    acc += load4(RES, RES_geo, RES_inv, row, c4);
#endif
    return acc;
}
