// glsl/layernorm.frag — y = (x - mean) / sqrt(var + eps) * g + b over each row     x, y: (T, C); g, b: (1, C)
// The row's moments, merged with merge_moments (prelude): C4 = texels per row.
//   ROW_STATS: from STATS (T, 4 * CHUNKS), one (count, mean, m2, 0) per chunk of the row (glsl/ln_stats.frag);
//   else every fragment walks its whole row itself.
// Half tier: FP16 tops out at 65504 and GPT-2's outlier channels (~3000) would overflow the sum of squares: the
// moments are of x / s, s = the row's largest |x| rounded up to a power of two (an exact scaling): the mean, then
// the squared deviations, each a compensated sum.
uniform sampler2D X;
uniform vec4 X_geo;
uniform vec2 X_inv;
uniform sampler2D G;
uniform vec4 G_geo;
uniform vec2 G_inv;
uniform sampler2D B;
uniform vec4 B_geo;
uniform vec2 B_inv;
#ifdef ROW_STATS
uniform sampler2D STATS;
uniform vec4 STATS_geo;
uniform vec2 STATS_inv;
#endif
uniform float u_eps;

vec4 compute(float row, float c4) {
    float n = X_geo.w;
    vec3 acc = vec3(0.0);  // (count, mean, m2)
#ifdef ROW_STATS
    acc = merge_row_moments(STATS, STATS_geo, STATS_inv, row);
#elif defined(TIER_HALF)
    // two compensated passes over x / s (Chan's merge loses its many small updates to FP16's rounding)
    float s = 0.0;
    for (int i = 0; i < C4; i++) {
        vec4 a = abs(load4(X, X_geo, X_inv, row, float(i))) * below(float(i), n);
        s = max(s, max(max(a.x, a.y), max(a.z, a.w)));
    }
    s = exp2(ceil(log2(max(s, 1.0 / 1024.0))));
    vec4 sum = vec4(0.0), comp = vec4(0.0);
    for (int i = 0; i < C4; i++)
        kahan_add(sum, comp, load4(X, X_geo, X_inv, row, float(i)) / s * below(float(i), n));
    acc.y = dot(sum, vec4(1.0)) / n;
    sum = vec4(0.0), comp = vec4(0.0);
    for (int i = 0; i < C4; i++) {
        vec4 d = (load4(X, X_geo, X_inv, row, float(i)) / s - acc.y) * below(float(i), n);
        kahan_add(sum, comp, d * d);
    }
    acc.z = dot(sum, vec4(1.0));
#else
    for (int i = 0; i < C4; i++) {
        vec3 m = texel_moments(load4(X, X_geo, X_inv, row, float(i)), float(i), n);
        merge_moments(acc, m.x, m.y, m.z);
    }
#endif
    float var = acc.z / n;
    vec4 x = load_kept(X, X_geo, X_inv, row, c4);
#ifdef TIER_HALF  // in units of s; eps / s^2 may be below FP16's normals (a constant row would divide by 0)
    vec4 xhat = (x / s - acc.y) / sqrt(max(var + u_eps / s / s, 6.1e-5));
#else
    vec4 xhat = (x - acc.y) / sqrt(var + u_eps);
#endif
    return xhat * load_kept(G, G_geo, G_inv, 0.0, c4) + load_kept(B, B_geo, B_inv, 0.0, c4);
}
