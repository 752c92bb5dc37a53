// glsl/ln_stats.frag — the moments of each chunk of CHUNK4 texels of each row of x, for layernorm.frag (ROW_STATS)
//   x: (T, C)   out: (T, 4 * chunks); texel j of a row = (count, mean, m2, 0) of x's texels [j*CHUNK4, + CHUNK4).
// Cutting the row walk into chunks makes rows x chunks short fragments instead of every output texel walking the row.
uniform sampler2D X;
uniform vec4 X_geo;
uniform vec2 X_inv;
#ifdef X_PLAIN  // x is a plain image (load_plain)
#define LOAD_X(r, c4) load_plain(X, X_inv, r, c4)
#else
#define LOAD_X(r, c4) load4(X, X_geo, X_inv, r, c4)
#endif

vec4 compute(float row, float j) {
    float n = X_geo.w, last4 = idiv(n - 1.0, 4.0);
    vec3 acc = vec3(0.0);
    // No break past the row's end: the walk re-reads the row's last texel there, whose lanes count for none (c4 is
    // past n), so the loop's count is fixed and its fetches need not wait on each other.
    for (int i = 0; i < CHUNK4; i++) {
        float c4 = j * float(CHUNK4) + float(i);
        vec3 m = texel_moments(LOAD_X(row, min(c4, last4)), c4, n);
        merge_moments(acc, m.x, m.y, m.z);
    }
    return vec4(acc, 0.0);
}
