// glsl/ksum.frag — adds up the slices of a pass whose tier cannot sum them by blending (PARTIAL: matmul's slices of
// K, attn_values' slices of the context), then applies what needs the whole sum:
//   y[row, n] = f(sum_{s < u_slices} P[s u_rows + row - u_yrow, n]) (+ res[row, n]),  f = gelu (GELU) or identity
//   P: (u_slices u_rows, N) the slices' sums (a matmul's with its scale and bias)   res, y: (T, N)
// The slice count is a uniform (at most gl::Quad::kMaxLayers = 64), so a growing context compiles nothing new.
uniform sampler2D P;
uniform vec4 P_geo;
uniform vec2 P_inv;
#ifdef HAS_RESIDUAL
uniform sampler2D RES;
uniform vec4 RES_geo;
uniform vec2 RES_inv;
#endif
uniform float u_slices;
uniform float u_rows;
uniform float u_yrow;

// slice s's sums, times 0 past the last slice (reading the last one's instead: finite, so the product is 0)
#define SLICE_SUMS(s) (step(s, last) * load_kept(P, P_geo, P_inv, min(s, last) * u_rows + r, c4))

vec4 compute(float row, float c4) {
    vec4 acc = vec4(0.0);
    float r = row - u_yrow, last = u_slices - 1.0;
    // 4 slices a step, fetched together (one at a time, each fetch waited for the one before: 11 us a pass on an
    // H200); added in slice order all the same
    for (int i = 0; i < 16; i++) {
        float s = 4.0 * float(i);
        if (s >= u_slices) break;
        acc += SLICE_SUMS(s);
        acc += SLICE_SUMS(s + 1.0);
        acc += SLICE_SUMS(s + 2.0);
        acc += SLICE_SUMS(s + 3.0);
    }
#ifdef GELU
    acc = gelu(acc);
#endif
#ifdef HAS_RESIDUAL
    acc += load_kept(RES, RES_geo, RES_inv, row, c4);
#endif
    return acc;
}
