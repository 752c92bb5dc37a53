// glsl/probe.frag — the fragment pipeline's ceilings, for `gpt2gl probe` (no model uses it).
//   ALU:    ITER rounds of 8 independent vec4 multiply-adds per fragment (64 flops a round), nothing fetched.
//   FETCH:  ITER rounds of 4 fetches from S, a tensor small enough to stay in cache, at addresses that change
//           every round (texture2D straight, no tensor addressing): texels per second.
//   STREAM: each fragment (row, c4) sums column c4 of S over rows [row*ITER, row*ITER + ITER): S is larger than any
//           cache, read once in all, so bytes per second from memory.
uniform sampler2D S;
uniform vec4 S_geo;
uniform vec2 S_inv;

vec4 compute(float row, float c4) {
#ifdef ALU
    vec4 a0 = vec4(row, c4, 1.0, 2.0) * 1e-3, a1 = a0 + 0.1, a2 = a0 + 0.2, a3 = a0 + 0.3;
    vec4 a4 = a0 + 0.4, a5 = a0 + 0.5, a6 = a0 + 0.6, a7 = a0 + 0.7;
    vec4 m = vec4(0.999, 0.998, 0.997, 0.996), b = vec4(1e-4);
    for (int i = 0; i < ITER; i++) {
        a0 = a0 * m + b; a1 = a1 * m + b; a2 = a2 * m + b; a3 = a3 * m + b;
        a4 = a4 * m + b; a5 = a5 * m + b; a6 = a6 * m + b; a7 = a7 * m + b;
    }
    return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
#endif
#ifdef FETCH
    vec4 acc = vec4(0.0);
    vec2 uv = (vec2(c4, row) + 0.5) * S_inv;
    for (int i = 0; i < ITER; i++) {
        vec2 p = fract(uv + float(i) * vec2(0.0371, 0.0173));
        acc += texture2D(S, p) + texture2D(S, fract(p + vec2(0.25, 0.0))) + texture2D(S, fract(p + vec2(0.0, 0.25))) +
               texture2D(S, fract(p + vec2(0.25, 0.25)));
    }
    return acc;
#endif
#ifdef STREAM
    vec4 acc = vec4(0.0);
    for (int i = 0; i < ITER; i++) acc += load4(S, S_geo, S_inv, row * float(ITER) + float(i), c4);
    return acc;
#endif
}
