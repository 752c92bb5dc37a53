// tests/layout_test.cpp — the tensor -> texture layout, without GL: every element has its own texel slot, region
// rectangles cover exactly the region, and the 50257 x 768 embedding fits (or splits) under small limits.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "passes/tensor.h"

using namespace gpt2gl;

namespace {
void expect_bijective(const Layout& l) {
    std::set<std::pair<int, int>> seen;
    for (int r = 0; r < l.rows; ++r)
        for (int tc = 0; tc < l.texels_per_row; ++tc) {
            Rect p = l.texel(r, tc);
            ASSERT_GE(p.x, 0);
            ASSERT_LT(p.x, l.width);
            ASSERT_GE(p.y, 0);
            ASSERT_LT(p.y, l.height);
            ASSERT_TRUE(seen.insert({p.x, p.y}).second) << "row " << r << " texel " << tc << " collides";
        }
}

void expect_rects_cover(const Layout& l, int r0, int r1, int t0, int t1) {
    std::set<std::pair<int, int>> want, got;
    for (int r = r0; r < r1; ++r)
        for (int tc = t0; tc < t1; ++tc) {
            Rect p = l.texel(r, tc);
            want.insert({p.x, p.y});
        }
    for (const Rect& q : l.rects(r0, r1, t0, t1))
        for (int y = q.y; y < q.y + q.h; ++y)
            for (int x = q.x; x < q.x + q.w; ++x) ASSERT_TRUE(got.insert({x, y}).second) << "rects overlap";
    EXPECT_EQ(got, want);
}
}  // namespace

TEST(Layout, PlainWhenItFits) {
    Layout l = Layout::make(10, 768, Tier::fp32, 4096);
    EXPECT_EQ(l.texels_per_row, 192);
    EXPECT_EQ(l.nseg, 1);
    EXPECT_EQ(l.nbands, 1);
    EXPECT_EQ(l.width, 192);
    EXPECT_EQ(l.height, 10);
    EXPECT_EQ(l.texel(3, 7).x, 7);
    EXPECT_EQ(l.texel(3, 7).y, 3);
    Layout b = Layout::make(10, 768, Tier::rgba8, 4096);
    EXPECT_EQ(b.texels_per_row, 768);
    EXPECT_EQ(b.texel_elems, 1);
}

TEST(Layout, FoldsAndSegmentsUnderSmallLimits) {
    for (Tier tier : {Tier::fp32, Tier::rgba8})
        for (auto shape : {std::pair<int, int>{1000, 50}, {37, 1030}, {300, 7}, {5, 3072}, {1, 50257}}) {
            Layout l = Layout::make(shape.first, shape.second, tier, 256);
            SCOPED_TRACE(std::string(tier_name(tier)) + " " + std::to_string(shape.first) + "x" +
                         std::to_string(shape.second));
            if (!l.fits(256)) continue;
            EXPECT_LE(l.width, 256);
            EXPECT_LE(l.height, 256);
            expect_bijective(l);
            expect_rects_cover(l, 0, l.rows, 0, l.texels_per_row);
            expect_rects_cover(l, l.rows / 3, std::min(l.rows, l.rows / 3 + 2), l.texels_per_row / 4, l.texels_per_row);
        }
}

TEST(Layout, SegmentsAreWholeVec4sInRgba8) {
    Layout l = Layout::make(9, 1030, Tier::rgba8, 250);
    EXPECT_EQ(l.seg_w % 4, 0);
    EXPECT_EQ(l.texels_per_row % 4, 0);
}

TEST(Layout, EmbeddingUnderSmallLimits) {
    // GPT-2's wte: 50257 x 768 = 9.6 M float texels. One 4096^2 texture holds it folded; 2048^2 cannot.
    Layout a = Layout::make(50257, 768, Tier::fp32, 4096);
    EXPECT_TRUE(a.fits(4096));
    EXPECT_GT(a.nbands, 1);
    EXPECT_FALSE(Layout::make(50257, 768, Tier::fp32, 2048).fits(2048));
    int rows = Layout::max_rows(768, Tier::fp32, 2048);
    EXPECT_GT(rows, 0);
    EXPECT_EQ(rows % 4, 0);
    EXPECT_TRUE(Layout::make(rows, 768, Tier::fp32, 2048).fits(2048));
    EXPECT_FALSE(Layout::make(rows + 4, 768, Tier::fp32, 2048).fits(2048));
    // GPT-2 XL's wte (50257 x 1600) needs more than one 4096^2 texture.
    EXPECT_FALSE(Layout::make(50257, 1600, Tier::fp32, 4096).fits(4096));
    EXPECT_GT(Layout::max_rows(1600, Tier::fp32, 4096), 0);
}

TEST(Layout, IndicesStayExact) {
    // Every line index must stay below 2^24 so that float math in shaders is exact.
    Layout l = Layout::make(1 << 20, 4, Tier::fp32, 16384);
    EXPECT_TRUE(l.fits(16384));
    EXPECT_FALSE(Layout::make(1 << 24, 4, Tier::fp32, 16384).fits(16384));
}
