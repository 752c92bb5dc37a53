// glsl/probe.frag — the fragment pipeline's ceilings, for `gpt2gl probe` (STREAM also flushes a GPU's caches before
// the tuner's trials: passes/engine.cpp flush_caches).
//   ALU:    ITER rounds of 8 independent vec4 multiply-adds per fragment (64 flops a round), nothing fetched.
//   FETCH:  ITER rounds of 4 fetches from S, a tensor small enough to stay in cache, at addresses that change
//           every round (texture2D straight, no tensor addressing): texels per second.
//   STREAM: each fragment (row, c4) sums column c4 of S over rows [row*ITER, row*ITER + ITER): S is larger than any
//           cache, read once in all, so bytes per second from memory (coded tiers: the texel the fragment keeps,
//           decoded, as the passes read theirs).
//   STREAM + LAYERS: the same strips, shaped as a decode step's split-K matvec: the quad drawn as layers summed by
//           blending into u_fold.y output rows of u_fold.x texels; the fragment (row, c4) of layer s sums column
//           row * u_fold.x + c4 of S over rows [s*ITER, s*ITER + ITER).
//   CHAIN:  S + 1, a tiny pass: many in a row, each reading the one before, price one dependent pass.
uniform sampler2D S;
uniform vec4 S_geo;
uniform vec2 S_inv;
#ifdef LAYERS
uniform vec2 u_fold;
varying highp float v_layer;
#endif

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
#ifdef CHAIN
    return load4(S, S_geo, S_inv, row, c4) + 1.0;
#endif
#ifdef STREAM
    vec4 acc = vec4(0.0);
#ifdef LAYERS
    float first = floor(v_layer + 0.5) * float(ITER), col = row * u_fold.x + c4;
#else
    float first = row * float(ITER), col = c4;
#endif
    for (int i = 0; i < ITER; i++) acc += load_kept(S, S_geo, S_inv, first + float(i), col);
    return acc;
#endif
}
