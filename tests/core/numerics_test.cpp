// tests/core/numerics_test.cpp — the number formats' CPU arithmetic: 8-bit quantization per row and rounding to
// half. GL-free: part of the core suite.
#include <gtest/gtest.h>

#include <cmath>

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

// Three int8 values to one float and back, over the whole range: exact (the sum stays below 2^24).
TEST(Numerics, PackQ8x3RoundTrips) {
    for (float a : {-127.0f, -1.0f, 0.0f, 1.0f, 127.0f})
        for (float b : {-127.0f, -64.0f, 0.0f, 77.0f, 127.0f})
            for (float c : {-127.0f, -3.0f, 0.0f, 100.0f, 127.0f}) {
                float v = pack_q8x3(a, b, c), x, y, z;
                EXPECT_LT(v, 16777216.0f);
                EXPECT_EQ(v, std::floor(v));
                unpack_q8x3(v, &x, &y, &z);
                EXPECT_EQ(x, a);
                EXPECT_EQ(y, b);
                EXPECT_EQ(z, c);
            }
    EXPECT_EQ(pack_q8x3(0, 0, 0), 128.0f + 256.0f * 128.0f + 65536.0f * 128.0f);  // zeros are not 0.0: padding
}
