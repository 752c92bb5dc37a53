// tests/ops_test.cpp — every pass against the CPU reference (model/reference.h) on every storage tier, at GPT-2
// shapes and awkward ones (cols % 4 != 0, head size % 4 != 0, a forced 256 texture limit that folds, segments and
// splits tensors). Each test also checks that no texel outside the output region was written and that nothing is
// NaN or Inf.
//
// Tolerances. The reference runs in double on exactly the values the tier stores (fp16 inputs rounded to half
// first), so what is measured is the pass's own error:
//   fp32, rgba8: fp32 arithmetic in the shader (rgba8 stores fp32 bit-exactly). The error of a K-term fp32 dot
//     product grows like sqrt(K) * 2^-24 relative to the terms; exp, sqrt and division on GPUs are a few ulp.
//     kTol32 = 2e-5 of the output's RMS bounds all of these with room (K <= 3072), measured ~1e-6 on llvmpipe.
//   fp16: the same plus the conversion of the output to half, which GL lets a driver round or truncate (llvmpipe
//     truncates): up to one half ulp, 2^-10 relative.
//   half: FP16 arithmetic where the shader computes in FP16 (llvmpipe lowers much of mediump to FP16, not all: see
//     docs/correctness.md). Each input read rounds to a half (2^-11 relative), each product and each step of a
//     compensated sum rounds once more, and the output is stored as a half (round to nearest, 2^-11, or up to 2^-10
//     where the shader's log2 is a little off): kHalfTol = 4e-3 of the output's RMS (8 x 2^-11: inputs, products,
//     sums and the scalings of layer norm and softmax, each up to 2^-11 of the terms' scale) plus 2^-10 relative.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>

#include "model/reference.h"
#include "model/sampler.h"
#include "passes/ops.h"
#include "tests/gl_env.h"

using namespace gpt2gl;

namespace {

constexpr float kSentinel = -777.0f;  // exactly representable in every tier
constexpr double kTol32 = 2e-5;
constexpr double kHalfRounding = 9.8e-4;  // 2^-10: see above
constexpr double kHalfTol = 4e-3;         // see above

struct MatmulCase {
    int T, K, N;
    bool bias, gelu, residual;
    int x_row0, y_row0;
};

// Both layouts of the int8 weights: 4 to an RGBA8 texel, and packed 12 to an RGBA32F texel; packed weights (q8 and
// q4) only where float textures sample exactly: not on a true ES 2.0 context here, where the ctest es2_context runs
// these.
const char* const kQ8Layouts[] = {"q8-rgba8", "q8-packed"};
bool weights_available(const std::string& layout) {
    return (layout != "q8-packed" && layout != "q4-packed") || test_caps().fp32.ok;
}
bool packed_weights(const std::string& weights) { return weights == "q8-packed" || weights == "q4-packed"; }

class Ops : public TierTest {
protected:
    std::vector<float> in(size_t n, unsigned seed, float scale = 1.0f) { return stored(tier(), randn(n, seed, scale)); }
    Tensor upload(const std::string& name, int rows, int cols, const std::vector<float>& v) {
        Tensor t = e->tensor(name, rows, cols);
        t.upload(v.data());
        return t;
    }
    Tensor target(const std::string& name, int rows, int cols) {
        Tensor t = e->tensor(name, rows, cols);
        fill(t, kSentinel);
        return t;
    }
    // The first `rows` rows and `cols` cols of a tensor.
    static std::vector<float> crop(const std::vector<float>& v, int ncols, int rows, int cols, int row0 = 0) {
        std::vector<float> out;
        for (int r = row0; r < row0 + rows; ++r)
            out.insert(out.end(), v.begin() + size_t(r) * ncols, v.begin() + size_t(r) * ncols + cols);
        return out;
    }
    ::testing::AssertionResult matches(const std::vector<float>& got, const std::vector<float>& want,
                                       double tol32 = kTol32) {
        if (tier() == Tier::half) return close(got, want, kHalfRounding, kHalfTol * rms(want) + 1e-30);
        double rtol = tol32 + (tier() == Tier::fp16 ? kHalfRounding : 0.0);
        return close(got, want, rtol, tol32 * rms(want) + 1e-30);
    }
    // One matmul on `eng` with weights w (N, K), against the reference on `held`: w as `eng` holds it.
    void check_matmul(Engine& eng, const MatmulCase& m, const std::vector<float>& w,
                      const std::vector<float>& held, unsigned seed);
    void check_partials(const Engine& like);
};

// [SECTION] embed

TEST_P(Ops, Embed) {
    int V = 5000, C = 130, n_pos = 20, T = 6, pos0 = 3;  // C % 4 != 0; under 256 wte splits into parts
    auto wte = in(size_t(V) * C, 1), wpe = in(size_t(n_pos) * C, 2);
    std::vector<int> ids = {0, 4999, 17, 2500, 1791, 1792};
    SplitTensor wte_t = e->split("wte", V, C, wte.data());
    Tensor wpe_t = upload("wpe", n_pos, C, wpe);
    TokenIds ids_t(e->storage(), 8);
    ids_t.upload(ids.data(), T);
    Tensor x = target("x", 8, C);
    embed(*e, wte_t, wpe_t, ids_t, T, pos0, x);
    std::vector<float> want(size_t(T) * C);
    ref::embed(ids.data(), T, pos0, wte.data(), wpe.data(), C, want.data());
    EXPECT_TRUE(matches(crop(x.download(), C, T, C), want, 1e-7));  // one fp32 add: exact up to rounding (half: FP16)
    EXPECT_TRUE(untouched_outside(x, 0, T, 0, C, kSentinel));
}

// [SECTION] layernorm

// Both ways of getting a row's moments: each output texel walking its row, and (where the engine keeps row
// statistics) chunk moments from glsl/ln_stats.frag merged.
TEST_P(Ops, LayerNorm) {
    for (auto shape : {std::pair<int, int>{7, 768}, {1, 768}, {5, 50}, {3, 1600}})
        for (bool with_stats : {false, true}) {
            int T = shape.first, C = shape.second;
            SCOPED_TRACE("T=" + std::to_string(T) + " C=" + std::to_string(C) + (with_stats ? " row stats" : ""));
            Tensor stats = with_stats ? layernorm_stats(*e, T + 2, C) : Tensor();
            if (with_stats && !stats) continue;  // this tier keeps none (fp16)
            auto x = randn(size_t(T) * C, 3, 2.0f);
            for (int i = 0; i < T * C; i += 7) x[i] += 1.5f;  // a nonzero mean
            x[0] = 3000.0f;  // GPT-2's residual stream has a few huge channels: row 0 starts with one
            x = stored(tier(), x);
            auto g = in(C, 4), b = in(C, 5, 0.1f);
            Tensor xt = upload("x", T + 2, C, [&] { auto p = x; p.resize(size_t(T + 2) * C, 9.0f); return p; }());
            Tensor gt = upload("g", 1, C, g), bt = upload("b", 1, C, b), y = target("y", T + 2, C);
            layernorm(*e, xt, gt, bt, 1e-5f, T, y, &stats);
            std::vector<float> want(size_t(T) * C);
            ref::layernorm(x.data(), T, C, g.data(), b.data(), 1e-5f, want.data());
            EXPECT_TRUE(matches(crop(y.download(), C, T, C), want));
            EXPECT_TRUE(untouched_outside(y, 0, T, 0, C, kSentinel));
        }
}

// [SECTION] matmul

void Ops::check_matmul(Engine& eng, const MatmulCase& m, const std::vector<float>& w, const std::vector<float>& held,
                       unsigned seed) {
    SCOPED_TRACE("T=" + std::to_string(m.T) + " K=" + std::to_string(m.K) + " N=" + std::to_string(m.N));
    int xrows = m.x_row0 + m.T, yrows = m.y_row0 + m.T + 1;
    auto x = in(size_t(xrows) * m.K, seed), bias = in(m.N, seed + 1), res = in(size_t(yrows) * m.N, seed + 2);
    Tensor xt = eng.tensor("x", xrows, m.K), bt = eng.tensor("bias", 1, m.N), rt = eng.tensor("res", yrows, m.N);
    xt.upload(x.data());
    bt.upload(bias.data());
    rt.upload(res.data());
    SplitTensor wt = eng.split("w", m.N, m.K, w.data());
    EXPECT_EQ(wt.quantized(), eng.quantized_weights());
    EXPECT_TRUE(close(wt.download(), held, 0, 0)) << "the weights read back";
    Tensor y = eng.tensor("y", yrows, m.N);
    fill(y, kSentinel);
    MatmulArgs a;
    a.rows = m.T;
    a.x_row0 = m.x_row0;
    a.y_row0 = m.y_row0;
    a.bias = m.bias ? &bt : nullptr;
    a.gelu = m.gelu;
    a.residual = m.residual ? &rt : nullptr;
    matmul(eng, xt, wt, y, a);
    std::vector<float> want(size_t(m.T) * m.N);
    ref::matmul(x.data() + size_t(m.x_row0) * m.K, m.T, m.K, held.data(), m.N, m.bias ? bias.data() : nullptr,
                m.gelu, m.residual ? res.data() + size_t(m.y_row0) * m.N : nullptr, want.data());
    EXPECT_TRUE(matches(crop(y.download(), m.N, m.T, m.N, m.y_row0), want));
    EXPECT_TRUE(untouched_outside(y, m.y_row0, m.y_row0 + m.T, 0, m.N, kSentinel));
}

// K slices summed by a ksum pass (Engine::k_partials), on engines like `like` with 1 (none), 2, 5 and 64 slices:
// decode c_fc + GELU, decode mlp c_proj + residual, odd shapes with row offsets, w in parts under 256.
void Ops::check_partials(const Engine& like) {
    const MatmulCase cases[] = {
        {1, 768, 3072, true, true, false, 0, 0},
        {1, 3072, 768, true, false, true, 0, 0},
        {3, 50, 37, true, true, true, 2, 5},
        {2, 1030, 300, false, false, false, 1, 0},
    };
    for (int slices : {1, 2, 5, 64}) {
        SCOPED_TRACE("slices=" + std::to_string(slices));
        EngineOptions o;
        o.tune = false;  // the ways the rule picks (the counts below are the rule's)
        o.precision = tier_name(like.tier());
        o.max_texture_size = GetParam().max_size;
        o.split_k = slices;
        Engine eng(like.caps(), o);
        int ksums = 0, parts = 0;
        eng.observe([&](const Pass& p) { ksums += p.op == "ksum"; });
        for (const MatmulCase& m : cases) {
            auto w = in(size_t(m.N) * m.K, 24, 1.0f / std::sqrt(float(m.K)));
            check_matmul(eng, m, w, w, 25);
            parts += int(eng.split("w", m.N, m.K, w.data()).parts.size());
        }
        EXPECT_EQ(ksums, slices > 1 ? parts : 0) << "a ksum pass after each part's matmul";
    }
}

TEST_P(Ops, Matmul) {
    const MatmulCase cases[] = {
        {5, 768, 2304, true, false, false, 0, 0},   // c_attn
        {3, 768, 3072, true, true, false, 0, 0},    // c_fc + GELU
        {4, 3072, 768, true, false, true, 0, 0},    // mlp c_proj + residual
        {3, 50, 37, true, true, true, 2, 5},        // odd shapes, row offsets (a K/V cache append)
        {2, 1030, 300, false, false, false, 1, 0},  // under 256: segmented rows, w split into parts (LM head-like)
    };
    for (const MatmulCase& m : cases) {
        auto w = in(size_t(m.N) * m.K, 11, 1.0f / std::sqrt(float(m.K)));  // as stored: held as it is
        if (tier() == Tier::half && std::max(m.K, m.N) > 2048) {  // rows of more texels than FP16 indices reach
            try {
                check_matmul(*e, m, w, w, 10);
                ADD_FAILURE() << "K = " << m.K << " ran on the half tier";
            } catch (const gl::Error& err) {
                EXPECT_NE(std::string(err.what()).find("beyond the half tier's FP16 indices"), std::string::npos)
                    << err.what();
            }
            continue;
        }
        check_matmul(*e, m, w, w, 10);
    }
}

// Split-K: K cut into slices summed by additive blending in one draw, and accumulation in place (y += x.w^T + b,
// the residual stream without ping-pong), on the fp32 tier (Engine::can_accumulate says why); where the tier cannot
// blend but stores fp32 exactly (rgba8, and fp32 whose targets do not blend: its caps made so here), the slices go
// into a scratch tensor and a ksum pass adds them up, with GELU and the residual. fp16 and half never split.
TEST_P(Ops, MatmulSplitK) {
    if (!e->can_accumulate()) {
        Tensor x = e->tensor("x", 1, 8), y = e->tensor("y", 1, 8);
        std::vector<float> w(64, 0.5f);
        SplitTensor wt = e->split("w", 8, 8, w.data());
        MatmulArgs a;
        a.rows = 1;
        a.accumulate = true;
        try {
            matmul(*e, x, wt, y, a);
            ADD_FAILURE() << "accumulating on a tier that cannot blend did not throw";
        } catch (const gl::Error& err) {
            EXPECT_NE(std::string(err.what()).find("blending"), std::string::npos) << err.what();
        }
    }
    if (tier() == Tier::fp32 && e->can_accumulate()) {
        gl::Caps no_blend = test_caps();
        no_blend.fp32.blend = false;
        EngineOptions o;
        o.tune = false;  // the ways the rule picks (the counts below are the rule's)
        o.max_texture_size = GetParam().max_size;
        Engine eng(no_blend, o);
        ASSERT_TRUE(eng.k_partials()) << "fp32 without float blending sums K slices in a pass";
        check_partials(eng);
    }
    if (e->k_partials()) {
        check_partials(*e);
        return;
    }
    if (!e->can_accumulate()) {
        EXPECT_EQ(e->split_k(1, 768, 768), 1);
        GTEST_SKIP() << tier_name(tier()) << " cannot sum K slices: no split-K (checked that asking is an error)";
    }
    struct Case {
        int T, K, N;
        bool accumulate, gelu_x;
    };
    const Case cases[] = {
        {1, 768, 2304, false, false},  // decode c_attn
        {1, 3072, 768, true, true},    // decode mlp c_proj onto the residual, applying the split c_fc's GELU
        {3, 50, 37, true, false},      // odd shapes
        {2, 1030, 300, false, false},  // under 256: segmented rows, w in parts
    };
    // packed q8 and q4 weights sum their slices by ksum passes here too (faster than blending them;
    // passes/matmul.cpp), then blend the sum onto y where accumulating; K = 50 is no whole number of their groups
    for (const char* weights : {"tier", "q8-packed", "q4-packed"}) {
        for (int slices : {1, 2, 5, 64}) {
            const bool packed = packed_weights(weights);
            if (packed && (tier() != Tier::fp32 || !weights_available(weights))) continue;
            EngineOptions o;
            o.tune = false;  // the ways the rule picks (the counts below are the rule's)
            o.precision = tier_name(tier());
            o.max_texture_size = GetParam().max_size;
            o.split_k = slices;
            o.weights = weights;
            Engine split(test_caps(), o);
            int ksums = 0;
            split.observe([&](const Pass& p) { ksums += p.op == "ksum"; });
            for (const Case& m : cases) {
                SCOPED_TRACE(std::string(weights) + " slices=" + std::to_string(slices) + " T=" + std::to_string(m.T) +
                             " K=" + std::to_string(m.K) + " N=" + std::to_string(m.N));
                auto x = in(size_t(m.T) * m.K, 20), w = in(size_t(m.N) * m.K, 21, 1.0f / std::sqrt(float(m.K)));
                auto bias = in(m.N, 22), res = in(size_t(m.T + 1) * m.N, 23);
                Tensor xt = split.tensor("x", m.T, m.K), bt = split.tensor("bias", 1, m.N);
                Tensor y = split.tensor("y", m.T + 1, m.N);
                xt.upload(x.data());
                bt.upload(bias.data());
                fill(y, kSentinel);
                if (m.accumulate) {
                    y.upload(res.data());  // padding texels stay at 0, not the sentinel
                }
                SplitTensor wt = split.split("w", m.N, m.K, w.data());
                MatmulArgs a;
                a.rows = m.T;
                a.bias = &bt;
                a.accumulate = m.accumulate;
                a.gelu_x = m.gelu_x;
                ksums = 0;
                matmul(split, xt, wt, y, a);
                EXPECT_EQ(ksums > 0, packed && slices > 1) << "slices summed by a ksum pass";
                std::vector<float> xf = x;
                if (m.gelu_x)
                    for (float& v : xf) v = ref::gelu(v);
                std::vector<float> want(size_t(m.T) * m.N);
                const std::vector<float> held = wt.download();  // w itself, or its q8 / q4 values times their scales
                if (!packed) {
                    EXPECT_EQ(held, w);
                }
                ref::matmul(xf.data(), m.T, m.K, held.data(), m.N, bias.data(), false,
                            m.accumulate ? res.data() : nullptr, want.data());
                auto got = y.download();
                EXPECT_TRUE(matches(crop(got, m.N, m.T, m.N), want));
                // the row after the output: untouched (the residual's own values, or the sentinel)
                std::vector<float> last(got.begin() + size_t(m.T) * m.N, got.end());
                std::vector<float> want_last = m.accumulate
                                                   ? std::vector<float>(res.begin() + size_t(m.T) * m.N, res.end())
                                                   : std::vector<float>(size_t(m.N), kSentinel);
                EXPECT_EQ(last, want_last);
            }
        }
    }
}

// Tuning (EngineOptions::tune, on in the front ends): the first one-row product of a shape times its ways (K split
// or whole; also one-row tiles of 1 x 2 and 1 x 4 with that many draw buffers, for packed q8 on fp32 and on rgba8,
// which tries 1 x 8 too) and draws the fastest; the next of that shape draws the same way, timing nothing. Whichever
// way wins, the product is the reference's; the trial draws are neither observed nor counted, and leave no texture or
// framebuffer behind. fp16 and half never split: one way, nothing to time.
TEST_P(Ops, MatmulTuned) {
    const MatmulCase m = {1, 1536, 768, true, false, false, 0, 2};  // decode, one row (no residual: may blend)
    auto w = randn(size_t(m.N) * m.K, 71, 1.0f / std::sqrt(float(m.K)));
    for (const std::string weights : {"tier", "q8-packed", "q4-packed"}) {
        if (packed_weights(weights) && (tier() != Tier::fp32 || !weights_available(weights))) continue;
        SCOPED_TRACE("weights " + weights);
        EngineOptions o;
        o.precision = tier_name(tier());
        o.max_texture_size = GetParam().max_size;
        o.weights = weights;
        Engine eng(test_caps(), o);
        std::vector<float> held = stored(tier(), w);
        if (weights == "q8-packed") {
            std::vector<float> q, sc;
            quantize_q8(w.data(), m.N, m.K, &q, &sc);
            held = dequantize_q8(q, sc, m.K);
        } else if (weights == "q4-packed") {
            std::vector<float> q, sc;
            quantize_q4(w.data(), m.N, m.K, &q, &sc);
            held = dequantize_q4(q, sc, m.K);
        }
        int observed = 0;
        eng.observe([&](const Pass&) { ++observed; });
        long draws0 = eng.draw_calls();
        check_matmul(eng, m, w, held, 72);  // tunes
        const long draws = eng.draw_calls() - draws0;
        const int seen = observed;
        const gl::Counts after_first = gl::live_counts();
        const bool tile = packed_weights(weights) || tier() == Tier::rgba8;
        int tilings = 1;  // none, 1 x 2, 1 x 4 (and on rgba8 1 x 8) where there are as many draw buffers
        for (int cols : {2, 4, 8})
            tilings += tile && test_caps().draw_buffers >= cols && (cols < 8 || tier() == Tier::rgba8);
        const size_t expect_ways = tier() == Tier::fp16 || tier() == Tier::half ? 1 : 2 * tilings;
        ASSERT_EQ(eng.tunings().size(), expect_ways > 1 ? 1u : 0u);
        if (expect_ways > 1) {
            const Engine::Tuning& t = eng.tunings()[0];
            EXPECT_EQ(t.ways.size(), expect_ways) << t.key;
            ASSERT_EQ(t.ms.size(), t.ways.size());
            for (double ms : t.ms) EXPECT_GT(ms, 0.0) << t.key;
            EXPECT_FALSE(t.gpu_timed && !test_caps().timer_query) << "GPU timer queries only where the driver has them";
            const double fastest = *std::min_element(t.ms.begin(), t.ms.end());
            if (t.chosen == 0) EXPECT_GE(fastest, 0.95 * t.ms[0]) << "the rule's way, unless another is 5% faster";
            else EXPECT_EQ(t.ms[size_t(t.chosen)], fastest) << "the fastest way";
        }
        observed = 0;
        draws0 = eng.draw_calls();
        check_matmul(eng, m, w, held, 73);  // the way kept
        EXPECT_EQ(eng.tunings().size(), expect_ways > 1 ? 1u : 0u) << "timed once per shape";
        EXPECT_EQ(eng.draw_calls() - draws0, draws) << "the trial draws were counted";
        EXPECT_EQ(observed, seen) << "the trial draws were observed";
        const gl::Counts after_second = gl::live_counts();
        EXPECT_EQ(after_second.textures, after_first.textures) << "the trials' output stayed";
        EXPECT_EQ(after_second.framebuffers, after_first.framebuffers);
    }
}

// Packed weights' prefill tiles, timed at a shape's first prefill of 16 rows or more: 8 x 1 against 4 x 2
// (prefill_tiles_timed), on x's and the residual's first rows; the product right either way, timed once.
TEST_P(Ops, MatmulPrefillTilesTuned) {
    if (tier() != Tier::fp32 || test_caps().draw_buffers < 8) GTEST_SKIP() << "packed weights' tiles: fp32, 8 buffers";
    const MatmulCase m = {40, 768, 1536, true, false, true, 3, 2};  // x 43 rows, the residual 43: trials of 43 rows
    auto w = randn(size_t(m.N) * m.K, 74, 1.0f / std::sqrt(float(m.K)));
    for (const std::string weights : {"q8-packed", "q4-packed"}) {
        if (!weights_available(weights)) continue;
        SCOPED_TRACE("weights " + weights);
        EngineOptions o;
        o.precision = "fp32";
        o.max_texture_size = GetParam().max_size;
        o.weights = weights;
        Engine eng(test_caps(), o);
        ASSERT_EQ(prefill_tiles_timed(eng).count(), 8);
        std::vector<float> q, sc;
        if (weights == "q8-packed") quantize_q8(w.data(), m.N, m.K, &q, &sc);
        else quantize_q4(w.data(), m.N, m.K, &q, &sc);
        const std::vector<float> held = weights == "q8-packed" ? dequantize_q8(q, sc, m.K) : dequantize_q4(q, sc, m.K);
        check_matmul(eng, m, w, held, 75);  // tunes decode's ways, then the prefill's tiles
        ASSERT_EQ(eng.tunings().size(), 2u);
        const Engine::Tuning& t = eng.tunings()[1];
        const SplitTensor held_w = eng.split("w", m.N, m.K, w.data());  // in parts under a 256 limit
        const std::string shape = "[" + std::to_string(held_w.part_rows(0)) + ", 768]^T ";
        EXPECT_EQ(t.key.rfind("matmul [43, 768] x " + shape, 0), 0u) << t.key;
        EXPECT_EQ(t.key.substr(t.key.size() - 9), ", prefill") << t.key;
        EXPECT_EQ(t.ways, (std::vector<std::string>{"8 x 1 tiles", "4 x 2 tiles"}));
        for (double ms : t.ms) EXPECT_GT(ms, 0.0);
        std::vector<std::string> passes;
        eng.observe([&](const Pass& p) { passes.push_back(p.op); });
        check_matmul(eng, m, w, held, 76);  // the tiles kept
        EXPECT_EQ(eng.tunings().size(), 2u) << "timed once per shape";
        std::vector<std::string> each_part;  // a matmul and its untile, no trials
        for (size_t i = 0; i < held_w.parts.size(); ++i) each_part.insert(each_part.end(), {"matmul", "untile"});
        EXPECT_EQ(passes, each_part);
    }
    EngineOptions o;  // untuned: the rule's tiles, no trials
    o.precision = "fp32";
    o.weights = "q8-packed";
    o.tune = false;
    Engine eng(test_caps(), o);
    EXPECT_EQ(prefill_tiles_timed(eng).count(), 1);
}

// The tuner's trials read their weights from memory, as a forward does, where the model's weights are more than a
// GPU's cache holds (64 MB, as Engine::fit_weights notes them): before each timed draw it streams 64 MB of ones
// (Engine::flush_caches, whose every sum is 64 here), timed once, and lets the flush's tensors go after; not where a
// flush takes over 5 ms (a CPU rasterizer: llvmpipe here, whose big-model trials are thus unflushed). A small model's
// weights are left in the cache, as its forward finds them, and no flush is timed. The half tier tunes nothing.
TEST_P(Ops, TunerFlushesCachesForBigModels) {
    if (tier() == Tier::half) GTEST_SKIP() << "the half tier's passes never split: nothing to tune";
    for (double values : {1e6, 40e6}) {  // 4 / 160 MB as the tier stores them (fp16: 2 / 80)
        SCOPED_TRACE(values);
        EngineOptions o;
        o.precision = tier_name(tier());
        o.max_texture_size = GetParam().max_size;
        Engine eng(test_caps(), o);
        eng.fit_weights(values);
        Tensor x = eng.tensor("x", 1, 64), y = eng.tensor("y", 1, 64);
        x.upload(randn(64, 81, 1.0f).data());
        const gl::Counts before = gl::live_counts();
        auto copy = [&](int) { eng.run(Pass("copy").in("X", x).set("u_xrow", 0.0f).out(y, 0, 1, 0, 64)); };
        eng.tuned("copy [1, 64]", 2, [](int i) { return std::to_string(i); }, copy, [&] { y.read(0, 0); });
        ASSERT_EQ(eng.tunings().size(), 1u);
        EXPECT_EQ(eng.flush_ms() >= 0, values > 20e6) << "timed where the weights are over 64 MB";
        EXPECT_EQ(eng.tunings()[0].flushed, values > 20e6 && eng.flush_ms() <= 5.0) << eng.flush_ms() << " ms a flush";
        const gl::Counts after = gl::live_counts();
        EXPECT_EQ(after.textures, before.textures) << "the flush's tensors stayed";
        if (values < 20e6) continue;
        const Tensor& sums = eng.flush_caches();
        std::vector<float> got = sums.download();
        EXPECT_EQ(*std::min_element(got.begin(), got.end()), 64.0f);
        EXPECT_EQ(*std::max_element(got.begin(), got.end()), 64.0f);
    }
}

// Prefill tiles (Engine::tiles): each fragment makes a tile of R rows x C output texels, one per draw buffer, and an
// untile pass gathers them into y. Row and col counts that are not multiples of the tile (the last blocks run past
// the output), row offsets, GELU, the residual, every weight format, weights in parts, K split by blending where the
// tier can, and accumulation in place. The rgba8 tier, which writes one value a texel, one-row tiles only (its own
// and q8 weights, by rows; K slices gathered by a ksum pass): prefill 1 x all draw buffers unless asked otherwise,
// decode none unless asked or tuned; the half tier none.
TEST_P(Ops, MatmulTiles) {
    if (tier() == Tier::half) {
        EXPECT_EQ(e->tiles(1024).count(), 1);
        GTEST_SKIP() << tier_name(tier()) << " never tiles (checked)";
    }
    if (test_caps().draw_buffers < 2) GTEST_SKIP() << "no draw buffers here: " << test_caps().draw_buffers_why;
    if (tier() == Tier::rgba8) {
        EXPECT_EQ(e->tiles(1024).rows, 1) << "rgba8: one-row tiles";
        EXPECT_EQ(e->tiles(1024).cols, std::min(8, test_caps().draw_buffers)) << "of every draw buffer";
    }
    EXPECT_EQ(e->tiles(1).count(), 1) << "decode keeps one output texel a fragment, unless tuned or asked otherwise";
    const MatmulCase cases[] = {
        {17, 3072, 768, true, false, true, 0, 0},   // mlp c_proj + residual (17 rows: the last row block runs past)
        {19, 50, 37, true, true, true, 2, 5},       // odd shapes, row offsets
        {16, 1030, 300, false, false, false, 1, 0}, // under 256: segmented rows, w in parts
        {37, 768, 2304, true, false, false, 0, 0},  // c_attn (the first variant only, as the next: time)
        {20, 768, 3072, true, true, false, 0, 0},   // c_fc + GELU
        {1, 1030, 300, true, true, false, 0, 3},    // decode (one-row tiles): w in parts under 256
    };
    struct Variant {
        int rows, cols;  // the tile
        const char* weights;
    };
    const Variant variants[] = {{3, 1, "tier"},      {2, 3, "tier"},      {4, 2, "fp16"},      {2, 4, "q8-rgba8"},
                                {8, 1, "q8-packed"}, {4, 2, "q8-packed"}, {1, 4, "q8-packed"}, {1, 2, "fp16"},
                                {1, 3, "tier"},      {1, 4, "q8"},        {8, 1, "q4-packed"}, {2, 2, "q4-packed"},
                                {4, 2, "q4-packed"}, {1, 4, "q4-packed"}};
    for (const Variant& v : variants) {
        const std::string weights = v.weights;
        if (tier() == Tier::rgba8 && v.rows > 1) continue;
        if (weights == "q8" ? tier() != Tier::rgba8 : weights != "tier" && tier() != Tier::fp32)
            continue;  // fp16 and packed weights sit beside the fp32 tier; q8 by rows on rgba8
        if (!weights_available(weights)) continue;
        if (v.rows * v.cols > test_caps().draw_buffers) continue;
        SCOPED_TRACE(std::to_string(v.rows) + " x " + std::to_string(v.cols) + " tiles, weights " + weights);
        EngineOptions o;
        o.tune = false;  // the ways the rule picks (the counts below are the rule's)
        o.precision = tier_name(tier());
        o.max_texture_size = GetParam().max_size;
        o.weights = weights;
        o.draw_buffers = v.rows * v.cols;
        o.tile_cols = v.cols;
        Engine eng(test_caps(), o);
        ASSERT_EQ(eng.tiles(2 * v.rows).rows, v.rows);
        ASSERT_EQ(eng.tiles(2 * v.rows).cols, v.cols);
        ASSERT_EQ(eng.tiles(2 * v.rows - 1).count(), v.rows == 1 ? v.cols : 1) << "one-row tiles serve decode too";
        // per part of w an untile pass, or where one-row tiles of packed q8 or q4 split K a ksum pass gathering them
        int untiles = 0, gathers = 0, parts = 0;
        eng.observe([&](const Pass& p) {
            untiles += p.op == "untile";
            gathers += p.op == "ksum" && p.defines.find("TILES") != std::string::npos;
        });
        for (const MatmulCase& m : cases) {
            if (&m - cases > 2 && &v != variants && m.T > 1) continue;
            auto w = randn(size_t(m.N) * m.K, 61, 1.0f / std::sqrt(float(m.K)));
            std::vector<float> held = weights == "fp16" ? round_to_half(w) : stored(tier(), w);
            if (weights == "q8-rgba8" || weights == "q8-packed" || weights == "q8") {
                std::vector<float> q, sc;
                quantize_q8(w.data(), m.N, m.K, &q, &sc);
                held = dequantize_q8(q, stored(tier(), sc), m.K);
            } else if (weights == "q4-packed") {
                std::vector<float> q, sc;
                quantize_q4(w.data(), m.N, m.K, &q, &sc);
                held = dequantize_q4(q, stored(tier(), sc), m.K);
            }
            check_matmul(eng, m, w, held, 60);
            if (eng.tiles(m.T).count() > 1) parts += int(eng.split("w", m.N, m.K, w.data()).parts.size());
        }
        EXPECT_EQ(untiles + gathers, parts);
        const bool gathered = tier() == Tier::rgba8 || (packed_weights(weights) && tier() == Tier::fp32);
        EXPECT_EQ(gathers > 0, v.rows == 1 && gathered)
            << "decode's one-row tiles of packed weights (on rgba8: any) sum their K slices by a gathering ksum pass";
        if (!eng.can_accumulate()) continue;
        // y += gelu(x) . w^T + b in place, K split: the untile pass adds the gathered rows onto y
        const int T = 21, K = 3072, N = 768;
        auto x = in(size_t(T) * K, 62), w = in(size_t(N) * K, 63, 1.0f / std::sqrt(float(K)));
        auto bias = in(N, 64), res = in(size_t(T + 1) * N, 65);
        Tensor xt = eng.tensor("x", T, K), bt = eng.tensor("bias", 1, N), y = eng.tensor("y", T + 1, N);
        xt.upload(x.data());
        bt.upload(bias.data());
        y.upload(res.data());
        SplitTensor wt = eng.split("w", N, K, w.data());
        MatmulArgs a;
        a.rows = T;
        a.bias = &bt;
        a.accumulate = true;
        a.gelu_x = true;
        if (packed_weights(weights) && v.rows == 1)  // its slices go to the tiles and a gathering ksum adds them
            EXPECT_EQ(matmul_slices(eng, wt, T, K / 4), 1) << "no blended slices";
        else
            EXPECT_GT(matmul_slices(eng, wt, T, K / 4), 1) << "K is split here";
        matmul(eng, xt, wt, y, a);
        std::vector<float> xg = x;
        for (float& xv : xg) xv = ref::gelu(xv);
        std::vector<float> want(size_t(T) * N);
        ref::matmul(xg.data(), T, K, wt.download().data(), N, bias.data(), false, res.data(), want.data());
        auto got = y.download();
        EXPECT_TRUE(matches(crop(got, N, T, N), want));
        EXPECT_EQ(std::vector<float>(got.begin() + size_t(T) * N, got.end()),
                  std::vector<float>(res.begin() + size_t(T) * N, res.end())) << "the row after the output";
    }
}

// [SECTION] q8 weights

// 8-bit weights (EngineOptions::weights = "q8") on every tier: the matmul and the embedding against the reference
// on exactly what the engine holds, q * scale (scales stored in the tier: rounded to half on fp16). The int8 values
// are exact in the texture, so the tolerances are the float tiers' own (see the top of this file).
class OpsQ8 : public Ops {
protected:
    // w as the engine holds it
    std::vector<float> held(const std::vector<float>& w, int rows, int cols) {
        std::vector<float> q, s;
        quantize_q8(w.data(), rows, cols, &q, &s);
        return dequantize_q8(q, stored(tier(), s), cols);
    }
};


const MatmulCase kQ8Cases[] = {
    {1, 768, 2304, true, false, false, 0, 0},   // decode c_attn (split-K where the tier blends)
    {5, 768, 3072, true, true, false, 0, 0},    // c_fc + GELU
    {4, 3072, 768, true, false, true, 0, 0},    // mlp c_proj + residual
    {3, 50, 37, true, true, true, 2, 5},        // odd shapes (K not a multiple of 12), row offsets
    {2, 1030, 300, false, false, false, 1, 0},  // under 256: segmented rows, w and its scales in parts
};

TEST_P(OpsQ8, Matmul) {
    for (const char* layout : kQ8Layouts) {
        SCOPED_TRACE(layout);
        if (!weights_available(layout)) continue;
        auto q8 = weights_engine(GetParam(), layout);
        EXPECT_EQ(q8->weights(), std::string(layout) == "q8-packed" ? Tier::q8p : Tier::q8);
        for (const MatmulCase& m : kQ8Cases) {
            auto w = randn(size_t(m.N) * m.K, 41, 1.0f / std::sqrt(float(m.K)));
            check_matmul(*q8, m, w, held(w, m.N, m.K), 40);
        }
    }
}

// 4-bit weights (weights "q4-packed", the layers' matrices) on the float tiers, against the reference on what the
// engine holds: q times the scale of the row's group of 24 (scales stored in the tier: half on fp16). The digits are
// exact in the texture and the shader's unpacking exact, so the tolerances are the tier's own. kQ8Cases' K = 50 and
// 1030 are no whole number of groups (the last group's x texels read again, times weights 0). The coded tiers refuse
// them, saying why.
TEST_P(OpsQ8, MatmulQ4) {
    if (!weights_available("q4-packed")) GTEST_SKIP() << "no exactly sampled float textures here (ES 2.0 context)";
    if (coded_tier(tier())) {
        EXPECT_THROW(weights_engine(GetParam(), "q4-packed"), gl::Error);
        return;
    }
    auto q4 = weights_engine(GetParam(), "q4-packed");
    ASSERT_EQ(q4->weights(), Tier::q4p);
    for (const MatmulCase& m : kQ8Cases) {
        auto w = randn(size_t(m.N) * m.K, 42, 1.0f / std::sqrt(float(m.K)));
        std::vector<float> q, sc;
        quantize_q4(w.data(), m.N, m.K, &q, &sc);
        check_matmul(*q4, m, w, dequantize_q4(q, stored(tier(), sc), m.K), 43);
    }
}

// Packed weights are unpacked by rounding with two adds (glsl/prelude.glsl rint4), where the engine's start-up check
// finds that exact, else by floor. With the adds broken on purpose (shaders read from a folder, GPT2GL_GLSL_DIR), the
// check must find it out and the products stay the reference's; as shipped, either way is right (the adds are taken
// on llvmpipe and the H200).
TEST_P(OpsQ8, UnpackingFallsBackToFloor) {
    if (!weights_available("q4-packed") || tier() != Tier::fp32 || GetParam().max_size)
        GTEST_SKIP() << "one float tier suffices";
    for (bool broken : {false, true}) {
        SCOPED_TRACE(broken ? "adds broken" : "as shipped");
        const std::string dir = temp_path("glsl");
        if (broken) {
            std::filesystem::create_directories(dir);
            for (const auto& f : std::filesystem::directory_iterator(std::string(GPT2GL_SOURCE_DIR) + "/glsl")) {
                std::ifstream in(f.path());
                std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
                const std::string adds = "return max(x + u_rint.x, u_rint.z) - u_rint.y;";
                if (f.path().filename() == "prelude.glsl") {
                    ASSERT_NE(text.find(adds), std::string::npos);
                    text.replace(text.find(adds), adds.size(), "return max(x + u_rint.x, u_rint.z) - u_rint.y + 0.25;");
                }
                std::ofstream(dir + "/" + f.path().filename().string()) << text;
            }
            setenv("GPT2GL_GLSL_DIR", dir.c_str(), 1);
        }
        for (const char* layout : {"q8-packed", "q4-packed"}) {
            auto eng = weights_engine(GetParam(), layout);
            const MatmulCase m = kQ8Cases[3];
            auto w = randn(size_t(m.N) * m.K, 44, 1.0f / std::sqrt(float(m.K)));
            std::vector<float> q, sc;
            if (std::string(layout) == "q8-packed") {
                quantize_q8(w.data(), m.N, m.K, &q, &sc);
                check_matmul(*eng, m, w, dequantize_q8(q, sc, m.K), 45);
            } else {
                quantize_q4(w.data(), m.N, m.K, &q, &sc);
                check_matmul(*eng, m, w, dequantize_q4(q, sc, m.K), 45);
            }
            if (broken) EXPECT_STREQ(eng->unpacking_way(), "floor") << layout;
            else EXPECT_STRNE(eng->unpacking_way(), "") << layout;
        }
        unsetenv("GPT2GL_GLSL_DIR");
    }
}

TEST_P(OpsQ8, Embed) {
    for (const char* layout : kQ8Layouts) {
        SCOPED_TRACE(layout);
        if (!weights_available(layout)) continue;
        auto q8 = weights_engine(GetParam(), layout);
        int V = 5000, C = 130, n_pos = 20, T = 6, pos0 = 3;  // under 256 wte and its scales split into parts
        auto wte = randn(size_t(V) * C, 44), wpe = in(size_t(n_pos) * C, 45);
        std::vector<int> ids = {0, 4999, 17, 2500, 1791, 1793};  // every id % 4: picks each scale of a texel
        SplitTensor wte_t = q8->split("wte", V, C, wte.data());
        Tensor wpe_t = q8->tensor("wpe", n_pos, C);
        wpe_t.upload(wpe.data());
        TokenIds ids_t(q8->storage(), 8);
        ids_t.upload(ids.data(), T);
        Tensor x = q8->tensor("x", 8, C);
        fill(x, kSentinel);
        embed(*q8, wte_t, wpe_t, ids_t, T, pos0, x);
        auto wq = held(wte, V, C);
        std::vector<float> want(size_t(T) * C);
        ref::embed(ids.data(), T, pos0, wq.data(), wpe.data(), C, want.data());
        EXPECT_TRUE(matches(crop(x.download(), C, T, C), want, 1e-6));  // q * scale + wpe: two fp32 roundings
        EXPECT_TRUE(untouched_outside(x, 0, T, 0, C, kSentinel));
    }
}

// fp16 weights beside the fp32 tier (EngineOptions::weights = "fp16"): half textures hold w rounded to half, the
// arithmetic stays fp32, so the reference on the rounded weights is met with the fp32 tolerances.
class OpsFp16Weights : public Ops {};

TEST_P(OpsFp16Weights, MatmulAndEmbed) {
    auto f16 = weights_engine(GetParam(), "fp16");
    ASSERT_EQ(f16->weights(), Tier::fp16);
    ASSERT_EQ(f16->weights_label(), "fp16 weights");
    const MatmulCase cases[] = {
        {1, 768, 2304, true, false, false, 0, 0},   // decode c_attn, split-K
        {4, 3072, 768, true, false, true, 0, 0},    // mlp c_proj + residual
        {2, 1030, 300, false, false, false, 1, 0},  // under 256: segmented rows, w in parts
    };
    for (const MatmulCase& m : cases) {
        auto w = randn(size_t(m.N) * m.K, 51, 1.0f / std::sqrt(float(m.K)));
        check_matmul(*f16, m, w, round_to_half(w), 50);
    }
    int V = 5000, C = 130, n_pos = 20, T = 6, pos0 = 3;
    auto wte = randn(size_t(V) * C, 54), wpe = in(size_t(n_pos) * C, 55);
    std::vector<int> ids = {0, 4999, 17, 2500, 1791, 1793};
    SplitTensor wte_t = f16->split("wte", V, C, wte.data());
    EXPECT_EQ(wte_t.parts[0].tier(), Tier::fp16);
    Tensor wpe_t = f16->tensor("wpe", n_pos, C);
    wpe_t.upload(wpe.data());
    TokenIds ids_t(f16->storage(), 8);
    ids_t.upload(ids.data(), T);
    Tensor x = f16->tensor("x", 8, C);
    embed(*f16, wte_t, wpe_t, ids_t, T, pos0, x);
    auto wh = round_to_half(wte);
    std::vector<float> want(size_t(T) * C);
    ref::embed(ids.data(), T, pos0, wh.data(), wpe.data(), C, want.data());
    EXPECT_TRUE(matches(crop(x.download(), C, T, C), want, 1e-6));  // half + wpe: one fp32 rounding
}

INSTANTIATE_TEST_SUITE_P(Tiers, OpsFp16Weights, ::testing::Values(TierCase{Tier::fp32, 0}, TierCase{Tier::fp32, 256}),
                         case_name);

INSTANTIATE_TEST_SUITE_P(Tiers, OpsQ8,
                         ::testing::Values(TierCase{Tier::fp32, 0}, TierCase{Tier::fp16, 0}, TierCase{Tier::rgba8, 0},
                                           TierCase{Tier::fp32, 256}, TierCase{Tier::rgba8, 256}),
                         case_name);

// [SECTION] attention

struct AttnCase {
    int H, C, T, pos0, n_ctx;
};

TEST_P(Ops, Attention) {
    const AttnCase cases[] = {
        {12, 768, 5, 0, 16},  // GPT-2 small heads, prefill
        {12, 768, 1, 9, 16},  // decode one token against a cache of 9
        {3, 18, 4, 3, 10},    // head size 6: heads start inside texels
        {4, 32, 6, 90, 100},  // a long context: under 256, scores rows fold into bands on every tier
        // Long contexts: softmax's row statistics in several chunks (the last one partly masked) and attn_values
        // in several slices of the context where the tier blends.
        {2, 64, 1, 120, 128},    // decode against a cache of 120
        {4, 32, 40, 61, 128},    // a prefill whose rows end in different chunks and slices
        {1, 64, 1, 300, 320},    // slices of 16 texels (8 of 8 would not hold 300 keys); not under a 256 limit
    };
    for (const AttnCase& c : cases)
        for (bool by_position : {false, true}) {
            if (GetParam().max_size && c.n_ctx > GetParam().max_size) continue;
            SCOPED_TRACE("H=" + std::to_string(c.H) + " C=" + std::to_string(c.C) + " T=" + std::to_string(c.T) +
                         " pos0=" + std::to_string(c.pos0) + (by_position ? " rows by position" : " compact rows"));
            int S = c.pos0 + c.T, HT = c.H * c.T;
            AttnRows rows;
            if (by_position) rows.R = c.n_ctx, rows.q0 = c.pos0;
            // row of (h, t) in scores and probs, and the row ranges a pass may write
            auto row_of = [&](int h, int t) { return by_position ? h * c.n_ctx + c.pos0 + t : h * c.T + t; };
            std::vector<std::pair<int, int>> written;
            for (int h = 0; h < c.H; ++h) written.push_back({row_of(h, 0), row_of(h, 0) + c.T});
            // the (H*T, S) compact view of a (H*n_ctx, n_ctx) tensor image, and back
            auto gather = [&](const std::vector<float>& full) {
                std::vector<float> out;
                for (int h = 0; h < c.H; ++h)
                    for (int t = 0; t < c.T; ++t)
                        out.insert(out.end(), full.begin() + size_t(row_of(h, t)) * c.n_ctx,
                                   full.begin() + size_t(row_of(h, t)) * c.n_ctx + S);
                return out;
            };
            // Cache rows past S hold junk that the causal mask must ignore.
            auto q = in(size_t(c.T) * c.C, 20), k = in(size_t(c.n_ctx) * c.C, 21), v = in(size_t(c.n_ctx) * c.C, 22);
            Tensor qt = upload("q", c.T, c.C, q), kt = upload("k", c.n_ctx, c.C, k), vt = upload("v", c.n_ctx, c.C, v);

            Tensor scores = target("scores", c.H * c.n_ctx, c.n_ctx);
            attn_scores(*e, qt, kt, c.H, c.T, c.pos0, scores, rows);
            std::vector<float> want_scores(size_t(HT) * S);
            ref::attn_scores(q.data(), k.data(), c.T, c.pos0, c.C, c.H, want_scores.data());
            EXPECT_TRUE(matches(gather(scores.download()), want_scores));
            EXPECT_TRUE(untouched_outside(scores, written, 0, S, kSentinel));

            // softmax on stored scores, with junk in the masked cells
            auto sc = in(size_t(c.H * c.n_ctx) * c.n_ctx, 23, 3.0f);
            Tensor sct = upload("scores in", c.H * c.n_ctx, c.n_ctx, sc);
            std::vector<float> want_probs(size_t(HT) * S);
            ref::softmax(gather(sc).data(), c.T, c.pos0, c.H, want_probs.data());
            for (bool with_stats : {false, true}) {  // walking each row, and merging chunk statistics
                Tensor stats = with_stats ? softmax_stats(*e, sct) : Tensor();
                if (with_stats && !stats) continue;  // this tier keeps none (fp16)
                Tensor probs = target("probs", c.H * c.n_ctx, c.n_ctx);
                softmax(*e, sct, c.H, c.T, c.pos0, probs, rows, &stats);
                if (tier() == Tier::half) {
                    // FP16 reads a score x to 2^-11 |x|, and exp(x - max) turns that absolute error into a relative
                    // one: up to 2^-11 (|x| + |max|) <= 2^-10 max |x|, beside the output's own rounding; and
                    // probabilities below 2^-14 (FP16's smallest normal) are stored as 0.
                    double most = 0;
                    for (float x : gather(sc)) most = std::max(most, std::fabs(double(x)));
                    EXPECT_TRUE(close(gather(probs.download()), want_probs, kHalfRounding * (1 + most), 6.11e-5));
                } else {
                    EXPECT_TRUE(matches(gather(probs.download()), want_probs)) << (with_stats ? "row stats" : "");
                }
                EXPECT_TRUE(untouched_outside(probs, written, 0, S, kSentinel));
                if (!with_stats) continue;
                // attn_values making each probability from the scores and these statistics as it reads them
                Tensor y = target("y from scores", c.T, c.C);
                attn_values(*e, sct, vt, c.H, c.T, c.pos0, y, rows, {}, &stats);
                std::vector<float> want_y(size_t(c.T) * c.C);
                ref::attn_values(want_probs.data(), v.data(), c.T, c.pos0, c.C, c.H, want_y.data());
                EXPECT_TRUE(matches(y.download(), want_y)) << "attn_values from scores";
            }

            // attn_values on stored probabilities (zeros where masked, as softmax writes them)
            auto p = stored(tier(), want_probs);
            std::vector<float> pfull(size_t(c.H * c.n_ctx) * c.n_ctx, 0.0f);
            for (int h = 0; h < c.H; ++h)
                for (int t = 0; t < c.T; ++t)
                    std::copy(p.begin() + size_t(h * c.T + t) * S, p.begin() + size_t(h * c.T + t + 1) * S,
                              pfull.begin() + size_t(row_of(h, t)) * c.n_ctx);
            Tensor pt = upload("probs in", c.H * c.n_ctx, c.n_ctx, pfull);
            Tensor y = target("y", c.T, c.C);
            attn_values(*e, pt, vt, c.H, c.T, c.pos0, y, rows);
            std::vector<float> want_y(size_t(c.T) * c.C);
            ref::attn_values(p.data(), v.data(), c.T, c.pos0, c.C, c.H, want_y.data());
            EXPECT_TRUE(matches(y.download(), want_y));
        }
}

// attn_values over a long context where the tier cannot blend but stores fp32 (rgba8; fp32 whose targets do not
// blend, its caps made so here): slices of the context into a scratch tensor, added up by a ksum pass; decode and
// prefill rows, heads that start inside texels, from probabilities and from scores with their statistics.
TEST_P(Ops, AttnValuesSlicesInAPass) {
    std::unique_ptr<Engine> own;
    Engine* eng = e;
    if (tier() == Tier::fp32 && e->can_accumulate()) {
        gl::Caps no_blend = test_caps();
        no_blend.fp32.blend = false;
        EngineOptions o;
        o.tune = false;  // the ways the rule picks (the counts below are the rule's)
        o.max_texture_size = GetParam().max_size;
        own = std::make_unique<Engine>(no_blend, o);
        eng = own.get();
    }
    if (!eng->k_partials()) GTEST_SKIP() << tier_name(tier()) << " sums no slices in a pass";
    const AttnCase cases[] = {{2, 64, 1, 150, 160}, {3, 18, 1, 99, 100}, {4, 32, 3, 70, 80}, {1, 16, 1, 300, 320}};
    for (const AttnCase& c : cases) {
        if (GetParam().max_size && c.n_ctx > GetParam().max_size) continue;
        SCOPED_TRACE("H=" + std::to_string(c.H) + " C=" + std::to_string(c.C) + " T=" + std::to_string(c.T) +
                     " pos0=" + std::to_string(c.pos0));
        int S = c.pos0 + c.T, HT = c.H * c.T, ksums = 0;
        eng->observe([&](const Pass& p) { ksums += p.op == "ksum"; });
        auto v = in(size_t(c.n_ctx) * c.C, 31), sc = in(size_t(HT) * c.n_ctx, 32, 3.0f);
        Tensor vt = eng->tensor("v", c.n_ctx, c.C), sct = eng->tensor("scores", HT, c.n_ctx);
        vt.upload(v.data());
        sct.upload(sc.data());
        std::vector<float> sc_s(size_t(HT) * S);  // the (H*T, S) view the reference takes
        for (int r = 0; r < HT; ++r) std::copy(sc.begin() + size_t(r) * c.n_ctx, sc.begin() + size_t(r) * c.n_ctx + S,
                                               sc_s.begin() + size_t(r) * S);
        std::vector<float> want_probs(size_t(HT) * S), want_y(size_t(c.T) * c.C);
        ref::softmax(sc_s.data(), c.T, c.pos0, c.H, want_probs.data());
        ref::attn_values(want_probs.data(), v.data(), c.T, c.pos0, c.C, c.H, want_y.data());
        Tensor probs = eng->tensor("probs", HT, c.n_ctx), stats = softmax_stats(*eng, sct);
        softmax(*eng, sct, c.H, c.T, c.pos0, probs, {}, &stats);
        Tensor y = eng->tensor("y", c.T, c.C);
        fill(y, kSentinel);
        attn_values(*eng, probs, vt, c.H, c.T, c.pos0, y);
        EXPECT_TRUE(matches(crop(y.download(), c.C, c.T, c.C), want_y)) << "from probabilities";
        fill(y, kSentinel);
        attn_values(*eng, sct, vt, c.H, c.T, c.pos0, y, {}, {}, &stats);
        EXPECT_TRUE(matches(crop(y.download(), c.C, c.T, c.C), want_y)) << "from scores";
        EXPECT_EQ(ksums, 2) << "a ksum pass after each attn_values";
        eng->observe(nullptr);
    }
}

INSTANTIATE_TEST_SUITE_P(Tiers, Ops,
                         ::testing::Values(TierCase{Tier::fp32, 0}, TierCase{Tier::fp16, 0}, TierCase{Tier::rgba8, 0},
                                           TierCase{Tier::half, 0}, TierCase{Tier::fp32, 256},
                                           TierCase{Tier::fp16, 256}, TierCase{Tier::rgba8, 256},
                                           TierCase{Tier::half, 256}),
                         case_name);

// [SECTION] argmax

// Greedy decoding's argmax on the GPU against argmax() on the CPU over the very values the tier stores: all values
// negative (a padding lane, 0, would win if it counted), cols not a multiple of 4 or of the chunk, the max in the
// first col, the last col, a tie between two chunks and within a texel (the lower col wins), the vocabulary's
// 50257 (three levels of 524, 22 and 1 chunks, folded under a 256 limit), a row offset. Exact: it compares and
// copies values.
TEST_P(Ops, Argmax) {
    Tensor out = target("out", 1, 4);
    if (!e->row_stats()) {
        Tensor x = e->tensor("x", 1, 8);
        EXPECT_THROW(argmax(*e, x, 0, out), gl::Error) << "no argmax on the GPU where a half holds its cols";
        GTEST_SKIP() << tier_name(tier()) << " stores no exact cols: greedy decoding reads the logits back (checked)";
    }
    for (int cols : {50257, 37, 1, 1030}) {
        const int rows = cols > 4096 ? 1 : 3, last = rows - 1;  // the vocabulary: one row (the logits' shape)
        auto v = in(size_t(rows) * cols, 90);
        for (float& x : v) x = -std::fabs(x) - 0.5f;
        auto check = [&](const char* what, int row) {
            SCOPED_TRACE(std::string(what) + ", cols " + std::to_string(cols) + ", row " + std::to_string(row));
            Tensor x = upload("x", rows, cols, v);
            argmax(*e, x, row, out);
            std::vector<float> r(v.begin() + long(row) * cols, v.begin() + long(row + 1) * cols);
            EXPECT_EQ(out.read(0, 1), float(argmax(r)));
            EXPECT_EQ(out.read(0, 0), *std::max_element(r.begin(), r.end()));
        };
        check("random", rows / 2);
        float* lr = v.data() + size_t(last) * cols;
        lr[cols - 1] = -0.01f;
        check("max in the last col", last);
        lr[0] = -0.001f;
        check("max in the first col", last);
        if (cols < 8) continue;
        lr[cols / 2] = lr[cols / 2 + 1] = 0.25f;  // a tie within a texel or across two
        lr[cols - 2] = 0.25f;
        check("ties", last);
    }
}

// [SECTION] the real embedding under 4096 and 2048 limits

class OpsEmbeddingGpt2 : public ::testing::TestWithParam<TierCase> {};

TEST_P(OpsEmbeddingGpt2, LookupAndLmHead) {
    std::string why;
    Engine* e = test_engine(GetParam().tier, GetParam().max_size, &why);
    if (!e) GTEST_SKIP() << why;
    int V = 50257, C = 768, T = 3;
    auto wte = stored(e->tier(), randn(size_t(V) * C, 30, 0.1f)), wpe = stored(e->tier(), randn(size_t(4) * C, 31));
    SplitTensor wte_t = e->split("wte", V, C, wte.data());
    Tensor wpe_t = e->tensor("wpe", 4, C);
    wpe_t.upload(wpe.data());
    std::vector<int> ids = {50256, 0, 31337};
    TokenIds ids_t(e->storage(), T);
    ids_t.upload(ids.data(), T);
    Tensor x = e->tensor("x", T, C);
    embed(*e, wte_t, wpe_t, ids_t, T, 1, x);
    std::vector<float> want(size_t(T) * C);
    ref::embed(ids.data(), T, 1, wte.data(), wpe.data(), C, want.data());
    const bool half = e->tier() == Tier::half;  // half: two FP16 reads and an FP16 add, 2^-11 of the terms each
    double rtol = e->tier() == Tier::fp16 || half ? kHalfRounding : 1e-7;
    EXPECT_TRUE(close(x.download(), want, rtol, half ? 2e-3 * rms(want) : 0));

    // LM head over the same (split) embedding for the last row: logits (1, V).
    auto xs = x.download();
    Tensor logits = e->tensor("logits", 1, V);
    MatmulArgs a;
    a.rows = 1;
    a.x_row0 = T - 1;
    matmul(*e, x, wte_t, logits, a);
    std::vector<float> want_logits(V);
    ref::matmul(xs.data() + size_t(T - 1) * C, 1, C, wte.data(), V, nullptr, false, nullptr, want_logits.data());
    double rms_l = rms(want_logits);
    EXPECT_TRUE(close(logits.download(), want_logits, kTol32 + (e->tier() == Tier::fp16 || half ? kHalfRounding : 0),
                      (half ? kHalfTol : kTol32) * rms_l));
}

INSTANTIATE_TEST_SUITE_P(Limits, OpsEmbeddingGpt2,
                         ::testing::Values(TierCase{Tier::fp32, 4096}, TierCase{Tier::fp32, 2048},
                                           TierCase{Tier::fp16, 2048}, TierCase{Tier::rgba8, 2048},
                                           TierCase{Tier::half, 0}),
                         case_name);

}  // namespace
