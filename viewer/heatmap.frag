// viewer/heatmap.frag — draws a region of an engine tensor as a heatmap: pixel -> (row, col) -> value -> colour.
// Composed after glsl/prelude.glsl (same codec and addressing as the passes). Reads only; writes the view texture.
//   region u_region = (row0, col0, rows, cols) of tensor A, shown in the pixel rect u_view = (x, y, w, h), row 0 at
//   the top. DIFF: shows A - B (a block's attention or MLP contribution). u_map = (scale, sequential, causal, query0):
//   colour = map(value / scale); causal: the cell of key col0 + c and query u_map.w + r (the region's first row is
//   query u_map.w) is masked (grey) when the key comes after the query; NaN and Inf are magenta.
//   PER_ROW (= texels of A's rows): scale each row by its own largest |value| in the region instead.
uniform sampler2D A;
uniform vec4 A_geo;
uniform vec2 A_inv;
#ifdef DIFF
uniform sampler2D B;
uniform vec4 B_geo;
uniform vec2 B_inv;
#endif
uniform vec4 u_region;
uniform vec4 u_view;
uniform vec4 u_map;  // (scale, sequential, causal, query of the first row)
varying vec2 v_texel;

float element(sampler2D s, vec4 geo, vec2 inv, float row, float col) {
    float c4 = floor((col + 0.5) / 4.0);
    vec4 v = load4(s, geo, inv, row, c4);
    float i = col - 4.0 * c4;
    return i < 0.5 ? v.x : i < 1.5 ? v.y : i < 2.5 ? v.z : v.w;
}

vec4 value4(float row, float c4) {
#ifdef DIFF
    return load4(A, A_geo, A_inv, row, c4) - load4(B, B_geo, B_inv, row, c4);
#else
    return load4(A, A_geo, A_inv, row, c4);
#endif
}

float value(float row, float col) {
#ifdef DIFF
    return element(A, A_geo, A_inv, row, col) - element(B, B_geo, B_inv, row, col);
#else
    return element(A, A_geo, A_inv, row, col);
#endif
}

// The same maps as viewer/colormap.cpp (tests compare the two).
vec3 diverging(float t) {
    t = clamp(t, -1.0, 1.0);
    return t < 0.0 ? mix(vec3(1.0), vec3(0.13, 0.40, 0.75), -t) : mix(vec3(1.0), vec3(0.80, 0.15, 0.15), t);
}
vec3 sequential(float t) { return mix(vec3(1.0), vec3(0.03, 0.19, 0.42), clamp(t, 0.0, 1.0)); }

void main() {
    vec2 f = (v_texel - u_view.xy) / u_view.zw;
    float r = min(floor((1.0 - f.y) * u_region.z), u_region.z - 1.0);
    float c = min(floor(f.x * u_region.w), u_region.w - 1.0);
    float row = u_region.x + r;
    if (u_map.z > 0.5 && u_region.y + c > u_map.w + r) {
        gl_FragColor = vec4(0.75, 0.75, 0.75, 1.0);
        return;
    }
    float v = value(row, u_region.y + c);
    if (!(abs(v) < 3.0e38)) {
        gl_FragColor = vec4(1.0, 0.0, 1.0, 1.0);
        return;
    }
    float scale = u_map.x;
#ifdef PER_ROW
    float m = 0.0;
    for (int i = 0; i < PER_ROW; i++) {
        vec4 x = abs(value4(row, float(i))) * below(float(i), u_region.y + u_region.w) *
                 (vec4(1.0) - below(float(i), u_region.y));
        m = max(m, max(max(x.x, x.y), max(x.z, x.w)));
    }
    scale = m > 0.0 ? m : 1.0;
#endif
    gl_FragColor = vec4(u_map.y > 0.5 ? sequential(v / scale) : diverging(v / scale), 1.0);
}
