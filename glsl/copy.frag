// glsl/copy.frag — y[r, c] = x[r, c]     x, y: (rows, cols), same shape, any layouts (used to move tensors between
// layouts and tiers' framebuffers, and by tests of the addressing).
uniform sampler2D X;
uniform vec4 X_geo;
uniform vec2 X_inv;

vec4 compute(float row, float c4) { return load4(X, X_geo, X_inv, row, c4); }
