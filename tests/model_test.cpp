// tests/model_test.cpp — the whole model, layer by layer, on every storage tier, against
//   (1) an independent NumPy forward in float64 (scripts/reference_numpy.py, run at test time: fixtures regenerate),
//   (2) goldens made by others in ../shared/data (HF transformers for loractl-tiny-gpt2, the shakespeare-char
//       model's reference logits, the full-vocab lmbuddy-fake-gpt2 through the NumPy reference), skipped without it,
//   (3) the llm.c checkpoint loader against the same weights in safetensors.
//
// Tolerances, relative to each activation's RMS (atol) plus the same relative to each value (rtol):
//   fp32, rgba8: fp32 arithmetic through every layer against float64 with the very same weights; kTol32 = 1e-4
//     (measured ~1e-5 on the default model: sums over C = 128..768 terms, exp and sqrt a few ulp, compounding).
//   fp16: every activation is stored as half between passes (2^-11 relative each, llvmpipe truncates: 2^-10), and
//     those errors compound through the layers and the residual stream; kTol16 = 3e-2 (measured up to ~1e-2).
//   half: the same storage error (each value read as a half) plus FP16 arithmetic where the shader computes in FP16
//     (each product, each compensated-sum step, exp and sqrt: 2^-11 relative each), compounding the same way; held
//     to fp16's kTol16.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sys/stat.h>
#include <utility>
#include <vector>

#include "runtime/gpt2.h"
#include "model/reference.h"
#include "model/weights.h"
#include "tests/gl_env.h"

using namespace gpt2gl;

namespace {

constexpr double kTol32 = 1e-4;
constexpr double kTol16 = 3e-2;

const std::string kSrc = GPT2GL_SOURCE_DIR;
const std::string kDefault = kSrc + "/model/default";

using Reference = NumpyReference;

// Records the first T rows of every stage of a forward.
std::map<std::string, std::vector<float>> record(Gpt2& m, const std::vector<int>& ids) {
    std::map<std::string, std::vector<float>> got;
    int T = int(ids.size());
    m.on_stage = [&](const std::string& name, const Gpt2::Stage& s) {
        if (name.size() > 2 && (name.substr(name.size() - 2) == ".k" || name.substr(name.size() - 2) == ".v")) return;
        auto d = s.t.download();
        // probs (H*n_ctx, n_ctx) are kept whole: comparable when n_ctx == T
        const bool whole = name.find("probs") != std::string::npos;
        int rows = whole ? s.t.rows() : T, row0 = whole ? 0 : s.row0;
        std::vector<float> v;
        for (int r = row0; r < row0 + rows; ++r)
            v.insert(v.end(), d.begin() + long(r) * s.t.cols() + s.col0, d.begin() + long(r) * s.t.cols() + s.col0 + s.cols);
        if (name.size() > 3 && name.substr(name.size() - 3) == ".fc") {
            // the MLP before GELU (split-K defers GELU to c_proj): compared as the reference's GELU of it
            for (float& x : v) x = ref::gelu(x);
            got[name.substr(0, name.size() - 3) + ".mlp"] = std::move(v);
            return;
        }
        got[name] = std::move(v);
    };
    m.forward(ids.data(), T);
    got["logits"] = m.logits_all();
    m.on_stage = nullptr;
    return got;
}

class Model : public TierTest {
public:
    double tol() const { return e->tier() == Tier::fp16 || e->tier() == Tier::half ? kTol16 : kTol32; }
    ::testing::AssertionResult matches(const std::vector<float>& got, const std::vector<float>& want) {
        return close(got, want, tol(), tol() * rms(want));
    }
    // Every stage the reference has, compared.
    void compare_all(const std::map<std::string, std::vector<float>>& got, const Reference& ref) {
        int n = 0;
        for (auto& [name, entry] : ref.index.items()) {
            if (name == "greedy") continue;
            ASSERT_TRUE(got.count(name)) << "the engine has no stage " << name;
            EXPECT_TRUE(matches(got.at(name), ref.get(name))) << "stage " << name;
            ++n;
        }
        EXPECT_GT(n, 8);
    }
    // The model in `dir` against the NumPy reference, every stage, for one prefill of `ids`.
    void layer_by_layer(const std::string& dir, const std::vector<int>& ids, int n_ctx) {
        Reference ref = run_numpy_reference(dir, ids, 0);
        ASSERT_FALSE(ref.data.empty());
        Gpt2Weights w = load_weights(dir);
        Gpt2 m(*e, w, n_ctx);
        compare_all(record(m, ids), ref);
    }
};

const std::vector<int> kPrompt = {33676, 4720, 25, 887, 2705, 11, 644, 1657, 832, 331, 8623, 4324, 9457, 30};

TEST_P(Model, DefaultModelLayerByLayer) { layer_by_layer(kDefault, kPrompt, 32); }

// The prefill tiles (draw buffers, Engine::tiles) through the whole model: every stage and the logits of the 14-token
// prompt against NumPy with 4 x 1 and 4 x 2 tiles (4 row blocks, the last short) on the float tiers that tile them,
// 1 x 3 and 1 x 8 on rgba8 (one-row tiles: gathered by an untile pass, or by a ksum pass where K is split).
TEST_P(Model, DefaultModelLayerByLayerInTiles) {
    if (e->tier() == Tier::half) GTEST_SKIP() << tier_name(e->tier()) << " never tiles";
    if (test_caps().draw_buffers < 8) GTEST_SKIP() << "fewer than 8 draw buffers: " << test_caps().draw_buffers_why;
    Engine* plain = e;
    using Tile = std::pair<int, int>;  // rows x cols
    const std::vector<Tile> tiles = e->tier() == Tier::rgba8 ? std::vector<Tile>{{1, 3}, {1, 8}}
                                                             : std::vector<Tile>{{4, 1}, {4, 2}};
    for (const auto& [rows, cols] : tiles) {
        EngineOptions o;
        o.precision = tier_name(plain->tier());
        o.max_texture_size = GetParam().max_size;
        o.draw_buffers = rows * cols;
        o.tile_cols = cols;
        Engine tiled(test_caps(), o);
        ASSERT_EQ(tiled.tiles(int(kPrompt.size())).count(), o.draw_buffers);
        int gathers = 0;
        tiled.observe([&](const Pass& p) {
            gathers += p.op == "untile" || (p.op == "ksum" && p.defines.find("TILES") != std::string::npos);
        });
        e = &tiled;
        layer_by_layer(kDefault, kPrompt, 32);
        e = plain;
        EXPECT_GE(gathers, 4 * 7) << "an untile (or gathering ksum) after each of the 7 layers' 4 matmuls";
    }
}

TEST_P(Model, DefaultModelGreedyContinuation) {
    // 16 greedy tokens through the KV cache (one prefill, then one token at a time) against the NumPy reference,
    // which recomputes the whole prefix each step. Exact on fp32 and rgba8 (the same fp32 arithmetic); fp16's
    // rounded activations may pick a different token where two logits are close, so there only the logits of
    // the prompt are held (DefaultModelLayerByLayer).
    if (e->tier() == Tier::fp16 || e->tier() == Tier::half)
        GTEST_SKIP() << tier_name(e->tier()) << " is held to tolerances, not to exact argmax agreement";
    Reference ref = run_numpy_reference(kDefault, kPrompt, 16);
    ASSERT_FALSE(ref.data.empty());
    Gpt2Weights w = load_weights(kDefault);
    Gpt2 m(*e, w, 64);
    m.forward(kPrompt.data(), int(kPrompt.size()));
    std::vector<int> out;
    for (int i = 0; i < 16; ++i) {
        const int on_gpu = m.argmax_last();  // found on the GPU where the tier stores fp32 exactly
        auto logits = m.logits_last();
        int next = int(std::max_element(logits.begin(), logits.end()) - logits.begin());
        EXPECT_EQ(on_gpu, next) << "step " << i;
        out.push_back(next);
        m.forward(&next, 1);
    }
    EXPECT_EQ(out, ref.greedy());
}

// A prefill of 6 tokens, then `steps` - 1 single-token steps (decode: 1-row matmuls, split-K where the tier blends),
// every stage and the logits of `m` against CpuGpt2 on `ref_w`. Stage names say where two GPUs part ways.
void matches_cpu_through_kv_cache(Model* test, Gpt2& m, const Gpt2Weights& ref_w, int steps) {
    CpuGpt2 ref(ref_w, m.n_ctx());
    std::vector<int> ids(kPrompt.begin(), kPrompt.begin() + 6);
    std::map<std::string, std::vector<float>> want;
    ref.on_stage = [&](const std::string& name, const std::vector<float>& v) { want[name] = v; };
    for (int step = 0; step < steps; ++step) {
        SCOPED_TRACE("step " + std::to_string(step) + " (" + std::to_string(ids.size()) + " new tokens)");
        want.clear();
        auto want_logits = ref.forward(ids.data(), int(ids.size()));
        auto got = record(m, ids);
        for (auto& [name, v] : want) {
            ASSERT_TRUE(got.count(name)) << "the engine has no stage " << name;
            ASSERT_TRUE(test->matches(got.at(name), v)) << "stage " << name << " is the first to differ";
        }
        std::vector<float> last(got["logits"].end() - long(want_logits.size()), got["logits"].end());
        EXPECT_TRUE(test->matches(last, want_logits)) << "logits";
        ids = {int(std::max_element(want_logits.begin(), want_logits.end()) - want_logits.begin())};
    }
}

TEST_P(Model, DefaultModelMatchesTheCpuReferenceThroughTheKvCache) {
    // In process: needs no NumPy or shared data, so it also runs on machines that lack them (the GPU box).
    Gpt2Weights w = load_weights(kDefault);
    Gpt2 m(*e, w, 32);
    matches_cpu_through_kv_cache(this, m, w, 5);
}

// q8 weights on every tier, against references that hold the same 8-bit weights: the NumPy forward (which
// quantizes them itself) layer by layer, and CpuGpt2 on q8_round_trip through the KV cache. The tolerances are the
// tier's: quantization changes the weights, not the arithmetic (fp16 also stores the scales as halves: 2^-11
// relative on each output, below the activations' own rounding). What quantizing costs in accuracy is measured
// against fp32 weights by `gpt2gl accuracy` (Accuracy.Q8WeightsAgreeWithFp32 below).
class ModelQ8 : public Model {};

TEST_P(ModelQ8, DefaultModelLayerByLayer) {
    Reference ref = run_numpy_reference(kDefault, kPrompt, 0, true);
    ASSERT_FALSE(ref.data.empty());
    Gpt2Weights w = load_weights(kDefault);
    auto q8 = q8_engine(GetParam());
    Gpt2 m(*q8, w, 32);
    compare_all(record(m, kPrompt), ref);
}

TEST_P(ModelQ8, DefaultModelThroughTheKvCache) {
    Gpt2Weights w = load_weights(kDefault);
    auto q8 = q8_engine(GetParam());
    Gpt2 m(*q8, w, 32);
    matches_cpu_through_kv_cache(this, m, q8_round_trip(w), 4);
}

// The packed layout through the whole model, where float textures sample exactly (not on a true ES 2.0 context).
TEST_P(ModelQ8, PackedLayoutThroughTheKvCache) {
    if (!test_caps().fp32.ok) GTEST_SKIP() << "no exactly sampled float textures here (ES 2.0 context)";
    Gpt2Weights w = load_weights(kDefault);
    auto packed = weights_engine(GetParam(), "q8-packed");
    ASSERT_EQ(packed->weights(), Tier::q8p);
    Gpt2 m(*packed, w, 32);
    matches_cpu_through_kv_cache(this, m, q8_round_trip(w), 4);
}

// 4-bit weights (the layers' matrices; the embedding and LM head packed q8) through the whole model on the float
// tiers, against CpuGpt2 on the same round trip (weights_as_stored). What 4 bits cost in accuracy is measured against
// fp32 weights by `gpt2gl accuracy` (docs/benchmarks.md).
TEST_P(ModelQ8, Q4PackedThroughTheKvCache) {
    if (!test_caps().fp32.ok) GTEST_SKIP() << "no exactly sampled float textures here (ES 2.0 context)";
    if (coded_tier(GetParam().tier)) GTEST_SKIP() << "q4 weights sit beside the float tiers (Ops.MatmulQ4)";
    Gpt2Weights w = load_weights(kDefault);
    auto q4 = weights_engine(GetParam(), "q4-packed");
    ASSERT_EQ(q4->weights(), Tier::q4p);
    Gpt2 m(*q4, w, 32);
    matches_cpu_through_kv_cache(this, m, weights_as_stored(w, Tier::q4p, GetParam().tier), 4);
}

// Decode's layer norms folded into the matmuls after them (Gpt2: where every matmul of a layer sums its K slices by a
// ksum pass, here by split_k = 8; draw buffers let the residual's writer put x * g beside x): through a prefill and
// decode steps, the logits against CpuGpt2 on the same stored weights, from a model folding them and from one
// observed (on_stage: the layer norms' outputs are shown there, so it folds none); once the shapes are tuned after the
// first decode step, the folded model draws no layer norm pass but ln_1's of layer 0 and ln_f's (the observed one 15:
// 2 for each of the default model's 7 layers, and ln_f), and as many statistics, matmul and ksum passes.
TEST_P(ModelQ8, PackedDecodeFoldsLayerNorms) {
    if (GetParam().tier != Tier::fp32) GTEST_SKIP() << "folded where packed weights' slices are summed: fp32";
    if (!test_caps().fp32.ok) GTEST_SKIP() << "no exactly sampled float textures here (ES 2.0 context)";
    if (test_caps().draw_buffers < 2) GTEST_SKIP() << "no draw buffers here";
    const Gpt2Weights w = load_weights(kDefault);
    for (const char* weights : {"q8-packed", "q4-packed"}) {
        SCOPED_TRACE(weights);
        EngineOptions o;
        o.precision = "fp32", o.max_texture_size = GetParam().max_size, o.weights = weights, o.split_k = 8;
        Engine e(test_caps(), o);
        Gpt2 folded(e, w, 32), observed(e, w, 32);
        observed.on_stage = [](const std::string&, const Gpt2::Stage&) {};
        const Gpt2Weights stored = weights_as_stored(w, e.weights(), Tier::fp32);
        CpuGpt2 ref(stored, 32);
        std::vector<int> ids(kPrompt.begin(), kPrompt.begin() + 6);
        for (int step = 0; step < 5; ++step) {
            SCOPED_TRACE("step " + std::to_string(step));
            auto want = ref.forward(ids.data(), int(ids.size()));
            std::map<std::string, int> f, o;  // passes by op
            e.observe([&](const Pass& p) { f[p.op]++; });
            folded.forward(ids.data(), int(ids.size()));
            e.observe([&](const Pass& p) { o[p.op]++; });
            observed.forward(ids.data(), int(ids.size()));
            e.observe(nullptr);
            if (step >= 2) {  // decode, its shapes tuned: layer norm passes for ln_1 of layer 0 and ln_f alone
                EXPECT_EQ(f["layernorm"], 2);
                EXPECT_EQ(o["layernorm"], 15);
                for (const char* op : {"ln_stats", "matmul", "ksum"}) EXPECT_EQ(f[op], o[op]) << op;
            }
            EXPECT_TRUE(matches(folded.logits_last(), want)) << "folded";
            EXPECT_TRUE(matches(observed.logits_last(), want)) << "observed";
            ids = {int(std::max_element(want.begin(), want.end()) - want.begin())};
        }
    }
}

// Weights "auto" on a model over its limit (lowered here to 1 MB): the model stores 8-bit weights and computes with
// them, as q8 (or packed q8) weights asked for by name.
TEST_P(ModelQ8, AutoWeightsOverTheLimitAre8Bit) {
    Gpt2Weights w = load_weights(kDefault);
    EngineOptions o;
    o.precision = tier_name(GetParam().tier), o.max_texture_size = GetParam().max_size;
    o.weights = "auto", o.auto_weights_bytes = 1e6;
    Engine e(test_caps(), o);
    Gpt2 m(e, w, 32);
    EXPECT_TRUE(e.q8_weights()) << e.weights_reason();
    matches_cpu_through_kv_cache(this, m, q8_round_trip(w), 4);
}

INSTANTIATE_TEST_SUITE_P(Tiers, ModelQ8,
                         ::testing::Values(TierCase{Tier::fp32, 0}, TierCase{Tier::fp16, 0}, TierCase{Tier::rgba8, 0},
                                           TierCase{Tier::fp32, 256}),
                         case_name);

// fp16 weights beside the fp32 tier: CpuGpt2 on the weights rounded to half, through the KV cache.
class ModelFp16Weights : public Model {};

TEST_P(ModelFp16Weights, DefaultModelThroughTheKvCache) {
    if (!test_caps().fp16.ok) GTEST_SKIP() << "no half-float textures here";
    Gpt2Weights w = load_weights(kDefault);
    // The default model ships as F16: nudge its matrices off the half grid, so rounding them is a change to test.
    for (std::vector<float>* m : {&w.wte, &w.layers[0].c_attn_w, &w.layers[1].c_fc_w, &w.layers[2].mlp_proj_w})
        for (float& v : *m) v *= 1.0003f;
    auto f16 = weights_engine(GetParam(), "fp16");
    Gpt2 m(*f16, w, 32);
    matches_cpu_through_kv_cache(this, m, weights_as_stored(w, Tier::fp16, Tier::fp32), 4);
}

INSTANTIATE_TEST_SUITE_P(Tiers, ModelFp16Weights, ::testing::Values(TierCase{Tier::fp32, 0}, TierCase{Tier::fp32, 256}),
                         case_name);

TEST_P(Model, InspectModeComputesTheSame) {
    // The viewer's inspect mode keeps per-layer copies and attention rows by position; the logits must not change.
    Gpt2Weights w = load_weights(kDefault);
    Gpt2 plain(*e, w, 32), inspect(*e, w, 32, true);
    std::vector<int> ids = kPrompt;
    plain.forward(ids.data(), int(ids.size()));
    inspect.forward(ids.data(), int(ids.size()));
    for (int i = 0; i < 4; ++i) {
        auto a = plain.logits_last(), b = inspect.logits_last();
        ASSERT_EQ(a, b) << "step " << i;
        int next = int(std::max_element(a.begin(), a.end()) - a.begin());
        plain.forward(&next, 1);
        inspect.forward(&next, 1);
    }
    // After a prefill and decode steps, every query position's attention row is kept and sums to 1.
    const Tensor& p = inspect.probs(0);
    for (int t = 0; t < inspect.pos(); t += 5) {
        double sum = 0;
        for (int s = 0; s <= t; ++s) sum += p.read(t, s);  // head 0: row t
        // fp16 stores each probability within 2^-10 of itself, so their sum is within 2^-10 of 1; half divides by an
        // FP16 sum and stores halves: the same bound
        EXPECT_NEAR(sum, 1.0, e->tier() == Tier::fp16 || e->tier() == Tier::half ? 1e-3 : 1e-5) << "row " << t;
        EXPECT_EQ(p.read(t, t + 1), 0.0f) << "row " << t << " sees a future key";
    }
}

TEST_P(Model, StepModeReplayEqualsAPlainForward) {
    // Step mode records a token's passes and draws them one at a time later: the same passes on the same textures,
    // so the logits must equal a plain forward's bit for bit, through a prefill and decode steps, on every tier
    // (the residual's ping-pong included, where the tier cannot add in place).
    Gpt2Weights w = load_weights(kDefault);
    Gpt2 plain(*e, w, 32), stepped(*e, w, 32, true);
    std::vector<int> ids(kPrompt.begin(), kPrompt.begin() + 5);
    for (int step = 0; step < 4; ++step) {
        SCOPED_TRACE("step " + std::to_string(step));
        plain.forward(ids.data(), int(ids.size()));
        e->begin_recording();
        stepped.forward(ids.data(), int(ids.size()));
        std::vector<Pass> passes = e->end_recording();
        ASSERT_GT(passes.size(), size_t(10 * w.cfg.n_layer));
        long draws = e->draw_calls();
        for (const Pass& p : passes) e->draw(p);
        EXPECT_GE(e->draw_calls() - draws, long(passes.size()));
        auto a = plain.logits_last(), b = stepped.logits_last();
        ASSERT_EQ(a, b);
        ids = {int(std::max_element(a.begin(), a.end()) - a.begin())};
    }
}

// [SECTION] goldens made by others (../shared/data)

TEST_P(Model, LoractlTinyGpt2MatchesHfTransformers) {
    std::string data = shared_data();
    if (data.empty()) GTEST_SKIP() << "../shared/data is absent";
    std::string src = data + "/models/loractl-tiny-gpt2";
    auto golden = nlohmann::json::parse(std::ifstream(src + "/gpt2_tiny_golden.json"));
    // The fixture has no config.json: make a HF directory from the golden's config and the safetensors.
    std::string dir = temp_path("loractl-tiny-gpt2");
    ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
    std::ofstream(dir + "/config.json") << golden["config"].dump();
    ASSERT_EQ(symlink((src + "/model.safetensors").c_str(), (dir + "/model.safetensors").c_str()), 0);
    Gpt2Weights w = load_weights(dir);
    EXPECT_EQ(w.cfg.n_inner, 64);
    Gpt2 m(*e, w);
    auto ids = golden["input_ids"].get<std::vector<int>>();
    auto got = record(m, ids);
    EXPECT_TRUE(matches(got["embed"], golden["hidden_after_embed"].get<std::vector<float>>()));
    EXPECT_TRUE(matches(got["h.0.out"], golden["hidden_after_block0"].get<std::vector<float>>()));
    EXPECT_TRUE(matches(got["ln_f"], golden["hidden_after_lnf"].get<std::vector<float>>()));
    EXPECT_TRUE(matches(got["logits"], golden["logits"].get<std::vector<float>>()));
}

TEST_P(Model, ShakespeareCharMatchesItsReferenceLogits) {
    std::string data = shared_data();
    if (data.empty()) GTEST_SKIP() << "../shared/data is absent";
    std::string dir = data + "/models/shakespeare-char-gpt2";
    auto ref = nlohmann::json::parse(std::ifstream(dir + "/reference_logits.json"));
    auto ids = ref["input_ids"].get<std::vector<int>>();
    Gpt2Weights w = load_weights(dir);
    Gpt2 m(*e, w, int(ids.size()));  // a context of just the prompt keeps every tensor under the 256 limit
    m.forward(ids.data(), int(ids.size()));
    auto all = m.logits_all();
    int V = w.cfg.vocab_size, T = int(ids.size());
    std::vector<float> last(all.end() - V, all.end());
    EXPECT_TRUE(matches(last, ref["logits_last"].get<std::vector<float>>()));
    if (e->tier() != Tier::fp16) {
        auto want = ref["argmax_per_position"].get<std::vector<int>>();
        for (int t = 0; t < T; ++t) {
            std::vector<float> row(all.begin() + long(t) * V, all.begin() + long(t + 1) * V);
            EXPECT_EQ(int(std::max_element(row.begin(), row.end()) - row.begin()), want[size_t(t)]) << "position " << t;
        }
    }
}

TEST_P(Model, LmbuddyFullVocabLayerByLayer) {
    std::string data = shared_data();
    if (data.empty()) GTEST_SKIP() << "../shared/data is absent";
    std::string dir = data + "/models/lmbuddy-fake-gpt2";  // vocab 50257 with n_embd 2: the full-vocab path
    layer_by_layer(dir, {50256, 464, 2068, 7586, 21831, 0, 50000}, 16);
}

// llm-viz's trained minGPT "gpt-nano" that sorts 6 digits from {0, 1, 2}: untied, bias-free head; its activations
// for a batch of 3 sequences were dumped by minGPT (gpt-nano-sort-t0-partials.json).
TEST_P(Model, LlmvizNanoSortMatchesMinGPT) {
    std::string data = shared_data();
    if (data.empty()) GTEST_SKIP() << "../shared/data is absent";
    std::string dir = data + "/models/llmviz-gpt-nano-sort";
    Gpt2Weights w = load_weights(dir + "/gpt-nano-sort-model.json");
    EXPECT_FALSE(w.cfg.tied);
    auto partials = nlohmann::json::parse(std::ifstream(dir + "/gpt-nano-sort-t0-partials.json"));
    auto get = [&](const char* name) { return base64_floats(partials[name]["data"].get<std::string>()); };
    const int B = 3, T = 11, C = w.cfg.n_embd, H = w.cfg.n_head, hd = C / H, V = w.cfg.vocab_size;
    auto idx = get("idx");
    // [B, T, n] -> sequence b
    auto seq = [&](const std::vector<float>& a, int b, int n) {
        return std::vector<float>(a.begin() + long(b) * T * n, a.begin() + long(b + 1) * T * n);
    };
    // [B, H, T, hd] -> sequence b as (T, C)
    auto heads = [&](const std::vector<float>& a, int b) {
        std::vector<float> out(size_t(T) * C);
        for (int h = 0; h < H; ++h)
            for (int t = 0; t < T; ++t)
                for (int d = 0; d < hd; ++d) out[size_t(t) * C + h * hd + d] = a[((size_t(b) * H + h) * T + t) * hd + d];
        return out;
    };
    for (int b = 0; b < B; ++b) {
        SCOPED_TRACE("sequence " + std::to_string(b));
        std::vector<int> ids(idx.begin() + b * T, idx.begin() + (b + 1) * T);
        Gpt2 m(*e, w, T);
        auto got = record(m, ids);
        EXPECT_TRUE(matches(got["embed"], seq(get("x"), b, C)));
        EXPECT_TRUE(matches(got["h.0.ln_1"], seq(get("ln1"), b, C)));
        EXPECT_TRUE(matches(got["h.0.q"], heads(get("q"), b)));
        auto att = get("attSm");  // [B, H, T, T] = rows h*T + t, as the engine keeps them
        EXPECT_TRUE(matches(got["h.0.probs"], std::vector<float>(att.begin() + long(b) * H * T * T,
                                                                 att.begin() + long(b + 1) * H * T * T)));
        EXPECT_TRUE(matches(got["h.0.attn"], seq(get("y"), b, C)));
        EXPECT_TRUE(matches(got["h.0.res"], seq(get("attnResid"), b, C)));
        EXPECT_TRUE(matches(got["h.0.ln_2"], seq(get("ln2"), b, C)));
        EXPECT_TRUE(matches(got["h.0.mlp"], seq(get("gelu"), b, 4 * C)));
        for (int l = 0; l < 3; ++l)
            EXPECT_TRUE(matches(got["h." + std::to_string(l) + ".out"], seq(get(("block" + std::to_string(l)).c_str()), b, C)))
                << "block " << l;
        EXPECT_TRUE(matches(got["ln_f"], seq(get("ln_f"), b, C)));
        EXPECT_TRUE(matches(got["logits"], seq(get("lm_head"), b, V)));
    }
}

TEST_P(Model, LlmvizNanoSortSorts) {
    std::string data = shared_data();
    if (data.empty()) GTEST_SKIP() << "../shared/data is absent";
    Gpt2Weights w = load_weights(data + "/models/llmviz-gpt-nano-sort/gpt-nano-sort-model.json");
    std::mt19937 rng(5);
    for (int trial = 0; trial < 8; ++trial) {
        std::vector<int> digits(6);
        for (int& d : digits) d = int(rng() % 3);
        Gpt2 m(*e, w, 11);
        m.forward(digits.data(), 6);
        std::vector<int> out;
        for (int i = 0; i < 6; ++i) {
            auto logits = m.logits_last();
            int next = int(std::max_element(logits.begin(), logits.end()) - logits.begin());
            out.push_back(next);
            if (i < 5) m.forward(&next, 1);
        }
        std::vector<int> sorted = digits;
        std::sort(sorted.begin(), sorted.end());
        EXPECT_EQ(out, sorted) << "input " << join(digits);
    }
}

INSTANTIATE_TEST_SUITE_P(Tiers, Model,
                         ::testing::Values(TierCase{Tier::fp32, 0}, TierCase{Tier::fp16, 0}, TierCase{Tier::rgba8, 0},
                                           TierCase{Tier::half, 0}, TierCase{Tier::fp32, 256},
                                           TierCase{Tier::rgba8, 256}),
                         case_name);

// [SECTION] llm.c checkpoints

TEST(ModelLlmc, CheckpointEqualsSafetensors) {
    std::string data = shared_data();
    if (data.empty()) GTEST_SKIP() << "../shared/data is absent";
    std::string dir = data + "/models/shakespeare-char-gpt2";
    Gpt2Weights a = load_weights(dir), b = load_weights(dir + "/model_llmc.bin");
    EXPECT_EQ(a.cfg.describe(), b.cfg.describe());
    EXPECT_EQ(a.wte, b.wte);
    EXPECT_EQ(a.layers[0].c_attn_w, b.layers[0].c_attn_w);  // llm.c is (out, in) already; HF Conv1D is transposed
    EXPECT_EQ(a.layers.back().mlp_proj_w, b.layers.back().mlp_proj_w);
    EXPECT_EQ(a.ln_f_b, b.ln_f_b);
}

}  // namespace
