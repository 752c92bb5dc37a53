// glsl/copy.frag — y[r, c] = x[r + u_xrow, c]     x, y: same cols, any layouts (moves a tensor between layouts or
// row offsets: the viewer's snapshots, the rgba8 codec check, tests of the addressing).
uniform sampler2D X;
uniform vec4 X_geo;
uniform vec2 X_inv;
uniform float u_xrow;

vec4 compute(float row, float c4) { return load_kept(X, X_geo, X_inv, row + u_xrow, c4); }
