// glsl/prelude.glsl — put before every op's .frag by the engine, after `#version 100` and the op's #defines
// (and before the viewer's display shaders, which share its codec and addressing).
// GLSL ES 1.00 as WebGL 1.0 accepts it: constant loop bounds, no while, no dynamic indexing, highp everywhere
// (llvmpipe and mobile GPUs compute mediump at half precision: loop counters and fp32 texels go wrong) — except on
// the half tier (TIER_HALF), for GPUs whose fragment shaders have no highp: mediump only, every value an FP16, every
// index exact in FP16 (below 2048; texture coordinates below 1024 on power-of-two textures: passes/tensor.h).
// CODED: the tier keeps one value per RGBA8 texel (rgba8: an fp32's bytes; half: two halves).
//
// Index: [SECTION] precision  [SECTION] rgba8 codec  [SECTION] half codec  [SECTION] integer division
//        [SECTION] tensor addressing  [SECTION] GELU  [SECTION] row statistics  [SECTION] causal attention rows
//
// Each op defines   vec4 compute(float row, float c4);   the 4 outputs at (row, cols 4*c4 .. 4*c4+3);
// glsl/pass_main.glsl, put after the op, maps the fragment to (row, c4), calls compute and writes the texel.

// [SECTION] precision
#ifdef TIER_HALF
precision mediump float;
precision mediump int;
precision mediump sampler2D;
#define BIG 65504.0  // the largest half
// 0.5, set by the engine: a value the compiler cannot see, so it cannot fold FP16 arithmetic that must stay as
// written (uv_of, kahan_add)
uniform float u_center;
#else
precision highp float;
precision highp int;
precision highp sampler2D;
#define BIG 3.0e38
#endif

// [SECTION] rgba8 codec
#ifndef TIER_HALF
// Tier rgba8 keeps one IEEE-754 float per RGBA8 texel as its 4 bytes in little-endian order
// (R = mantissa bits 0-7, G = 8-15, B = 16-22 + exponent bit 0, A = exponent bits 1-7 + sign): the very bytes of the
// float in CPU memory, so upload and download are plain copies. Exact for normal floats with highp arithmetic;
// denormals decode to 0, exponent 255 decodes to a huge value of the right sign.
// Only bytes A and B are rounded to integers (floor is no plain multiply-add, and decoding x is most of the tier's
// matmul time: rounding all 4 bytes took an H200's 124M decode 11.6 -> 14.3 ms/token): R and G enter the significand
// as byte/255 times 255 2^-23 and 65280 2^-23, within 2^-30 of their values, which the sum's rounding to [1, 2)'s grid
// of 2^-23 takes away. In whatever order the 3 factors are multiplied, no product exceeds 2 |v|: with the significand
// written 1 + m 2^-23, NVIDIA's compiler multiplied (2^23 + m) by 2^(e-127) first and overflowed past 2^104.
float decode_float(vec4 texel) {
    float a = floor(texel.a * 255.0 + 0.5), b = floor(texel.b * 255.0 + 0.5);
    float neg = a >= 128.0 ? 1.0 : 0.0, e0 = b >= 128.0 ? 1.0 : 0.0;  // the sign, exponent bit 0
    float e = 2.0 * a - 256.0 * neg + e0;
    float f = 1.0 + (b - 128.0 * e0) * (1.0 / 128.0) + texel.g * (65280.0 / 8388608.0) +
              texel.r * (255.0 / 8388608.0);  // the significand, in [1, 2)
    if (e == 0.0) return 0.0;
    return (1.0 - 2.0 * neg) * f * exp2(e - 127.0);
}

vec4 encode_float(float v) {
    float a = abs(v);
    if (a < 1.17549435e-38) return vec4(0.0);  // zero and denormals: +0
    float s = v < 0.0 ? 128.0 : 0.0;
    float e = floor(log2(a));
    float h = floor(e / 2.0);
    float m = a * exp2(-h) * exp2(h - e);  // in [1, 2) up to log2's rounding; two steps keep 2^-e normal at e = 127
    if (m >= 2.0) { m *= 0.5; e += 1.0; }
    if (m < 1.0) { m *= 2.0; e -= 1.0; }
    e += 127.0;
    if (e >= 255.0) return vec4(0.0, 0.0, 128.0, 127.0 + s) / 255.0;  // overflow: infinity
    float mant = (m - 1.0) * 8388608.0;  // 23-bit integer, exact
    float hi = floor(mant / 65536.0);
    float rest = mant - hi * 65536.0;
    float mid = floor(rest / 256.0);
    float lo = rest - mid * 256.0;
    float eh = floor(e / 2.0);
    return vec4(lo, mid, hi + (e - 2.0 * eh) * 128.0, eh + s) / 255.0;
}
#else
// [SECTION] half codec
// Tier half keeps a value v as two halves hi + lo (lo: what hi missed; 0 where the shader computes in FP16) in the
// bytes of an RGBA8 texel (model/numerics.h pack_half2): R, G = hi's bits 0-7 and 8-15, B, A = lo's. Each step is
// exact in FP16: byte values, an 11-bit significand, powers of two. Subnormal halves (below 2^-14) are 0.
float decode_half(vec2 b) {
    float sgn = b.y >= 128.0 ? -1.0 : 1.0;
    float hb = b.y >= 128.0 ? b.y - 128.0 : b.y;
    float e = floor(hb * 0.25);
    float m = (hb - 4.0 * e) * 256.0 + b.x;
    if (e == 0.0) return 0.0;
    return sgn * (1.0 + m * (1.0 / 1024.0)) * exp2(e - 15.0);
}

float decode_float(vec4 texel) {
    vec4 b = floor(texel * 255.0 + 0.5);
    return decode_half(b.xy) + decode_half(b.zw);
}

// v as a half's two bytes (/ 255), rounded to nearest (where the shader keeps more than FP16), clamped to +-65504.
vec2 encode_half(float v) {
    float a = min(abs(v), BIG);
    if (a < 6.103515625e-05) return vec2(0.0);
    float e = floor(log2(a));
    float h = floor(e * 0.5);
    float m = a * exp2(-h) * exp2(h - e);  // in [1, 2) up to log2's rounding; two steps keep 2^-e normal at e = 15
    if (m >= 2.0) { m *= 0.5; e += 1.0; }
    if (m < 1.0) { m *= 2.0; e -= 1.0; }
    float q = floor((m - 1.0) * 1024.0 + 0.5);
    if (q > 1023.5) { q = 0.0; e += 1.0; }
    e += 15.0;
    if (e > 30.5) { e = 30.0; q = 1023.0; }  // rounded past 65504
    float qh = floor(q * (1.0 / 256.0));
    return vec2(q - 256.0 * qh, qh + 4.0 * e + (v < 0.0 ? 128.0 : 0.0)) * (1.0 / 255.0);
}

vec4 encode_float(float v) {
    vec2 hi = encode_half(v);
    return vec4(hi, encode_half(v - decode_half(floor(hi * 255.0 + 0.5))));
}
#endif

// [SECTION] integer division
// floor(a / b) for integers a >= 0, b > 0 held exactly. In fp32, a + 0.5 keeps the quotient off integers. In FP16
// a + 0.5 is not exact past 1024 and a / b may round onto either side of an integer: the remainder corrects it.
float idiv(float a, float b) {
#ifdef TIER_HALF
    float q = floor(a / b);
    float r = a - q * b;
    return r < 0.0 ? q - 1.0 : r >= b ? q + 1.0 : q;
#else
    return floor((a + 0.5) / b);
#endif
}
vec4 idiv(vec4 a, float b) {
#ifdef TIER_HALF
    vec4 q = floor(a / b);
    vec4 r = a - q * b;
    return q - step(r, vec4(-0.5)) + step(vec4(b - 0.5), r);
#else
    return floor((a + 0.5) / b);
#endif
}

// Compensated (Kahan) summation: sum += x with c carrying what sum's rounding dropped. The half tier's long sums
// (matmul, attention, softmax, layer norm) keep FP16 sums of hundreds of terms near FP16 precision of the total.
// The compiler must not simplify ((sum + y) - sum) - y to 0, as Mesa does: t is scaled by a one it cannot see.
void kahan_add(inout vec4 sum, inout vec4 c, vec4 x) {
    vec4 y = x - c;
#ifdef TIER_HALF
    vec4 t = (sum + y) * (u_center + u_center);
#else
    vec4 t = sum + y;
#endif
    c = (t - sum) - y;
    sum = t;
}
#ifdef TIER_HALF
#define SUM_ADD(sum, c, x) kahan_add(sum, c, x)
#else
#define SUM_ADD(sum, c, x) sum += (x)
#endif

#ifdef TIER_HALF
float g_c4_local;  // set by glsl/pass_main.glsl before compute()
#endif
#ifdef CODED
float g_lane;  // which of compute's 4 outputs this fragment keeps (set by glsl/pass_main.glsl before compute())
#endif

// [SECTION] tensor addressing
// A tensor [rows, cols] in one texture. Texel columns tc: float tiers hold 4 consecutive cols per texel (tc = c/4);
// rgba8 and half hold one col per texel (tc = c). A row's texels are cut into segments of segW; segment s of every row
// forms lines yl = s*rows + row; lines fold into bands of bandH laid side by side: x = band*segW + xs, y = yl % bandH.
// Uniforms per tensor N:  N_geo = (rows, segW, bandH, cols),  N_inv = (1/width, 1/height).
// All values stay below 2^24 (half tier: 2048, Engine::draw checks), so float arithmetic on them is exact.
vec2 texel_of(vec4 geo, float row, float tc) {
    float seg = idiv(tc, geo.y);
    float yl = seg * geo.x + row;
    float band = idiv(yl, geo.z);
    return vec2(band * geo.y + tc - seg * geo.y, yl - band * geo.z);
}

// The texture coordinate of a texel's centre. Half tier: the 0.5 comes as u_center, which no compiler can fold into
// an index past 1024, where FP16 has no halves: Mesa turns the constant's (yl - b * h) + 0.5 into (yl + 0.5) - b * h,
// and factors t * inv + 0.5 * inv back into (t + 0.5) * inv.
#ifdef TIER_HALF
vec2 uv_of(vec2 texel, vec2 inv) { return (texel + u_center) * inv; }
#else
vec2 uv_of(vec2 texel, vec2 inv) { return (texel + 0.5) * inv; }
#endif

#ifdef CODED
// 4 consecutive cols = 4 side-by-side texels (segW is a multiple of 4).
vec4 load4(sampler2D s, vec4 geo, vec2 inv, float row, float c4) {
    vec2 uv = uv_of(texel_of(geo, row, 4.0 * c4), inv);
    return vec4(decode_float(texture2D(s, uv)), decode_float(texture2D(s, uv + vec2(inv.x, 0.0))),
                decode_float(texture2D(s, uv + vec2(2.0 * inv.x, 0.0))),
                decode_float(texture2D(s, uv + vec2(3.0 * inv.x, 0.0))));
}
// The value of col c (one texel).
float load1(sampler2D s, vec4 geo, vec2 inv, float row, float c) {
    return decode_float(texture2D(s, uv_of(texel_of(geo, row, c), inv)));
}
// load4's lane g_lane alone, in every lane: the one value this fragment keeps, one texel decoded where load4 takes 4.
vec4 load_kept(sampler2D s, vec4 geo, vec2 inv, float row, float c4) {
    return vec4(load1(s, geo, inv, row, 4.0 * c4 + g_lane));
}
#else
vec4 load4(sampler2D s, vec4 geo, vec2 inv, float row, float c4) {
    return texture2D(s, uv_of(texel_of(geo, row, c4), inv));
}
#define load_kept load4
#endif
// A texel of a plain image (one segment, one band; not rgba8-coded: passes/tensor.h plain_image): texel (row, c4) at
// (c4, row), with none of load4's addressing (NAME_PLAIN defines; matmul.frag has its own for its inner loop).
vec4 load_plain(sampler2D s, vec2 inv, float row, float c4) { return texture2D(s, (vec2(c4, row) + 0.5) * inv); }

// q8 weights (any tier): an RGBA8 texel holds 4 consecutive cols as int8 + 128, laid out as the float tiers.
// Returns the int8 values q (times the row's scale: the weight), exactly: texture2D gives byte / 255, which times
// 255 may miss the integer by an ulp; rounding makes it exact (the embedding's few reads; matmul.frag skips it).
vec4 load_q8(sampler2D s, vec4 geo, vec2 inv, float row, float c4) {
    return floor(texture2D(s, uv_of(texel_of(geo, row, c4), inv)) * 255.0 + 0.5) - 128.0;
}

#if defined(W_Q8P) || defined(W_Q4P) || defined(WTE_Q8P)
// x rounded to the nearest integer, for |x| < 2^22 and not a half-integer: x + 1.5 2^23 lands where floats are the
// integers, and the sum's rounding (to nearest) rounds x; adds at the FP32 rate, where floor takes a GPU's conversion
// unit (NVIDIA: a quarter of that rate). u_rint = (1.5 2^23, 1.5 2^23, 0): uniforms, and a max with 0 between the two
// adds, so that no compiler folds them away (Mesa folded (x + c) - c with constants, NVIDIA's with two uniforms).
// RINT_FLOOR: floor(x + 0.5) instead, where the engine's check found the adds not rounding so (Engine::unpacking).
uniform vec3 u_rint;
vec4 rint4(vec4 x) {
#ifdef RINT_FLOOR
    return floor(x + 0.5);
#else
    return max(x + u_rint.x, u_rint.z) - u_rint.y;
#endif
}

// q8p weights: each float channel holds 3 int8 (each in [-127, 127]) as the signed digits q0 + 256 q1 + 65536 q2, an
// integer of magnitude below 2^23, exact in highp. v / 65536 is q2 plus (q0 + 256 q1) / 65536, within (-1/2, 1/2):
// rounded, q2; so for q1. Every product and sum stays an integer or a dyadic fraction of at most 24 significant bits:
// exact. Returns the 3 int8 values of each channel.
void unpack_q8x3(vec4 v, out vec4 q0, out vec4 q1, out vec4 q2) {
    q2 = rint4(v * (1.0 / 65536.0));
    vec4 r = v - q2 * 65536.0;
    q1 = rint4(r * (1.0 / 256.0));
    q0 = r - q1 * 256.0;
}

// q4p weights: each float channel holds 6 signed 4-bit digits q0 + 16 q1 + ... + 16^5 q5 (each in [-7, 7]), an
// integer of magnitude below 2^24, exact in highp. v / 4096 is the upper 3 digits' value plus the lower 3's over
// 4096, within (-1/2, 1/2): rounded, the upper; so on down. Exact as unpack_q8x3. Returns the 6 digits of each channel.
void split_q4x3(vec4 v, out vec4 q0, out vec4 q1, out vec4 q2) {  // v: 3 digits, in [-1911, 1911]
    q2 = rint4(v * (1.0 / 256.0));
    vec4 r = v - q2 * 256.0;
    q1 = rint4(r * (1.0 / 16.0));
    q0 = r - q1 * 16.0;
}
void unpack_q4x6(vec4 v, out vec4 q0, out vec4 q1, out vec4 q2, out vec4 q3, out vec4 q4, out vec4 q5) {
    vec4 hi = rint4(v * (1.0 / 4096.0));
    split_q4x3(v - hi * 4096.0, q0, q1, q2);
    split_q4x3(hi, q3, q4, q5);
}
#endif

// 1 where 4*c4 + i < n: masks the padding cols of a row's last texel (integers compared: exact in FP16 too).
vec4 below(float c4, float n) {
    return vec4(lessThan(4.0 * c4 + vec4(0.0, 1.0, 2.0, 3.0), vec4(n)));
}

// [SECTION] GELU (matmul and ksum: after the sum, or of x as it is read)
#if defined(GELU) || defined(GELU_X)
// tanh(y) = 1 - 2 / (exp(2y) + 1): GLSL ES 1.00 has no tanh; saturates cleanly at both ends.
vec4 gelu(vec4 x) {
#ifdef TIER_HALF  // x^3 overflows FP16 past 40, exp past 11: tanh is +-1 to FP16 long before either
    vec4 xc = clamp(x, -8.0, 8.0);
    vec4 y = 0.7978845608 * (xc + 0.044715 * xc * xc * xc);
    vec4 t = 1.0 - 2.0 / (exp(min(2.0 * y, 10.0)) + 1.0);
#else
    vec4 y = 0.7978845608 * (x + 0.044715 * x * x * x);
    vec4 t = 1.0 - 2.0 / (exp(min(2.0 * y, 80.0)) + 1.0);
#endif
    return 0.5 * x * (1.0 + t);
}
#endif

// [SECTION] row statistics
// Merges a batch of nb values with mean mb and sum of squared deviations m2b into a running (count, mean, m2)
// (Chan et al.'s pairwise update: stable with GPT-2's outlier channels, unlike raw sums of squares).
void merge_moments(inout vec3 acc, float nb, float mb, float m2b) {
    float total = acc.x + nb;
    float delta = mb - acc.y;
    acc.z += m2b + delta * delta * acc.x * nb / max(total, 1.0);
    acc.y += delta * nb / max(total, 1.0);
    acc.x = total;
}
// The moments of texel c4 of a row of n values: (count, mean, m2) over its lanes below n.
vec3 texel_moments(vec4 v, float c4, float n) {
    vec4 keep = below(c4, n);
    float nb = dot(keep, vec4(1.0));
    float mb = dot(v, keep) / max(nb, 1.0);
    vec4 d = (v - mb) * keep;
    return vec3(nb, mb, dot(d, d));
}

#if defined(CHUNKS) && !defined(CHUNK4)  // a layer norm's chunk statistics
// Row `row`'s (count, mean, m2), merged from its CHUNKS chunks' (count, mean, m2, 0), texels 0 .. CHUNKS - 1 of that
// row of stats (glsl/ln_stats.frag).
vec3 merge_row_moments(sampler2D stats, vec4 geo, vec2 inv, float row) {
    vec3 acc = vec3(0.0);
    for (int j = 0; j < CHUNKS; j++) {
        vec4 s = load4(stats, geo, inv, row, float(j));
        merge_moments(acc, s.x, s.y, s.z);
    }
    return acc;
}
#endif
#if defined(CHUNKS) && defined(CHUNK4)  // softmax's chunk statistics (a layer norm's come with CHUNKS alone)
// A softmax row's (max, sum of exp(x - max)) merged from the (max, sum, ..) of its first `chunks` chunks, texels
// 0 .. chunks - 1 of row `row` of stats (glsl/softmax_stats.frag; CHUNKS: the most a row has). The walks take 4
// chunks a step (past the last chunk, re-reads of it: its max again, in the sum weighted 0) and stop after the step
// with the last: the 4 fetches of a step need not wait on each other, where a break after each fetch made every
// fetch wait on the one before (a decode step's attn_values at context 1023, H200: 0.44 -> 0.39 ms), and a short row
// (a prefill's early ones) still stops within 3 chunks of its end.
vec2 merge_softmax_chunks(sampler2D stats, vec4 geo, vec2 inv, float row, float chunks) {
    float m = -BIG, sum = 0.0, last = chunks - 1.0;
    for (int j = 0; j < CHUNKS; j += 4) {
        float c = float(j);
        if (c > last) break;
        vec4 s0 = load4(stats, geo, inv, row, c), s1 = load4(stats, geo, inv, row, min(c + 1.0, last));
        vec4 s2 = load4(stats, geo, inv, row, min(c + 2.0, last)), s3 = load4(stats, geo, inv, row, min(c + 3.0, last));
        m = max(m, max(max(s0.x, s1.x), max(s2.x, s3.x)));
    }
    for (int j = 0; j < CHUNKS; j += 4) {
        float c = float(j);
        if (c > last) break;
        vec4 s0 = load4(stats, geo, inv, row, c), s1 = load4(stats, geo, inv, row, min(c + 1.0, last));
        vec4 s2 = load4(stats, geo, inv, row, min(c + 2.0, last)), s3 = load4(stats, geo, inv, row, min(c + 3.0, last));
        vec4 keep = vec4(lessThanEqual(c + vec4(0.0, 1.0, 2.0, 3.0), vec4(last)));
        sum += dot(keep, vec4(s0.y, s1.y, s2.y, s3.y) * exp(vec4(s0.x, s1.x, s2.x, s3.x) - m));
    }
    return vec2(m, sum);
}
#endif

// [SECTION] causal attention rows
// The last key that scores/probs row r = h*R + q0 + t sees: pos0 + t. rows = (R, q0).
float last_key(float row, vec2 rows, float pos0) {
    float h = idiv(row, rows.x);
    return pos0 + row - h * rows.x - rows.y;
}

// The max of texel i's visible lanes (lane x, key 4i <= last, always is).
// Masked lanes take lane x's value: a select, no arithmetic. Blending a sentinel in arithmetically fails on real
// GPUs: mix() may be x + a (y - x) (SwiftShader), and v * keep + (keep - 1) * 3e38 may be reassociated to
// keep * (v + 3e38) - 3e38, which is 0 (NVIDIA).
float visible_max(vec4 v, float i, float last) {
    vec4 keep = below(i, last + 1.0);
    return max(max(v.x, keep.y > 0.5 ? v.y : v.x), max(keep.z > 0.5 ? v.z : v.x, keep.w > 0.5 ? v.w : v.x));
}
