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
    for (const char* k : {"alu_gflops", "fetch_gtexels", "stream_gbs"}) {
        ASSERT_TRUE(r.contains(k)) << k;
        double v = r[k].get<double>();
        EXPECT_GT(v, 0.0) << k;
        EXPECT_LT(v, 1e7) << k;  // no GPU does 10 PFLOP/s or PB/s through fragments: a zero-time pass slipped through
    }
    EXPECT_NE(out.str().find("GFLOP/s"), std::string::npos) << out.str();
}

INSTANTIATE_TEST_SUITE_P(Tiers, Probe,
                         ::testing::Values(TierCase{Tier::fp32, 0}, TierCase{Tier::fp16, 0}, TierCase{Tier::rgba8, 0}),
                         case_name);
