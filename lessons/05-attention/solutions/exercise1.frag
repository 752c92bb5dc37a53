// lessons/05-attention/solutions/exercise1.frag — exercise 1: a sliding window, only the keys pos - 2 .. pos.
//   Q: q (d = 8), texture 2 x 1.   K: the key cache (16 positions x 8), texture 2 x 16.   Out: 16 scores, 4 x 1.
// A key after the query (s > pos: not written yet, the future) gets -1e30: exp(-1e30 - max) is exactly 0 in softmax.
#version 100
precision highp float;
precision highp sampler2D;
uniform sampler2D Q, K;
uniform float u_pos;  // the query's position: keys 0 .. pos are visible
varying highp vec2 v_texel;

float score(float s) {
    if (s > u_pos || s < u_pos - 2.0) return -1e30;
    vec4 k0 = texture2D(K, vec2(0.25, (s + 0.5) / 16.0)), k1 = texture2D(K, vec2(0.75, (s + 0.5) / 16.0));
    vec4 q0 = texture2D(Q, vec2(0.25, 0.5)), q1 = texture2D(Q, vec2(0.75, 0.5));
    return (dot(q0, k0) + dot(q1, k1)) / sqrt(8.0);
}

void main() {
    float s4 = floor(v_texel.x);
    gl_FragColor = vec4(score(4.0 * s4), score(4.0 * s4 + 1.0), score(4.0 * s4 + 2.0), score(4.0 * s4 + 3.0));
}
