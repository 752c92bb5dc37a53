// tests/probe_test.cpp — `gpt2gl probe` (bench/probe.h) on every tier: each pass's output is checked inside
// run_probe (a pass that skipped its loop would throw), and the figures it reports are positive rates.
#include <sstream>

#include "bench/probe.h"
#include "tests/gl_env.h"

using namespace gpt2gl;

class Probe : public TierTest {};

TEST_P(Probe, MeasuresWorkThatWasDone) {
    std::ostringstream out;
    nlohmann::json r = run_probe(*e, out, true);
    for (const char* k : {"alu_gflops", "fetch_gtexels", "stream_gbs", "dependent_pass_us"}) {
        ASSERT_TRUE(r.contains(k)) << k;
        double v = r[k].get<double>();
        EXPECT_GT(v, 0.0) << k;
        EXPECT_LT(v, 1e7) << k;  // no GPU does 10 PFLOP/s or PB/s through fragments: a zero-time pass slipped through
    }
    EXPECT_NE(out.str().find("GFLOP/s"), std::string::npos) << out.str();
    // the decode-shaped streaming, where the tier sums layers by blending (fp32): one figure per row fold
    if (e->can_accumulate()) {
        ASSERT_TRUE(r.contains("stream_layers_gbs"));
        for (const char* fold : {"1", "2", "8"}) EXPECT_GT(r["stream_layers_gbs"][fold].get<double>(), 0.0) << fold;
    } else {
        EXPECT_FALSE(r.contains("stream_layers_gbs"));
    }
}

INSTANTIATE_TEST_SUITE_P(Tiers, Probe,
                         ::testing::Values(TierCase{Tier::fp32, 0}, TierCase{Tier::fp16, 0}, TierCase{Tier::rgba8, 0}),
                         case_name);

// The capability probe's mantissa pass (gl/caps.cpp measure_mantissa): highp, which every gpt2gl shader uses, keeps
// fp32's 23 bits (the engine's exact texel addressing and the rgba8 codec rely on it); mediump keeps no more than
// highp. On Mesa's llvmpipe mediump is computed in FP16 (10 bits) — the arithmetic a half-precision tier would get
// there, and the reason mediump is never used for sums or addressing.
TEST(Precision, TheProbeMeasuresWhatArithmeticKeeps) {
    const gl::Caps& c = test_caps();
    EXPECT_EQ(c.highp_bits_computed, 23);
    EXPECT_GE(c.mediump_bits_computed, 8);
    EXPECT_LE(c.mediump_bits_computed, c.highp_bits_computed);
    if (c.renderer.find("llvmpipe") != std::string::npos) {
        EXPECT_EQ(c.mediump_bits_computed, 10) << "llvmpipe computes mediump in FP16";
        EXPECT_EQ(c.mediump_float_bits, 10);  // and says so
    }
}
