// tests/profiles_test.cpp — old GPUs by name (gl/profiles.h): under each profile the engine picks the tier that GPU
// would get, keeps within its texture limit, and the default model's logits match the CPU reference through a
// prefill and decode steps within that tier's tolerance (as tests/model_test.cpp: fp32 and rgba8 1e-4 of the
// logits' RMS, fp32 arithmetic both; fp16 and half 3e-2, activations stored as halves between passes, half with
// FP16 arithmetic too). A profile without fragment highp (Mali-400) gets the half tier: mediump shaders only. Prefill
// tiles stay within the profile's draw buffers.
#include <algorithm>

#include "gl/profiles.h"
#include "model/reference.h"
#include "runtime/generator.h"
#include "tests/gl_env.h"

using namespace gpt2gl;

namespace {

struct ProfileCase {
    const char* name;
    const char* tier;  // what the engine must choose
};

class Profiles : public ::testing::TestWithParam<ProfileCase> {};

TEST_P(Profiles, RunTheDefaultModelWithinTheirLimits) {
    const ProfileCase& p = GetParam();
    const gl::GpuProfile& profile = *std::find_if(gl::gpu_profiles().begin(), gl::gpu_profiles().end(),
                                                  [&](const gl::GpuProfile& x) { return std::string(x.name) == p.name; });
    test_caps();  // the shared context exists and is current
    GeneratorOptions o;
    o.engine.gpu_profile = p.name;
    o.n_ctx = 32;
    Generator g(o, &test_context());
    if (std::string(p.tier) == "fp16" && !test_caps().fp16.ok) GTEST_SKIP() << "this GPU has no half-float target";
    EXPECT_EQ(std::string(tier_name(g.engine().tier())), p.tier);
    EXPECT_LE(g.engine().storage().max_size, profile.max_texture_size);
    EXPECT_LE(g.caps().draw_buffers, profile.draw_buffers);
    EXPECT_LE(g.engine().prefill_tiles().count(), profile.draw_buffers);  // its 6-token prefill: 2 x 2 tiles on Adreno
    EXPECT_NE(g.caps().renderer.find(p.name), std::string::npos);
    const double tol = g.engine().tier() == Tier::fp16 || g.engine().tier() == Tier::half ? 3e-2 : 1e-4;
    CpuGpt2 cpu(g.weights(), 32);
    std::vector<int> ids = {33676, 4720, 25, 887, 2705, 11};
    g.start(ids);
    std::vector<float> want = cpu.forward(ids.data(), int(ids.size()));
    for (int step = 0; step < 3; ++step) {
        EXPECT_TRUE(close(g.logits(), want, tol, tol * rms(want))) << p.name << ", step " << step;
        int next = int(std::max_element(want.begin(), want.end()) - want.begin());
        g.feed(next);
        want = cpu.forward(&next, 1);
    }
}

INSTANTIATE_TEST_SUITE_P(Gpus, Profiles,
                         ::testing::Values(ProfileCase{"videocore-iv", "rgba8"}, ProfileCase{"mali-400", "half"},
                                           ProfileCase{"mali-t720", "rgba8"}, ProfileCase{"adreno-306", "fp32"},
                                           ProfileCase{"no-float-blend", "fp32"},
                                           ProfileCase{"powervr-sgx544", "fp16"}, ProfileCase{"webgl-min", "rgba8"}),
                         [](const ::testing::TestParamInfo<ProfileCase>& i) {
                             std::string n = i.param.name;
                             std::replace(n.begin(), n.end(), '-', '_');
                             return n;
                         });

TEST(Profiles, AnUnknownNameIsAClearError) {
    GeneratorOptions o;
    o.engine.gpu_profile = "voodoo2";
    test_caps();
    try {
        Generator g(o, &test_context());
        FAIL() << "an unknown profile ran";
    } catch (const gl::Error& e) {
        EXPECT_NE(std::string(e.what()).find("unknown GPU profile 'voodoo2' (expected videocore-iv"), std::string::npos)
            << e.what();
    }
}

}  // namespace
