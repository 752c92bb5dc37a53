// glsl/argmax.frag — greedy decoding's next token on the GPU: a row's largest value and where it first occurs
//   Over x's row u_row in chunks of CHUNK4 texels: out texel j = (max, col, 0, 0) over x's cols
//   [4 CHUNK4 j, 4 CHUNK4 (j + 1)) below its last col (X_geo.w; the padding lanes never count).
//   PAIRS: x's row holds such (max, col, 0, 0) texels, X_geo.w / 4 of them: out texel j = (the max of chunk j's
//   maxes, its col), chunks of CHUNK4 pairs.
// As the CPU's argmax (std::max_element): start from the first value, take a later one only where it is larger
// (ties: the lower col), chunks and lanes in increasing order. Cols are exact integers in fp32 (the engine runs this
// only on tiers that store fp32 exactly).
uniform sampler2D X;
uniform vec4 X_geo;
uniform vec2 X_inv;
uniform float u_row;

vec4 compute(float row, float j) {
    float first = j * float(CHUNK4);
    // No break at the row's end: the walk re-reads its last texel instead, which never replaces an equal best, so
    // the loop has a fixed count and its fetches need not wait on each other's comparisons (on an H200 a pass of
    // ~113 texel walks took 61 us with the break, 47 without).
    float last4 = idiv(X_geo.w - 1.0, 4.0);
    vec4 v = load4(X, X_geo, X_inv, u_row, first);
#ifdef PAIRS
    vec2 best = v.xy;
    for (int i = 1; i < CHUNK4; i++) {
        v = load4(X, X_geo, X_inv, u_row, min(first + float(i), last4));
        if (best.x < v.x) best = v.xy;
    }
#else
    vec2 best = vec2(v.x, 4.0 * first);
    for (int i = 0; i < CHUNK4; i++) {
        float c4 = min(first + float(i), last4);
        v = load4(X, X_geo, X_inv, u_row, c4);
        vec4 keep = below(c4, X_geo.w);
        if (best.x < v.x) best = vec2(v.x, 4.0 * c4);  // lane 0 is always below the row's end
        if (keep.y > 0.5 && best.x < v.y) best = vec2(v.y, 4.0 * c4 + 1.0);
        if (keep.z > 0.5 && best.x < v.z) best = vec2(v.z, 4.0 * c4 + 2.0);
        if (keep.w > 0.5 && best.x < v.w) best = vec2(v.w, 4.0 * c4 + 3.0);
    }
#endif
    return vec4(best, 0.0, 0.0);
}
