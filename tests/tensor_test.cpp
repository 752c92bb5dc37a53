// tests/tensor_test.cpp — upload/download round trips on every tier, folded and split layouts, q8 and q4 weights,
// and the rgba8 codec (the shader's decode + encode) bit-exact on normal floats.
#include <cmath>
#include <cstring>

#include "passes/ops.h"
#include "tests/gl_env.h"

using namespace gpt2gl;

namespace {
class TensorTier : public TierTest {
protected:
};
}  // namespace

TEST_P(TensorTier, RoundTrip) {
    for (auto shape : {std::pair<int, int>{7, 768}, {13, 50}, {300, 7}, {3, 1030}}) {
        Tensor t = e->tensor("t", shape.first, shape.second);
        auto v = randn(size_t(shape.first) * shape.second, 1, 3.0f);
        t.upload(v.data());
        // fp32 and rgba8 keep every bit; fp16 keeps the nearest half (what glm's conversion gives).
        EXPECT_EQ(t.download(), stored(e->tier(), v)) << shape.first << "x" << shape.second;
    }
}

TEST_P(TensorTier, SplitRoundTrip) {
    int rows = 700, cols = 1030;  // under a 256 limit: 258 texels per row (fp32) -> 2 segments, several parts
    auto v = randn(size_t(rows) * cols, 2);
    SplitTensor s = e->split("w", rows, cols, v.data());
    if (GetParam().max_size == 256) {
        EXPECT_GT(s.parts.size(), 1u);
    }
    EXPECT_EQ(s.download(), stored(e->tier(), v));
}

TEST_P(TensorTier, CopyPassIsExact) {
    // Through a shader: fp32 texels sample and render exactly; rgba8 decodes and re-encodes every bit.
    int rows = 33, cols = 130;
    auto v = stored(e->tier(), randn(size_t(rows) * cols, 3, 100.0f));
    Tensor a = e->tensor("a", rows, cols), b = e->tensor("b", rows, cols);
    a.upload(v.data());
    copy(*e, a, rows, b);
    EXPECT_EQ(b.download(), v);
}

INSTANTIATE_TEST_SUITE_P(Tiers, TensorTier,
                         ::testing::Values(TierCase{Tier::fp32, 0}, TierCase{Tier::fp16, 0}, TierCase{Tier::rgba8, 0},
                                           TierCase{Tier::fp32, 256}, TierCase{Tier::fp16, 256},
                                           TierCase{Tier::rgba8, 256}),
                         case_name);

TEST(TensorRgba8, CodecBitExactOnNormalFloats) {
    std::string why;
    Engine* e = test_engine(Tier::rgba8, 0, &why);
    ASSERT_TRUE(e) << why;
    // Random bit patterns over every normal exponent and sign, plus the extremes.
    std::mt19937 rng(7);
    std::vector<float> v;
    for (int i = 0; i < 65536; ++i) {
        uint32_t bits = rng();
        uint32_t exp = 1 + (bits >> 23 & 0xff) % 254;  // 1..254: normal
        bits = (bits & 0x807fffffu) | exp << 23;
        float f;
        std::memcpy(&f, &bits, 4);
        v.push_back(f);
    }
    for (float f : {1.17549435e-38f, -1.17549435e-38f, 3.40282347e38f, -3.40282347e38f, 1.0f, -1.0f, 0.0f})
        v.push_back(f);
    int cols = 256, rows = int((v.size() + cols - 1) / cols);
    v.resize(size_t(rows) * cols, 0.5f);
    Tensor a = e->tensor("codec in", rows, cols), b = e->tensor("codec out", rows, cols);
    a.upload(v.data());
    copy(*e, a, rows, b);
    auto got = b.download();
    size_t bad = 0;
    for (size_t i = 0; i < v.size(); ++i)
        if (std::memcmp(&got[i], &v[i], 4) != 0 && bad++ < 5)
            ADD_FAILURE() << "value " << v[i] << " came back as " << got[i];
    EXPECT_EQ(bad, 0u);
}

// [SECTION] q8 weights

TEST_P(TensorTier, Q8SplitRoundTrip) {
    // q8 weights beside any tier: int8 values exact in RGBA8 texels, scales in the tier (half on fp16)
    int rows = 700, cols = 1030;
    auto v = randn(size_t(rows) * cols, 4);
    SplitTensor s(e->storage(), "w", rows, cols, v.data(), Tier::q8);
    ASSERT_TRUE(s.quantized());
    if (GetParam().max_size == 256) {
        EXPECT_GT(s.parts.size(), 1u);
    }
    std::vector<float> q, sc;
    quantize_q8(v.data(), rows, cols, &q, &sc);
    // stored transposed, (in, out), but on the coded tiers, whose fragments keep one output each: (out, in)
    EXPECT_EQ(s.by_rows, coded_tier(e->tier()));
    for (size_t i = 0; i < s.parts.size(); ++i) {
        EXPECT_EQ(s.parts[i].tier(), Tier::q8);
        EXPECT_EQ(s.by_rows ? s.parts[i].cols() : s.parts[i].rows(), cols);
        EXPECT_EQ(s.part_rows(i), std::min(s.rows_per_part, rows - int(i) * s.rows_per_part));
    }
    auto got_q = s.download_stored();
    EXPECT_EQ(got_q, q);
    EXPECT_EQ(s.scale.download(), stored(e->tier(), sc));
}

// [SECTION] q4 weights

// q4p weights beside a float tier: the digits exact in RGBA32F texels, 6 to a channel, and the scales (groups, rows)
// in the tier (half on fp16).
TEST_P(TensorTier, Q4SplitRoundTrip) {
    if (coded_tier(e->tier())) GTEST_SKIP() << "q4 weights sit beside the float tiers";
    if (!test_caps().fp32.ok) GTEST_SKIP() << "no exactly sampled float textures here (ES 2.0 context)";
    int rows = 2000, cols = 1030;  // packed: 43 x 4 rows of 500 texels, over 256 x 256 texels: in parts
    auto v = randn(size_t(rows) * cols, 4);
    SplitTensor s(e->storage(), "w", rows, cols, v.data(), Tier::q4p);
    ASSERT_TRUE(s.quantized());
    ASSERT_TRUE(s.q4());
    if (GetParam().max_size == 256) {
        EXPECT_GT(s.parts.size(), 1u);
    }
    std::vector<float> q, sc;
    quantize_q4(v.data(), rows, cols, &q, &sc);
    for (size_t i = 0; i < s.parts.size(); ++i) {
        EXPECT_EQ(s.parts[i].tier(), Tier::q4p);
        EXPECT_EQ(s.parts[i].rows(), 4 * ((cols + 23) / 24));  // packed rows: 4 per group of 24 cols
    }
    EXPECT_EQ(s.download_stored(), q);
    EXPECT_EQ(s.download(), dequantize_q4(q, stored(e->tier(), sc), cols));
    EXPECT_EQ(s.scale.rows(), (cols + 23) / 24);
    EXPECT_EQ(s.scale.cols(), rows);
}
