// glsl/layernorm.frag — y = (x - mean) / sqrt(var + eps) * g + b over each row     x, y: (T, C); g, b: (1, C)
// The row's moments, merged with merge_moments (prelude): C4 = texels per row.
//   ROW_STATS: from STATS (T, 4 * CHUNKS), one (count, mean, m2, 0) per chunk of the row (glsl/ln_stats.frag);
//   else every fragment walks its whole row itself.
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
    for (int j = 0; j < CHUNKS; j++) {
        vec4 s = load4(STATS, STATS_geo, STATS_inv, row, float(j));
        merge_moments(acc, s.x, s.y, s.z);
    }
#else
    for (int i = 0; i < C4; i++) {
        vec3 m = texel_moments(load4(X, X_geo, X_inv, row, float(i)), float(i), n);
        merge_moments(acc, m.x, m.y, m.z);
    }
#endif
    float var = acc.z / n;
    vec4 x = load4(X, X_geo, X_inv, row, c4);
    return (x - acc.y) / sqrt(var + u_eps) * load4(G, G_geo, G_inv, 0.0, c4) + load4(B, B_geo, B_inv, 0.0, c4);
}
