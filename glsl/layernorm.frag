// glsl/layernorm.frag — y = (x - mean) / sqrt(var + eps) * g + b over each row     x, y: (T, C); g, b: (1, C)
// One pass: every fragment walks its row once, merging each texel's 4 values into a running mean and sum of squared
// deviations (Chan et al.'s pairwise update: stable with GPT-2's outlier channels, unlike raw sums). C4 = texels per row.
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

vec4 compute(float row, float c4) {
    float n = X_geo.w;
    float mean = 0.0, m2 = 0.0, count = 0.0;
    for (int i = 0; i < C4; i++) {
        vec4 keep = below(float(i), n);
        float nb = dot(keep, vec4(1.0));
        vec4 v = load4(X, X_geo, X_inv, row, float(i));
        float mb = dot(v, keep) / nb;
        vec4 d = (v - mb) * keep;
        float delta = mb - mean, total = count + nb;
        mean += delta * nb / total;
        m2 += dot(d, d) + delta * delta * count * nb / total;
        count = total;
    }
    float var = m2 / n;
    vec4 x = load4(X, X_geo, X_inv, row, c4);
    return (x - mean) / sqrt(var + u_eps) * load4(G, G_geo, G_inv, 0.0, c4) + load4(B, B_geo, B_inv, 0.0, c4);
}
