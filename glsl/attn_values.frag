// glsl/attn_values.frag — y[t, c] = sum_{s <= pos0 + t} probs[h(c)*R + q0 + t, s] * v[s, c],  h(c) = c / hd
//   probs: rows as in attn_scores.frag   v: the layer's values, row s of V from texel col v_col4   y: (T, C)
// Defines: S4 = texels of the longest probs row (constant); HD_ALIGNED when hd % 4 == 0 (all 4 lanes in one head);
//   SLICE4: this fragment sums only key texels [s*SLICE4, s*SLICE4 + SLICE4) for quad layer s = v_layer, and the
//   engine adds the layers up by blending (split over the context, as matmul's split-K).
uniform sampler2D P;
uniform vec4 P_geo;
uniform vec2 P_inv;
uniform sampler2D V;
uniform vec4 V_geo;
uniform vec2 V_inv;
uniform vec3 u_attn;  // (T, pos0, hd)
uniform vec2 u_rows;  // (R, q0)
uniform float u_vcol4;  // v's first texel col in its tensor (passes/ops.h AttnCols)
#ifdef SLICE4
varying highp float v_layer;
#endif

vec4 compute(float row, float c4) {
    vec4 prow = idiv(4.0 * c4 + vec4(0.0, 1.0, 2.0, 3.0), u_attn.z) * u_rows.x + u_rows.y + row;
    float n4 = idiv(u_attn.y + row, 4.0) + 1.0;
    vec4 acc = vec4(0.0), comp = vec4(0.0);  // comp: SUM_ADD's compensation (half tier)
#ifdef SLICE4
    float first = floor(v_layer + 0.5) * float(SLICE4);
    for (int i = 0; i < SLICE4; i++) {
        float s4 = first + float(i);
#else
    for (int i = 0; i < S4; i++) {
        float s4 = float(i);
#endif
        if (s4 >= n4) break;
        float vc = u_vcol4 + c4;
        vec4 v0 = load4(V, V_geo, V_inv, 4.0 * s4, vc);
        vec4 v1 = load4(V, V_geo, V_inv, 4.0 * s4 + 1.0, vc);
        vec4 v2 = load4(V, V_geo, V_inv, 4.0 * s4 + 2.0, vc);
        vec4 v3 = load4(V, V_geo, V_inv, 4.0 * s4 + 3.0, vc);
#ifdef HD_ALIGNED
        vec4 p = load4(P, P_geo, P_inv, prow.x, s4);
        SUM_ADD(acc, comp, p.x * v0 + p.y * v1 + p.z * v2 + p.w * v3);
#else
        SUM_ADD(acc, comp, vec4(dot(load4(P, P_geo, P_inv, prow.x, s4), vec4(v0.x, v1.x, v2.x, v3.x)),
                                dot(load4(P, P_geo, P_inv, prow.y, s4), vec4(v0.y, v1.y, v2.y, v3.y)),
                                dot(load4(P, P_geo, P_inv, prow.z, s4), vec4(v0.z, v1.z, v2.z, v3.z)),
                                dot(load4(P, P_geo, P_inv, prow.w, s4), vec4(v0.w, v1.w, v2.w, v3.w))));
#endif
    }
    return acc;
}
