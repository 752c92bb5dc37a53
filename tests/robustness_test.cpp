// tests/robustness_test.cpp — bad files give clear errors naming the file and the problem; limits give clear errors;
// no GL object leaks over 1,000 generated tokens or repeated model loads; the same seed gives the same tokens.
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "runtime/gpt2.h"
#include "model/load_error.h"
#include "model/safetensors.h"
#include "model/sampler.h"
#include "model/tokenizer.h"
#include "model/weights.h"
#include "gl/shaders.h"
#include "tests/gl_env.h"

using namespace gpt2gl;

namespace {

const std::string kSrc = GPT2GL_SOURCE_DIR;

// A small random GPT-2 in memory: vocab 101, context 64, 2 layers, 4 heads, 32 channels.
Gpt2Weights tiny_model(unsigned seed) {
    Gpt2Weights w;
    Gpt2Config& c = w.cfg;
    c.vocab_size = 101, c.n_positions = 64, c.n_embd = 32, c.n_layer = 2, c.n_head = 4, c.n_inner = 64;
    const size_t C = 32, I = 64;
    auto r = [&](size_t n, float s) { return randn(n, seed++, s); };
    w.wte = r(101 * C, 0.3f);
    w.wpe = r(64 * C, 0.1f);
    for (int l = 0; l < 2; ++l) {
        LayerWeights L;
        L.ln_1_w = r(C, 0.1f), L.ln_1_b = r(C, 0.1f), L.ln_2_w = r(C, 0.1f), L.ln_2_b = r(C, 0.1f);
        for (auto& x : L.ln_1_w) x += 1;
        for (auto& x : L.ln_2_w) x += 1;
        L.c_attn_w = r(3 * C * C, 0.2f), L.c_attn_b = r(3 * C, 0.1f);
        L.attn_proj_w = r(C * C, 0.2f), L.attn_proj_b = r(C, 0.1f);
        L.c_fc_w = r(I * C, 0.2f), L.c_fc_b = r(I, 0.1f);
        L.mlp_proj_w = r(C * I, 0.2f), L.mlp_proj_b = r(C, 0.1f);
        w.layers.push_back(L);
    }
    w.ln_f_w.assign(C, 1.0f);
    w.ln_f_b.assign(C, 0.0f);
    return w;
}

Engine& fp32_engine() {
    std::string why;
    Engine* e = test_engine(Tier::fp32, 0, &why);
    if (!e) e = test_engine(Tier::rgba8, 0, &why);
    return *e;
}

}  // namespace

// [SECTION] limits

TEST(Robustness, LimitsAreClearErrors) {
    Engine& e = fp32_engine();
    Gpt2Weights w = tiny_model(1);
    Gpt2 m(e, w, 16);
    std::vector<int> ids(17, 1);
    try {
        m.forward(ids.data(), 17);
        FAIL() << "17 tokens into a 16-token context";
    } catch (const std::runtime_error& err) {
        EXPECT_NE(std::string(err.what()).find("16-token context"), std::string::npos) << err.what();
    }
    int bad = 101;
    EXPECT_THROW(m.forward(&bad, 1), std::runtime_error);
    // A model beyond the texture limit names the tensor and the limit.
    EngineOptions o;
    o.max_texture_size = 16;
    Engine small(test_caps(), o);
    try {
        Gpt2 big(small, w);
        FAIL() << "a 64-token context should not fit 16x16 textures";
    } catch (const gl::Error& err) {
        EXPECT_NE(std::string(err.what()).find("over the limit of 16"), std::string::npos) << err.what();
    }
}

// The half tier's shaders index in FP16 (exact up to 2048): a model past that is refused up front, saying why.
TEST(Robustness, AModelBeyondTheHalfTierIsAClearError) {
    std::string why;
    Engine* half = test_engine(Tier::half, 0, &why);
    ASSERT_NE(half, nullptr) << why;
    Gpt2Weights gpt2_small;  // only its shape: refused before any weight is read
    gpt2_small.cfg = {50257, 1024, 768, 12, 12, 3072};
    try {
        Gpt2 m(*half, gpt2_small);
        FAIL() << "GPT-2 124M ran on the half tier";
    } catch (const gl::Error& err) {
        const std::string want = "beyond the half tier's FP16 indices (exact up to 2048): its widest rows hold 3072 "
                                 "values (3 x n_embd, the MLP) and its attention 12288 rows";
        EXPECT_NE(std::string(err.what()).find(want), std::string::npos) << err.what();
    }
}

TEST(Robustness, ShaderAndFramebufferErrorsSayWhere) {
    test_caps();
    try {
        gl::Program p({gl::quad_vertex_source(), "#version 100\nprecision highp float;\nvoid main() {\n  gl_FragColor = vec4(oops);\n}\n", "bad.frag"});
        FAIL() << "a shader with an undefined name compiled";
    } catch (const gl::Error& err) {
        std::string m = err.what();
        EXPECT_NE(m.find("bad.frag"), std::string::npos) << m;
        EXPECT_NE(m.find("   4  "), std::string::npos) << "no numbered source: " << m;
    }
    // A luminance texture is not colour-renderable in ES: the framebuffer is incomplete, by name.
    gl::Texture t({4, 4, gl::TexFormat{GL_LUMINANCE, GL_LUMINANCE, GL_UNSIGNED_BYTE, "LUMINANCE", GL_UNSIGNED_BYTE},
                   nullptr, "lum"});
    try {
        gl::Framebuffer fb(t, "lum target");
        FAIL() << "a framebuffer over a LUMINANCE texture was complete";
    } catch (const gl::Error& err) {
        EXPECT_NE(std::string(err.what()).find("GL_FRAMEBUFFER_"), std::string::npos) << err.what();
        EXPECT_NE(std::string(err.what()).find("lum target"), std::string::npos) << err.what();
    }
}

// [SECTION] leaks and determinism

TEST(Robustness, NoGlObjectLeaksOver1000TokensAndReloads) {
    Engine& e = fp32_engine();
    gl::Counts base = gl::live_counts();
    Gpt2Weights w = tiny_model(2);
    {
        Gpt2 m(e, w, 64);
        Sampler s(SamplerOptions{});
        int tok = 0;
        m.forward(&tok, 1);
        tok = s.sample(m.logits_last());  // one whole step first: the LM head's program and framebuffer are lazy
        m.forward(&tok, 1);
        gl::Counts warm = gl::live_counts();
        int generated = 0;
        while (generated < 1000) {
            if (m.pos() == m.n_ctx()) m.reset();
            tok = s.sample(m.logits_last());
            m.forward(&tok, 1);
            ++generated;
        }
        gl::Counts after = gl::live_counts();
        EXPECT_EQ(after.textures, warm.textures);
        EXPECT_EQ(after.framebuffers, warm.framebuffers);
        EXPECT_EQ(after.buffers, warm.buffers);
        EXPECT_EQ(after.programs, warm.programs) << "a decode step compiled a new program";
    }
    for (int i = 0; i < 5; ++i) {
        Gpt2 m(e, w, 32);
        int tok = 3;
        m.forward(&tok, 1);
        m.logits_all();
    }
    gl::Counts end = gl::live_counts();
    EXPECT_EQ(end.textures, base.textures);
    EXPECT_EQ(end.framebuffers, base.framebuffers);
    EXPECT_EQ(end.buffers, base.buffers);
}

TEST(Robustness, SameSeedSameTokens) {
    Engine& e = fp32_engine();
    Gpt2Weights w = tiny_model(3);
    auto run = [&](uint64_t seed) {
        Gpt2 m(e, w, 64);
        SamplerOptions o;
        o.temperature = 1.0f, o.top_k = 40, o.top_p = 0.95f, o.seed = seed;
        Sampler s(o);
        std::vector<int> out;
        int tok = 7;
        m.forward(&tok, 1);
        for (int i = 0; i < 40; ++i) {
            tok = s.sample(m.logits_last());
            out.push_back(tok);
            m.forward(&tok, 1);
        }
        return out;
    };
    auto a = run(42);
    EXPECT_EQ(a, run(42));
    EXPECT_NE(a, run(43));
}
