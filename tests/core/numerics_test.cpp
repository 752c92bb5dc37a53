// tests/core/numerics_test.cpp — the number formats' CPU arithmetic: 8-bit quantization per row, 4-bit per group,
// their packing into floats, and rounding to half. GL-free: part of the core suite.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "model/numerics.h"

using namespace gpt2gl;

TEST(Q8, QuantizePerRow) {
    // rows: ordinary, all zero, one with the max at a negative entry, one with NaN and Inf (ignored, stored as 0)
    const int rows = 4, cols = 6;
    std::vector<float> w = {0.5f, -0.25f, 0.1f, 0.0f, 0.3f, 0.49f,  //
                            0, 0, 0, 0, 0, 0,                       //
                            1e-3f, -2.54f, 1.27f, 0.01f, 2.0f, -0.005f,
                            NAN, 1.0f, INFINITY, -0.5f, 0.25f, 0.0f};
    std::vector<float> q, s;
    quantize_q8(w.data(), rows, cols, &q, &s);
    ASSERT_EQ(q.size(), w.size());
    ASSERT_EQ(s.size(), size_t(rows));
    EXPECT_FLOAT_EQ(s[0], 0.5f / 127);
    EXPECT_EQ(s[1], 0.0f);
    EXPECT_FLOAT_EQ(s[2], 2.54f / 127);
    EXPECT_FLOAT_EQ(s[3], 1.0f / 127);
    EXPECT_EQ(q[0], 127.0f);
    EXPECT_EQ(q[2 * cols + 1], -127.0f);  // the row's largest magnitude maps to -127
    EXPECT_EQ(q[3 * cols + 0], 0.0f);     // NaN
    EXPECT_EQ(q[3 * cols + 2], 0.0f);     // Inf
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            float v = w[size_t(r) * cols + c], qv = q[size_t(r) * cols + c];
            EXPECT_EQ(qv, std::round(qv)) << r << "," << c;
            EXPECT_LE(std::fabs(qv), 127.0f);
            if (std::isfinite(v)) {
                EXPECT_LE(std::fabs(qv * s[size_t(r)] - v), 0.5f * s[size_t(r)] * 1.0001f) << r << "," << c;
            }
        }
}

TEST(Half, RoundsToTheNearestHalf) {
    // The engine uploads fp16 textures with the same conversion (glm), so this is what they hold. 1 + 2^-11 is
    // halfway between the halves 1 and 1 + 2^-10: glm rounds ties away from zero. 65504 is the largest half.
    std::vector<float> v = {1.0f, 1.0f + 0.00048828125f, 1.0f + 0.0009765625f, 1.0f + 0.0007f, 65504.0f, -0.33333334f,
                            -1.0f - 0.00048828125f, 1.0f + 0.0004f};
    std::vector<float> h = round_to_half(v);
    EXPECT_EQ(h[0], 1.0f);
    EXPECT_EQ(h[1], 1.0f + 0.0009765625f);
    EXPECT_EQ(h[6], -1.0f - 0.0009765625f);
    EXPECT_EQ(h[7], 1.0f);
    EXPECT_EQ(h[2], 1.0f + 0.0009765625f);
    EXPECT_EQ(h[3], 1.0f + 0.0009765625f);
    EXPECT_EQ(h[4], 65504.0f);
    EXPECT_EQ(h[5], -0.333251953125f);
}

// Three int8 values to one float and back, over the whole range: exact (the sum's magnitude stays below 2^23).
TEST(Numerics, PackQ8x3RoundTrips) {
    for (float a : {-127.0f, -1.0f, 0.0f, 1.0f, 127.0f})
        for (float b : {-127.0f, -64.0f, 0.0f, 77.0f, 127.0f})
            for (float c : {-127.0f, -3.0f, 0.0f, 100.0f, 127.0f}) {
                float v = pack_q8x3(a, b, c), x, y, z;
                EXPECT_LT(std::fabs(v), 8388608.0f);
                EXPECT_EQ(v, std::floor(v));
                unpack_q8x3(v, &x, &y, &z);
                EXPECT_EQ(x, a);
                EXPECT_EQ(y, b);
                EXPECT_EQ(z, c);
            }
    EXPECT_EQ(pack_q8x3(0, 0, 0), 0.0f);  // signed digits: a texel of 0.0 (padding) holds weights 0
}

// Six signed 4-bit digits in a float: every digit at both ends of [-7, 7] comes back, and each packed value is an
// integer of magnitude below 2^24 (so exact in fp32, and in the shader's rounding: OpsQ8.MatmulQ4).
TEST(Numerics, PackQ4x6RoundTrips) {
    const float ends[] = {-7.0f, -6.0f, -1.0f, 0.0f, 1.0f, 7.0f};
    for (int i = 0; i < 6 * 6 * 6 * 6; ++i) {
        float q[6], back[6];
        for (int d = 0, n = i; d < 6; ++d, n /= 6) q[d] = ends[(n + d) % 6];
        const float v = pack_q4x6(q);
        ASSERT_EQ(v, std::nearbyint(v));
        ASSERT_LT(std::fabs(v), 16777216.0f);
        unpack_q4x6(v, back);
        for (int d = 0; d < 6; ++d) ASSERT_EQ(back[d], q[d]) << "value " << i << " digit " << d;
    }
}

// quantize_q4: a scale per row and group of 24 cols (the last group shorter), each weight within half a step of its
// value; a group's largest weight is exact up to the float's rounding.
TEST(Numerics, QuantizeQ4ByGroups) {
    const int rows = 3, cols = 50;  // groups of 24, 24, 2
    std::mt19937 rng(9);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> w(size_t(rows) * cols);
    for (float& v : w) v = normal(rng);
    w[5] = 0.0f;
    for (int c = 48; c < 50; ++c) w[size_t(cols) + c] = 0.0f;  // row 1's last group all zero
    std::vector<float> q, s;
    quantize_q4(w.data(), rows, cols, &q, &s);
    ASSERT_EQ(s.size(), size_t(rows) * 3);
    EXPECT_EQ(s[1 * 3 + 2], 0.0f) << "an all-zero group";
    const auto back = dequantize_q4(q, s, cols);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const size_t i = size_t(r) * cols + c;
            const float step = s[size_t(r) * 3 + c / 24];
            EXPECT_GE(q[i], -7.0f);
            EXPECT_LE(q[i], 7.0f);
            EXPECT_EQ(q[i], std::nearbyint(q[i]));
            EXPECT_LE(std::fabs(back[i] - w[i]), 0.5f * step * (1 + 1e-6f)) << r << ", " << c;
        }
}

