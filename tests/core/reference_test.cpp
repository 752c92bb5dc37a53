// tests/core/reference_test.cpp — the CPU reference (the spec every pass is tested against) against the independent
// NumPy forward in float64, stage by stage, and the sampler's rules. GL-free: part of the core suite.
//
// Tolerance kTol = 1e-4 of each activation's RMS plus 1e-4 of each value: the reference computes in fp32 with double
// accumulators against float64 with the very same weights (measured ~1e-6); the GPU tiers are held to the same
// bound in tests/model_test.cpp, so a reference drifting this far would hide their errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "model/reference.h"
#include "model/sampler.h"
#include "model/weights.h"
#include "tests/util.h"

using namespace gpt2gl;

namespace {
constexpr double kTol = 1e-4;
const std::string kDefault = std::string(GPT2GL_SOURCE_DIR) + "/model/default";
const std::vector<int> kPrompt = {33676, 4720, 25, 887, 2705, 11, 644, 1657, 832, 331, 8623, 4324, 9457, 30};
}  // namespace

TEST(Reference, DefaultModelStageByStageAgainstNumpy) {
    NumpyReference want = run_numpy_reference(kDefault, kPrompt, 4);
    ASSERT_FALSE(want.data.empty());
    Gpt2Weights w = load_weights(kDefault);
    CpuGpt2 ref(w, 32);
    std::map<std::string, std::vector<float>> got;
    ref.on_stage = [&](const std::string& name, const std::vector<float>& v) { got[name] = v; };
    std::vector<float> logits = ref.forward(kPrompt.data(), int(kPrompt.size()));
    int compared = 0;
    for (auto& [name, v] : got) {
        if (!want.index.contains(name)) continue;
        std::vector<float> r = want.get(name);
        EXPECT_TRUE(close(v, r, kTol, kTol * rms(r))) << "stage " << name;
        ++compared;
    }
    EXPECT_GE(compared, 7 * w.cfg.n_layer) << "stages compared";
    std::vector<float> all = want.get("logits"), last(all.end() - long(logits.size()), all.end());
    EXPECT_TRUE(close(logits, last, kTol, kTol * rms(last))) << "logits";
    // and through the KV cache: greedy tokens one at a time equal NumPy's, which recomputes the whole prefix
    std::vector<int> greedy;
    for (int i = 0; i < 4; ++i) {
        int next = argmax(logits);
        greedy.push_back(next);
        logits = ref.forward(&next, 1);
    }
    EXPECT_EQ(greedy, want.greedy());
}

TEST(Sampler, SeededAndRuleAbiding) {
    std::vector<float> logits = randn(1000, 5, 2.0f);
    auto draw = [&](SamplerOptions o, int n) {
        Sampler s(o);
        std::vector<int> out;
        for (int i = 0; i < n; ++i) out.push_back(s.sample(logits));
        return out;
    };
    SamplerOptions o;
    o.seed = 42;
    EXPECT_EQ(draw(o, 50), draw(o, 50));
    SamplerOptions other = o;
    other.seed = 43;
    EXPECT_NE(draw(o, 50), draw(other, 50));
    SamplerOptions greedy;
    greedy.temperature = 0;
    for (int t : draw(greedy, 5)) EXPECT_EQ(t, argmax(logits));
    // top-k 3: only the 3 largest logits are ever drawn
    SamplerOptions k3 = o;
    k3.top_k = 3;
    std::vector<int> top = top_ids(logits, 3);
    for (int t : draw(k3, 200)) EXPECT_NE(std::find(top.begin(), top.end(), t), top.end()) << t;
    // top-p 1e-6: only the most likely token
    SamplerOptions p0 = o;
    p0.top_p = 1e-6f;
    for (int t : draw(p0, 20)) EXPECT_EQ(t, argmax(logits));
}
