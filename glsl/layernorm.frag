// glsl/layernorm.frag — y = (x - mean) / sqrt(var + eps) * g + b over each row     x, y: (T, C); g, b: (1, C)
// One pass: every fragment walks its row twice (mean, then centred variance). C4 = texels per row (constant).
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
    float sum = 0.0;
    for (int i = 0; i < C4; i++) sum += dot(load4(X, X_geo, X_inv, row, float(i)), vec4(1.0));
    float mean = sum / n;
    float var = 0.0;
    for (int i = 0; i < C4; i++) {
        vec4 d = (load4(X, X_geo, X_inv, row, float(i)) - mean) * below(float(i), n);
        var += dot(d, d);
    }
    vec4 x = load4(X, X_geo, X_inv, row, c4);
    return (x - mean) / sqrt(var / n + u_eps) * load4(G, G_geo, G_inv, 0.0, c4) + load4(B, B_geo, B_inv, 0.0, c4);
}
