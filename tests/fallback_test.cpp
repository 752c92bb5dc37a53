// tests/fallback_test.cpp — the tier choice. On a true OpenGL ES 2.0 context (ctest `es2_context` runs the suite
// with MESA_GLES_VERSION_OVERRIDE=2.0) there is no fp32 render target and the engine must fall back by itself.
#include <cstdlib>
#include <cstring>

#include "passes/ops.h"
#include "tests/gl_env.h"

using namespace gpt2gl;

static bool forced_es2() {
    const char* v = std::getenv("MESA_GLES_VERSION_OVERRIDE");
    return v && std::strcmp(v, "2.0") == 0;
}

TEST(Fallback, ProbeSeesTheContext) {
    const gl::Caps& c = test_caps();
    EXPECT_GE(c.max_texture_size, 2048);
    EXPECT_TRUE(c.highp());
    if (forced_es2()) {
        EXPECT_FALSE(c.es3) << c.version;
        EXPECT_FALSE(c.fp32.ok) << "a true ES 2.0 context on Mesa has no fp32 render target: " << c.fp32.why;
    }
}

TEST(Fallback, AutoPicksTheBestWorkingTier) {
    const gl::Caps& c = test_caps();
    Engine e(c, EngineOptions{});
    Tier want = c.fp32.ok ? Tier::fp32 : c.fp16.ok ? Tier::fp16 : Tier::rgba8;
    EXPECT_EQ(e.tier(), want) << e.tier_reason();
    EXPECT_FALSE(e.tier_reason().empty());
}

TEST(Fallback, ForcingAnUnavailableTierIsAClearError) {
    const gl::Caps& c = test_caps();
    if (c.fp32.ok) GTEST_SKIP() << "fp32 works on this context; ctest es2_context runs this on a true ES 2.0 one";
    EngineOptions o;
    o.precision = "fp32";
    try {
        Engine e(c, o);
        FAIL() << "forcing fp32 without an fp32 render target should throw";
    } catch (const gl::Error& err) {
        EXPECT_NE(std::string(err.what()).find("fp32 is not available"), std::string::npos) << err.what();
    }
}

TEST(Fallback, BadOptionsAreClearErrors) {
    const gl::Caps& c = test_caps();
    EngineOptions o;
    o.precision = "fp64";
    EXPECT_THROW(Engine(c, o), gl::Error);
    o.precision = "auto";
    o.max_texture_size = c.max_texture_size * 2;
    EXPECT_THROW(Engine(c, o), gl::Error);
    o.max_texture_size = 0;
    o.weights = "int4";
    EXPECT_THROW(Engine(c, o), gl::Error);
    o.weights = "fp16";  // half textures hold the weights beside float tiers; rgba8 decodes every texel as a float
    o.precision = "rgba8";
    try {
        Engine e(c, o);
        FAIL() << "fp16 weights on the rgba8 tier should throw";
    } catch (const gl::Error& err) {
        EXPECT_NE(std::string(err.what()).find("fp16 weights need a float tier"), std::string::npos) << err.what();
    }
}

// The bench's GPU times: one result per span, each a plausible duration, when the driver has the extension
// (llvmpipe does); a bigger pass takes longer than an empty span.
TEST(Fallback, TimerQueriesTimeEachSpan) {
    gl::SpanTimer timer(test_caps().timer_query);
    if (!timer.ok()) GTEST_SKIP() << "no EXT_disjoint_timer_query here";
    Engine e(test_caps(), EngineOptions{});
    int n = 1 << 20;
    Tensor a = e.tensor("a", 256, n / 256), b = e.tensor("b", 256, n / 256);
    glFinish();
    timer.start();                                          // span 0: nothing
    timer.next();                                           // span 1: copy 1M floats 8 times
    for (int i = 0; i < 8; ++i) copy(e, a, 256, b);
    std::vector<double> ms = timer.stop();
    if (ms.empty()) GTEST_SKIP() << "the GPU reported a disjoint event; no results this time";
    ASSERT_EQ(ms.size(), 2u);
    for (double t : ms) EXPECT_TRUE(t >= 0 && t < 10000) << t;
    EXPECT_GT(ms[1], ms[0]);
}

// Weights "auto": the tier's own for a small model, 8-bit for a big one (packed on the float tiers where float
// textures sample exactly), with the reason; the half tier keeps its own (it stores weights as its activations).
TEST(Fallback, AutoWeightsAreExactUnlessTheModelIsBig) {
    const gl::Caps& c = test_caps();
    for (const char* precision : {"auto", "rgba8", "half"}) {
        SCOPED_TRACE(precision);
        EngineOptions o;
        o.precision = precision, o.weights = "auto";
        Engine e(c, o);
        EXPECT_EQ(e.weights(), e.tier());
        e.fit_weights(60e6);  // 240 MB as fp32, rgba8 or half (4 bytes a value): at most 256 MB
        EXPECT_EQ(e.weights(), e.tier());
        if (e.tier() != Tier::half) {
            EXPECT_NE(e.weights_reason().find("exact weights (240 MB as "), std::string::npos) << e.weights_reason();
        }
        e.fit_weights(124e6);  // GPT-2 124M: 496 MB
        const Tier want = e.tier() == Tier::half                     ? Tier::half
                          : c.fp32.ok && e.tier() != Tier::rgba8 ? Tier::q8p
                                                                 : Tier::q8;
        EXPECT_EQ(e.weights(), want);
        if (e.tier() != Tier::half) {
            EXPECT_NE(e.weights_reason().find("8-bit weights (496 MB as "), std::string::npos) << e.weights_reason();
        }
    }
}
