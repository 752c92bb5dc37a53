// glsl/matmul.frag — y[r, n] = sum_k f(x[r + u_xrow, k]) * W[n, k]  (+ bias[n]) (-> gelu) (+ res[r, n])
//   x: (T, K)   W: one part of an (N, K) weight, out x in, rows [u_n0, u_n0 + part rows), stored transposed:
//   the texel (k, c4 - u_n0/4) holds W[4c4 .. 4c4+3, k]   y, res: (T, N)
// Each fragment makes 4 outputs: per texel of x (4 k) it loads 4 texels of W^T, one per k, and sums lanes x weights;
// the fragments of neighbouring outputs read neighbouring texels of W^T.
// Defines: K4 = texels per row of x, K_LAST = K - 1 (constants); HAS_BIAS, GELU (tanh form, HF gelu_new), HAS_RESIDUAL;
//   GELU_X: f = gelu (the MLP's activation, applied by its consumer when the producer was split), else f = identity;
//   KSLICE: this fragment sums only K texels [s*KSLICE, s*KSLICE + KSLICE) for quad layer s = v_layer; the engine
//   adds the layers up by blending (split-K), the bias comes with layer 0. GELU and HAS_RESIDUAL need the whole sum.
//   PARTIAL (with KSLICE; tiers that store fp32 but cannot blend): no layers; output row s u_rows + r holds slice
//   s's sum for row r (bias with slice 0), and glsl/ksum.frag adds the slices up, then GELU and the residual.
//   W_Q8: W holds int8 values (load_q8) and W_SCALE (1, N) their per-row scales: y = scale[n] * sum_k x q[n, k].
//   W_Q8P: the same int8 values packed 3 to a channel (passes/tensor.h): W's texel (j, c4 - u_n0/4) holds
//     q[4c4 .. 4c4+3, 3j .. 3j+2]. The loop takes 12 k at a time (K12 groups): 3 texels of x, 4 of W; KSLICE
//     counts groups.
//   W_Q4P: 4-bit values packed 6 to a channel (passes/tensor.h), W's texel (j, c4 - u_n0/4) holding
//     q[4c4 .. 4c4+3, 6j .. 6j+5], and W_SCALE (groups, N) a scale per output and group of 24 inputs: the loop takes
//     a group a step (K24 of them): 6 texels of x, 4 of W, 1 of scales; KSLICE counts groups. X_RAGGED: K4 is not a
//     multiple of 6 (the last group reads x's last texel again, its weights 0). S_PLAIN: W_SCALE is a plain image.
//   W_ROWS (coded tiers, whose fragments keep one output: lane g_lane of texel c4): W's part is stored as W itself,
//     (part rows, K), and the fragment walks its output's row n - u_n0: 4 inputs per fetch with W_Q8 (one texel),
//     4 per load4 otherwise, where W^T's texels give 4 outputs' weights of which the fragment keeps one.
//   X_PLAIN, W_PLAIN: that texture is one plain image (one segment, one band; not rgba8-coded), so a texel's
//   coordinates are (col, row) + 0.5 times _inv, with no tensor addressing per fetch (the loop's ALU cost).
//   DRAW_BUFFERS = TILE_ROWS x TILE_COLS (prefill, float tiers; decode 1 x C where tuned so; rgba8 1 x C, W_ROWS):
//   compute_tile makes a tile of outputs, TILE_ROWS rows u_tile_rows apart by TILE_COLS texels u_tile_cols apart,
//   one texel into each draw buffer: each x texel fetched serves TILE_COLS texels of outputs and each W texel
//   TILE_ROWS rows (R x fetches and 4 C W fetches per 16 R C multiply-adds, where one output texel takes 5 per 16).
//   x's row is u_xrow + the output row, the residual's u_yrow +.
//   With PARTIAL (one-row tiles): output row s u_rows + r of each draw buffer holds slice s of row r, and
//   glsl/ksum.frag (TILES) gathers and adds them up.
uniform sampler2D X;
uniform vec4 X_geo;
uniform vec2 X_inv;
uniform sampler2D W;
uniform vec4 W_geo;
uniform vec2 W_inv;
#if defined(W_Q8) || defined(W_Q8P) || defined(W_Q4P)
uniform sampler2D W_SCALE;
uniform vec4 W_SCALE_geo;
uniform vec2 W_SCALE_inv;
#endif
// x's texel k4 of row r, whose texel row in a plain image is at v
#ifdef X_PLAIN
#define LOAD_XV(r, v, k4) texture2D(X, vec2((k4 + 0.5) * X_inv.x, v))
#else
#define LOAD_XV(r, v, k4) load4(X, X_geo, X_inv, r, k4)
#endif
// W^T's row k (clamped: rows past K read row K - 1 times x's zero padding) at texel column w4, which a plain image
// has at u = (w4 + 0.5) * W_inv.x
#ifdef W_PLAIN
#define W_TEXEL_AT(k, w4, u) texture2D(W, vec2(u, (min(k, float(K_LAST)) + 0.5) * W_inv.y))
#else
#define W_TEXEL_AT(k, w4, u) texture2D(W, uv_of(texel_of(W_geo, min(k, float(K_LAST)), w4), W_inv))
#endif
#ifdef W_Q8
// byte / 255 times 255 lands within an ulp of the integer; rounding it exactly (floor) cost 30% of the rgba8 tier's
// matmul time on an H100, so the RGBA8 layout keeps that ~1e-7 relative error (q8p's values are exact)
#define LOAD_W_AT(k, w4, u) (W_TEXEL_AT(k, w4, u) * 255.0 - 128.0)
#elif defined(CODED)
#define LOAD_W_AT(k, w4, u) load4(W, W_geo, W_inv, min(k, float(K_LAST)), w4)
#else
#define LOAD_W_AT(k, w4, u) W_TEXEL_AT(k, w4, u)
#endif
#ifdef W_ROWS
// inputs 4 k4 .. 4 k4 + 3 of row n of W's part (q8: one texel, at v = (n + 0.5) W_inv.y in a plain image); LOAD_W_ROW
// this fragment's row wn
#if defined(W_Q8) && defined(W_PLAIN)
#define LOAD_W_ROW_AT(n, v, k4) (texture2D(W, vec2((k4 + 0.5) * W_inv.x, v)) * 255.0 - 128.0)
#elif defined(W_Q8)
#define LOAD_W_ROW_AT(n, v, k4) (texture2D(W, uv_of(texel_of(W_geo, n, k4), W_inv)) * 255.0 - 128.0)
#else
#define LOAD_W_ROW_AT(n, v, k4) load4(W, W_geo, W_inv, n, k4)
#endif
#define LOAD_W_ROW(k4) LOAD_W_ROW_AT(wn, wv, k4)
#endif
// at this fragment's column (compute: wu)
#define W_TEXEL(k, w4) W_TEXEL_AT(k, w4, wu)
#define LOAD_W(k, w4) LOAD_W_AT(k, w4, wu)
#define LOAD_X(r, k4) LOAD_XV(r, xv, k4)
#ifdef W_Q4P
// the scales of group g of the 4 outputs at texel c4 (of all of W's rows)
#ifdef S_PLAIN
#define LOAD_SCALE(g, c4) texture2D(W_SCALE, (vec2(c4, g) + 0.5) * W_SCALE_inv)
#else
#define LOAD_SCALE(g, c4) load4(W_SCALE, W_SCALE_geo, W_SCALE_inv, g, c4)
#endif
// x's texel i of row r (v: its texel row in a plain image); X_RAGGED: past the row's end its last texel (its weights
// are 0)
#ifdef X_RAGGED
#define LOAD_XI(r, v, i) LOAD_XV(r, v, min(i, float(K4 - 1)))
#else
#define LOAD_XI(r, v, i) LOAD_XV(r, v, i)
#endif
// x's 6 texels of group g (inputs 24g .. 24g + 23) in row r (v: its texel row in a plain image), their GELU where
// GELU_X
void q4_x(float r, float v, float g, out vec4 x0, out vec4 x1, out vec4 x2, out vec4 x3, out vec4 x4, out vec4 x5) {
    float t0 = 6.0 * g;
    x0 = LOAD_XI(r, v, t0);
    x1 = LOAD_XI(r, v, t0 + 1.0);
    x2 = LOAD_XI(r, v, t0 + 2.0);
    x3 = LOAD_XI(r, v, t0 + 3.0);
    x4 = LOAD_XI(r, v, t0 + 4.0);
    x5 = LOAD_XI(r, v, t0 + 5.0);
#ifdef GELU_X
    x0 = gelu(x0);
    x1 = gelu(x1);
    x2 = gelu(x2);
    x3 = gelu(x3);
    x4 = gelu(x4);
    x5 = gelu(x5);
#endif
}
#ifdef DRAW_BUFFERS
// x's texels t0 .. t0 + 2 of row r (prefill tiles: half a group), their GELU where GELU_X
void q4_x3(float r, float t0, out vec4 a, out vec4 b, out vec4 c) {
    float v = (r + 0.5) * X_inv.y;
    a = LOAD_XI(r, v, t0);
    b = LOAD_XI(r, v, t0 + 1.0);
    c = LOAD_XI(r, v, t0 + 2.0);
#ifdef GELU_X
    a = gelu(a);
    b = gelu(b);
    c = gelu(c);
#endif
}
#endif
// Group g's 4 W texels times its 6 x texels a .. f: texel m holds the inputs 6m .. 6m + 5, lanes xyzw of a and xy
// of b for m = 0, then zw of b and c's four, d and xy of e, zw of e and f.
vec4 q4_group(float g, float w4, float u, vec4 a, vec4 b, vec4 c, vec4 d, vec4 e, vec4 f) {
    vec4 q0, q1, q2, q3, q4, q5;
    unpack_q4x6(W_TEXEL_AT(4.0 * g, w4, u), q0, q1, q2, q3, q4, q5);
    vec4 sum = a.x * q0 + a.y * q1 + a.z * q2 + a.w * q3 + b.x * q4 + b.y * q5;
    unpack_q4x6(W_TEXEL_AT(4.0 * g + 1.0, w4, u), q0, q1, q2, q3, q4, q5);
    sum += b.z * q0 + b.w * q1 + c.x * q2 + c.y * q3 + c.z * q4 + c.w * q5;
    unpack_q4x6(W_TEXEL_AT(4.0 * g + 2.0, w4, u), q0, q1, q2, q3, q4, q5);
    sum += d.x * q0 + d.y * q1 + d.z * q2 + d.w * q3 + e.x * q4 + e.y * q5;
    unpack_q4x6(W_TEXEL_AT(4.0 * g + 3.0, w4, u), q0, q1, q2, q3, q4, q5);
    return sum + e.z * q0 + e.w * q1 + f.x * q2 + f.y * q3 + f.z * q4 + f.w * q5;
}
#endif
#if defined(W_Q8P) && defined(DRAW_BUFFERS)
// x's 3 texels of group g (inputs 12g .. 12g + 11) in row r, those past K4 zeroed (they would read another row;
// their weights are 0), their GELU where GELU_X
void q8_x3(float r, float g, out vec4 a, out vec4 b, out vec4 c) {
    float v = (r + 0.5) * X_inv.y;
    a = LOAD_XV(r, v, 3.0 * g);
    b = 3.0 * g + 1.0 < float(K4) ? LOAD_XV(r, v, 3.0 * g + 1.0) : vec4(0.0);
    c = 3.0 * g + 2.0 < float(K4) ? LOAD_XV(r, v, 3.0 * g + 2.0) : vec4(0.0);
#ifdef GELU_X
    a = gelu(a);
    b = gelu(b);
    c = gelu(c);
#endif
}
#endif
#ifdef HAS_BIAS
uniform sampler2D BIAS;
uniform vec4 BIAS_geo;
uniform vec2 BIAS_inv;
#endif
#ifdef HAS_RESIDUAL
uniform sampler2D RES;
uniform vec4 RES_geo;
uniform vec2 RES_inv;
#endif
uniform float u_xrow;
uniform float u_n0;
#ifdef PARTIAL
uniform float u_rows;  // the product's rows: output row s u_rows + r is slice s of row r
#elif defined(KSLICE)
varying highp float v_layer;
#endif
#ifdef DRAW_BUFFERS
uniform float u_tile_rows;  // B
uniform float u_tile_cols;  // W4
uniform float u_yrow;
vec4 g_tile[DRAW_BUFFERS];  // this fragment's outputs, draw buffer j's at j (glsl/pass_main.glsl writes them)
#endif

// The outputs at (row, 4 c4 ..) from their products' sum over K slice `slice`: q8's scale (q4's were applied per
// group), the bias (slice 0 only),
// GELU, the residual (read at `row`).
vec4 finish(vec4 acc, float row, float c4, float slice) {
#if defined(W_Q8) || defined(W_Q8P)
    acc *= load_kept(W_SCALE, W_SCALE_geo, W_SCALE_inv, 0.0, c4);
#endif
#ifdef HAS_BIAS
    if (slice < 0.5) acc += load_kept(BIAS, BIAS_geo, BIAS_inv, 0.0, c4);
#endif
#ifdef GELU
    acc = gelu(acc);
#endif
#ifdef HAS_RESIDUAL
    acc += load_kept(RES, RES_geo, RES_inv, row, c4);
#endif
    return acc;
}

// The loop over this fragment's K steps, `var` the step's index (of K12 groups or K4 texels, n of them): its slice
// (KSLICE) or all of them. Closed by the loop body's own brace.
#ifdef KSLICE
#define SLICE floor(v_layer + 0.5)
#define K_LOOP(var, n) for (int i = 0; i < KSLICE; i++) { float var = slice * float(KSLICE) + float(i); if (var >= float(n)) break;
#else
#define SLICE 0.0
#define K_LOOP(var, n) for (int i = 0; i < n; i++) { float var = float(i);
#endif

vec4 compute(float row, float c4) {
#ifdef TIER_HALF
    float w4 = g_c4_local;  // the pass's cols are this part's: exact where c4 is not (the vocabulary)
#else
    float w4 = c4 - 0.25 * u_n0;  // u_n0 is a multiple of 4
#endif
#ifdef PARTIAL
    float slice = idiv(row, u_rows);
    row -= slice * u_rows;
#else
    float slice = SLICE;
#endif
    float wu = (w4 + 0.5) * W_inv.x, xv = (row + u_xrow + 0.5) * X_inv.y;  // for the plain images
    float xr = row + u_xrow;
    vec4 acc = vec4(0.0), comp = vec4(0.0);  // comp: SUM_ADD's compensation (half tier)
#ifdef W_ROWS
    // one output, its sum in every lane, so that finish's per-lane scale, bias and residual fit lane g_lane
    float wn = 4.0 * w4 + g_lane, wv = (wn + 0.5) * W_inv.y;
    K_LOOP(k4, K4)
        vec4 x = LOAD_X(xr, k4);
#ifdef GELU_X
        x = gelu(x);
#endif
        SUM_ADD(acc, comp, vec4(dot(x, LOAD_W_ROW(k4))));
    }
#elif defined(W_Q8P)
    K_LOOP(g, K12)
        // x's texels past K4 would read another row: zero them (their weights are q = 0)
        vec4 x0 = LOAD_X(xr, 3.0 * g), x1 = 3.0 * g + 1.0 < float(K4) ? LOAD_X(xr, 3.0 * g + 1.0) : vec4(0.0);
        vec4 x2 = 3.0 * g + 2.0 < float(K4) ? LOAD_X(xr, 3.0 * g + 2.0) : vec4(0.0);
#ifdef GELU_X
        x0 = gelu(x0);
        x1 = gelu(x1);
        x2 = gelu(x2);
#endif
        // one W texel at a time (k = 12g + 3m .. + 2), taken apart and used at once: few registers live
        vec4 q0, q1, q2;
        unpack_q8x3(W_TEXEL(4.0 * g, w4), q0, q1, q2);
        acc += x0.x * q0 + x0.y * q1 + x0.z * q2;
        unpack_q8x3(W_TEXEL(4.0 * g + 1.0, w4), q0, q1, q2);
        acc += x0.w * q0 + x1.x * q1 + x1.y * q2;
        unpack_q8x3(W_TEXEL(4.0 * g + 2.0, w4), q0, q1, q2);
        acc += x1.z * q0 + x1.w * q1 + x2.x * q2;
        unpack_q8x3(W_TEXEL(4.0 * g + 3.0, w4), q0, q1, q2);
        acc += x2.y * q0 + x2.z * q1 + x2.w * q2;
    }
#elif defined(W_Q4P)
    K_LOOP(g, K24)
        vec4 x0, x1, x2, x3, x4, x5;
        q4_x(xr, xv, g, x0, x1, x2, x3, x4, x5);
        acc += LOAD_SCALE(g, c4) * q4_group(g, w4, wu, x0, x1, x2, x3, x4, x5);
    }
#else
    K_LOOP(k4, K4)
        vec4 x = LOAD_X(xr, k4);
#ifdef GELU_X
        x = gelu(x);
#endif
        float k = 4.0 * k4;
        SUM_ADD(acc, comp, x.x * LOAD_W(k, w4) + x.y * LOAD_W(k + 1.0, w4) + x.z * LOAD_W(k + 2.0, w4) +
                               x.w * LOAD_W(k + 3.0, w4));
    }
#endif
    return finish(acc, row, c4, slice);
}

#ifdef DRAW_BUFFERS
// g_tile[jc * TILE_ROWS + jr] <- the 4 outputs of row `row` + jr B at texel c4 + jc W4 (B = u_tile_rows, W4 =
// u_tile_cols). No SUM_ADD (not the half tier). W_ROWS (the rgba8 tier's one-row tiles): c4 and c4 + jc W4 count
// groups of 4 outputs, each coded texel one output, and the fragment keeps lane g_lane of each block: W's rows
// 4 (w4 + jc W4) + g_lane, one sum per block for every x texel decoded.
void compute_tile(float row, float c4) {
#ifdef PARTIAL  // one-row tiles: output row s u_rows + r holds slice s of row r
    float slice = idiv(row, u_rows);
    row -= slice * u_rows;
#else
    float slice = SLICE;
#endif
    float w4 = c4 - 0.25 * u_n0, xr = row + u_xrow;
    vec4 acc[DRAW_BUFFERS];
    for (int j = 0; j < DRAW_BUFFERS; j++) acc[j] = vec4(0.0);
#if defined(W_Q4P) && TILE_ROWS == 1  // decode: x's 6 texels fetched once for every column block
    float v = (xr + 0.5) * X_inv.y;
    K_LOOP(g, K24)
        vec4 x0, x1, x2, x3, x4, x5;
        q4_x(xr, v, g, x0, x1, x2, x3, x4, x5);
        for (int jc = 0; jc < TILE_COLS; jc++) {
            float wc = w4 + float(jc) * u_tile_cols;
            acc[jc] += LOAD_SCALE(g, c4 + float(jc) * u_tile_cols) *
                       q4_group(g, wc, (wc + 0.5) * W_inv.x, x0, x1, x2, x3, x4, x5);
        }
    }
#elif defined(W_Q4P)  // prefill: W's texels taken apart and scaled once, two at a time, then used for every row
    K_LOOP(g, K24)
        vec4 s[TILE_COLS];  // the group's scales of each column block
        for (int jc = 0; jc < TILE_COLS; jc++) s[jc] = LOAD_SCALE(g, c4 + float(jc) * u_tile_cols);
        for (int h = 0; h < 2; h++) {  // W texels 2h, 2h + 1 of the group: x texels 3h .. 3h + 2
            float t0 = 6.0 * g + 3.0 * float(h);
#if TILE_COLS > 1  // each row's 3 x texels fetched once for every column block
            vec4 xa[TILE_ROWS], xb[TILE_ROWS], xc[TILE_ROWS];
            for (int jr = 0; jr < TILE_ROWS; jr++) q4_x3(xr + float(jr) * u_tile_rows, t0, xa[jr], xb[jr], xc[jr]);
#endif
            for (int jc = 0; jc < TILE_COLS; jc++) {
                float wc = w4 + float(jc) * u_tile_cols, u = (wc + 0.5) * W_inv.x;
                vec4 e0, e1, e2, e3, e4, e5, o0, o1, o2, o3, o4, o5;
                unpack_q4x6(W_TEXEL_AT(4.0 * g + 2.0 * float(h), wc, u), e0, e1, e2, e3, e4, e5);
                unpack_q4x6(W_TEXEL_AT(4.0 * g + 2.0 * float(h) + 1.0, wc, u), o0, o1, o2, o3, o4, o5);
                e0 *= s[jc];
                e1 *= s[jc];
                e2 *= s[jc];
                e3 *= s[jc];
                e4 *= s[jc];
                e5 *= s[jc];
                o0 *= s[jc];
                o1 *= s[jc];
                o2 *= s[jc];
                o3 *= s[jc];
                o4 *= s[jc];
                o5 *= s[jc];
                for (int jr = 0; jr < TILE_ROWS; jr++) {
#if TILE_COLS > 1
                    vec4 a = xa[jr], b = xb[jr], c = xc[jr];
#else
                    vec4 a, b, c;
                    q4_x3(xr + float(jr) * u_tile_rows, t0, a, b, c);
#endif
                    acc[jc * TILE_ROWS + jr] += a.x * e0 + a.y * e1 + a.z * e2 + a.w * e3 + b.x * e4 + b.y * e5 +
                                                b.z * o0 + b.w * o1 + c.x * o2 + c.y * o3 + c.z * o4 + c.w * o5;
                }
            }
        }
    }
#elif defined(W_ROWS)  // TILE_ROWS = 1
    float xv = (xr + 0.5) * X_inv.y;
    K_LOOP(k4, K4)
        vec4 x = LOAD_XV(xr, xv, k4);
#ifdef GELU_X
        x = gelu(x);
#endif
        for (int jc = 0; jc < TILE_COLS; jc++) {
            float n = 4.0 * (w4 + float(jc) * u_tile_cols) + g_lane;
            acc[jc] += vec4(dot(x, LOAD_W_ROW_AT(n, (n + 0.5) * W_inv.y, k4)));
        }
    }
#elif defined(W_Q8P)
    K_LOOP(g, K12)
        // x's 3 texels of each row: fetched once for every column block (one-row tiles, and R x C tiles); R x 1 tiles
        // fetch them as they use them (held in arrays, the page's prompt on SwiftShader took 2x as long)
#if TILE_ROWS == 1 || TILE_COLS > 1
        vec4 xa[TILE_ROWS], xb[TILE_ROWS], xc[TILE_ROWS];
        for (int jr = 0; jr < TILE_ROWS; jr++) q8_x3(xr + float(jr) * u_tile_rows, g, xa[jr], xb[jr], xc[jr]);
#endif
        for (int jc = 0; jc < TILE_COLS; jc++) {
            // block jc's 4 W texels taken apart once (k = 12g + 3m .. + 2 in texel m), then used for every row
            float wc = w4 + float(jc) * u_tile_cols, u = (wc + 0.5) * W_inv.x;
            vec4 a0, a1, a2, b0, b1, b2, c0, c1, c2, d0, d1, d2;
            unpack_q8x3(W_TEXEL_AT(4.0 * g, wc, u), a0, a1, a2);
            unpack_q8x3(W_TEXEL_AT(4.0 * g + 1.0, wc, u), b0, b1, b2);
            unpack_q8x3(W_TEXEL_AT(4.0 * g + 2.0, wc, u), c0, c1, c2);
            unpack_q8x3(W_TEXEL_AT(4.0 * g + 3.0, wc, u), d0, d1, d2);
            for (int jr = 0; jr < TILE_ROWS; jr++) {
#if TILE_ROWS == 1 || TILE_COLS > 1
                vec4 x0 = xa[jr], x1 = xb[jr], x2 = xc[jr];
#else
                vec4 x0, x1, x2;
                q8_x3(xr + float(jr) * u_tile_rows, g, x0, x1, x2);
#endif
                acc[jc * TILE_ROWS + jr] += x0.x * a0 + x0.y * a1 + x0.z * a2 + x0.w * b0 + x1.x * b1 + x1.y * b2 +
                                            x1.z * c0 + x1.w * c1 + x2.x * c2 + x2.y * d0 + x2.z * d1 + x2.w * d2;
            }
        }
    }
#else
    K_LOOP(k4, K4)
        vec4 x[TILE_ROWS];
        for (int jr = 0; jr < TILE_ROWS; jr++) {
            float r = xr + float(jr) * u_tile_rows;
            x[jr] = LOAD_XV(r, (r + 0.5) * X_inv.y, k4);
#ifdef GELU_X
            x[jr] = gelu(x[jr]);
#endif
        }
        float k = 4.0 * k4;
        for (int jc = 0; jc < TILE_COLS; jc++) {
            float wc = w4 + float(jc) * u_tile_cols, u = (wc + 0.5) * W_inv.x;
            vec4 w0 = LOAD_W_AT(k, wc, u), w1 = LOAD_W_AT(k + 1.0, wc, u), w2 = LOAD_W_AT(k + 2.0, wc, u);
            vec4 w3 = LOAD_W_AT(k + 3.0, wc, u);
            for (int jr = 0; jr < TILE_ROWS; jr++)
                acc[jc * TILE_ROWS + jr] += x[jr].x * w0 + x[jr].y * w1 + x[jr].z * w2 + x[jr].w * w3;
        }
    }
#endif
    for (int jc = 0; jc < TILE_COLS; jc++)
        for (int jr = 0; jr < TILE_ROWS; jr++)
            g_tile[jc * TILE_ROWS + jr] = finish(acc[jc * TILE_ROWS + jr], u_yrow + row + float(jr) * u_tile_rows,
                                                 c4 + float(jc) * u_tile_cols, slice);
}
#endif
