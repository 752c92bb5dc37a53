// glsl/layernorm.frag — y = (x - mean) / sqrt(var + eps) * g + b over each row     x, y: (T, C); g, b: (1, C)
// One pass: every fragment walks its row once, merging each texel's 4 values into a running mean and sum of squared
// deviations (Chan et al.'s pairwise update: stable with GPT-2's outlier channels, unlike raw sums). Four such
// accumulators take every 4th texel, so the GPU overlaps their fetches and arithmetic, and merge at the end.
// C4 = texels per row (constant).
uniform sampler2D X;
uniform vec4 X_geo;
uniform vec2 X_inv;
uniform sampler2D G;
uniform vec4 G_geo;
uniform vec2 G_inv;
uniform sampler2D B;
uniform vec4 B_geo;
uniform vec2 B_inv;
uniform float u_eps;

// Merges the statistics (mean, m2, count) of a part into a: the pairwise update.
vec3 merge(vec3 a, vec3 b) {
    float total = max(a.z + b.z, 1.0), delta = b.x - a.x;
    return vec3(a.x + delta * b.z / total, a.y + b.y + delta * delta * a.z * b.z / total, a.z + b.z);
}

// The statistics of texel i of the row (its lanes past n left out).
vec3 texel_stats(float row, float i, float n) {
    vec4 keep = below(i, n);
    float nb = dot(keep, vec4(1.0));
    vec4 v = load4(X, X_geo, X_inv, row, min(i, float(C4 - 1)));  // a texel of this row: finite, masked out
    float mb = dot(v, keep) / max(nb, 1.0);
    vec4 d = (v - mb) * keep;
    return vec3(mb, dot(d, d), nb);
}

vec4 compute(float row, float c4) {
    float n = X_geo.w;
    vec3 s0 = vec3(0.0), s1 = vec3(0.0), s2 = vec3(0.0), s3 = vec3(0.0);
    for (int i = 0; i < (C4 + 3) / 4; i++) {  // texels past the row count 0 values (below)
        float t = 4.0 * float(i);
        s0 = merge(s0, texel_stats(row, t, n));
        s1 = merge(s1, texel_stats(row, t + 1.0, n));
        s2 = merge(s2, texel_stats(row, t + 2.0, n));
        s3 = merge(s3, texel_stats(row, t + 3.0, n));
    }
    vec3 s = merge(merge(s0, s1), merge(s2, s3));
    float mean = s.x, var = s.y / n;
    vec4 x = load4(X, X_geo, X_inv, row, c4);
    return (x - mean) / sqrt(var + u_eps) * load4(G, G_geo, G_inv, 0.0, c4) + load4(B, B_geo, B_inv, 0.0, c4);
}
