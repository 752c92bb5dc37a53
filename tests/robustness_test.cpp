// tests/robustness_test.cpp — bad files give clear errors naming the file and the problem; limits give clear errors;
// no GL object leaks over 1,000 generated tokens or repeated model loads; the same seed gives the same tokens.
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "model/gpt2.h"
#include "model/load_error.h"
#include "model/safetensors.h"
#include "model/sampler.h"
#include "model/tokenizer.h"
#include "model/weights.h"
#include "tests/gl_env.h"

using namespace gpt2gl;

namespace {

const std::string kSrc = GPT2GL_SOURCE_DIR;

// Expects `f` to throw LoadError whose message contains every one of `parts`.
template <class F>
::testing::AssertionResult load_fails(F f, std::vector<std::string> parts) {
    try {
        f();
    } catch (const LoadError& e) {
        for (auto& p : parts)
            if (std::string(e.what()).find(p) == std::string::npos)
                return ::testing::AssertionFailure() << "message lacks \"" << p << "\": " << e.what();
        return ::testing::AssertionSuccess() << e.what();
    } catch (const std::exception& e) {
        return ::testing::AssertionFailure() << "threw something other than LoadError: " << e.what();
    }
    return ::testing::AssertionFailure() << "did not throw";
}

std::string write(const std::string& stem, const std::string& bytes) {
    std::string p = temp_path(stem);
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
}

std::string safetensors(const std::string& header_json, const std::string& data) {
    uint64_t n = header_json.size();
    std::string out(reinterpret_cast<const char*>(&n), 8);
    return out + header_json + data;
}

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

// [SECTION] safetensors

TEST(Robustness, SafetensorsRejectsMalformedFiles) {
    const std::string ok_header = R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})";
    const std::string eight(8, '\0');
    EXPECT_TRUE(load_fails([&] { SafetensorsFile(write("short.st", "abc")); }, {"short.st", "too short"}));
    EXPECT_TRUE(load_fails([&] { SafetensorsFile(write("len.st", std::string("\xff\xff\xff\xff\x00\x00\x00\x00{}", 10))); },
                           {"len.st", "header length"}));
    EXPECT_TRUE(load_fails([&] { SafetensorsFile(write("json.st", safetensors("{not json", ""))); }, {"json.st", "JSON"}));
    EXPECT_TRUE(load_fails([&] { SafetensorsFile(write("trunc.st", safetensors(ok_header, "1234"))); },
                           {"trunc.st", "tensor a", "outside"}));
    EXPECT_TRUE(load_fails(
        [&] { SafetensorsFile(write("dtype.st", safetensors(R"({"a": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}})", eight))); },
        {"dtype.st", "I64"}));
    EXPECT_TRUE(load_fails(
        [&] { SafetensorsFile(write("size.st", safetensors(R"({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", eight))); },
        {"size.st", "8 bytes for 3 F32"}));
    EXPECT_TRUE(load_fails(
        [&] {
            SafetensorsFile(write("overlap.st",
                                  safetensors(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                                  "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})", eight)));
        },
        {"overlap.st", "overlap"}));
    EXPECT_TRUE(load_fails(
        [&] { SafetensorsFile(write("absurd.st", safetensors(R"({"a": {"dtype": "F32", "shape": [99999999999], "data_offsets": [0, 8]}})", eight))); },
        {"absurd.st", "absurd"}));
    EXPECT_TRUE(load_fails(
        [&] { SafetensorsFile(write("neg.st", safetensors(R"({"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}})", eight))); },
        {"neg.st", "absurd"}));
    EXPECT_NO_THROW(SafetensorsFile(write("ok.st", safetensors(ok_header, eight))));
}

// [SECTION] HF directories: config.json against the weights

TEST(Robustness, HfDirectoryErrorsNameTheFile) {
    std::string data = shared_data();
    if (data.empty()) GTEST_SKIP() << "../shared/data is absent";
    std::string src = data + "/models/lmbuddy-fake-gpt2";
    std::string dir = temp_path("hf");
    ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
    ASSERT_EQ(symlink((src + "/model.safetensors").c_str(), (dir + "/model.safetensors").c_str()), 0);
    std::ifstream f(src + "/config.json");
    std::stringstream s;
    s << f.rdbuf();
    std::string cfg = s.str();
    auto with = [&](const std::string& from, const std::string& to) {
        std::string c = cfg;
        size_t at = c.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        std::ofstream(dir + "/config.json") << c.replace(at, from.size(), to);
    };
    with("\"n_embd\": 2", "\"n_embd\": 4");
    EXPECT_TRUE(load_fails([&] { load_weights(dir); }, {"model.safetensors", "shape", "config.json"}));
    with("\"n_embd\": 2", "\"n_embd\": \"two\"");
    EXPECT_TRUE(load_fails([&] { load_weights(dir); }, {"config.json", "n_embd"}));
    with("\"n_layer\": 1", "\"n_layer\": 100000");
    EXPECT_TRUE(load_fails([&] { load_weights(dir); }, {"config.json", "n_layer", "absurd"}));
    with("\"n_head\": 1", "\"n_head\": 0");
    EXPECT_TRUE(load_fails([&] { load_weights(dir); }, {"config.json", "n_head"}));
    std::ofstream(dir + "/config.json") << "{\"vocab_size\": 5";
    EXPECT_TRUE(load_fails([&] { load_weights(dir); }, {"config.json", "JSON"}));
    EXPECT_TRUE(load_fails([&] { load_weights(dir + "/missing"); }, {"missing", "no such"}));
}

TEST(Robustness, NanInWeightsIsAWarning) {
    std::string data = shared_data();
    if (data.empty()) GTEST_SKIP() << "../shared/data is absent";
    std::string src = data + "/models/lmbuddy-fake-gpt2";
    std::string warn;
    load_weights(src, &warn);
    EXPECT_TRUE(warn.empty()) << warn;
    // The same model with one NaN in wte: it loads, with a warning naming the tensor.
    std::ifstream f(src + "/model.safetensors", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::istringstream in(bytes);
    SafetensorsFile st(in, bytes.size(), "lmbuddy");
    const SafeTensor& t = st.info("transformer.wte.weight");
    uint64_t header = 0;
    std::memcpy(&header, bytes.data(), 8);
    size_t at = 8 + header + t.begin;
    if (t.dtype == "F32") std::memcpy(&bytes[at], "\x00\x00\xc0\x7f", 4);
    else std::memcpy(&bytes[at], "\x00\x7e", 2);
    std::string dir = temp_path("nan");
    ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
    std::ofstream(dir + "/model.safetensors", std::ios::binary) << bytes;
    std::ifstream cfg(src + "/config.json");
    std::ofstream(dir + "/config.json") << cfg.rdbuf();
    warn.clear();
    load_weights(dir, &warn);
    EXPECT_NE(warn.find("transformer.wte.weight holds 1 NaN or Inf"), std::string::npos) << warn;
}

// [SECTION] llm.c

TEST(Robustness, LlmcRejectsMalformedFiles) {
    std::vector<int32_t> h(256, 0);
    auto bytes = [&] { return std::string(reinterpret_cast<const char*>(h.data()), 1024); };
    EXPECT_TRUE(load_fails([&] { load_llmc(write("short.bin", "xyz")); }, {"short.bin", "too short"}));
    h[0] = 123;
    EXPECT_TRUE(load_fails([&] { load_llmc(write("magic.bin", bytes())); }, {"magic.bin", "magic"}));
    h[0] = 20240326, h[1] = 7;
    EXPECT_TRUE(load_fails([&] { load_llmc(write("version.bin", bytes())); }, {"version.bin", "version 7"}));
    h[1] = 3, h[2] = 8, h[3] = 10, h[4] = 1, h[5] = 1, h[6] = 4, h[7] = 10;
    EXPECT_TRUE(load_fails([&] { load_llmc(write("trunc.bin", bytes() + "1234")); }, {"trunc.bin", "truncated"}));
    h[6] = 2000000000;  // absurd width: must not overflow or allocate
    EXPECT_TRUE(load_fails([&] { load_llmc(write("wide.bin", bytes())); }, {"wide.bin", "absurd"}));
    EXPECT_TRUE(load_fails([&] { Tokenizer::from_llmc(write("tok.bin", bytes())); }, {"tok.bin", "magic"}));
    h[0] = 20240328, h[1] = 2, h[2] = 3, h[3] = 2;
    EXPECT_TRUE(load_fails([&] { Tokenizer::from_llmc(write("tok2.bin", bytes() + "\x05" "ab")); }, {"tok2.bin", "truncated"}));
}

TEST(Robustness, LlmcTokenFilesRejected) {
    std::vector<int32_t> h(256, 0);
    auto bytes = [&] { return std::string(reinterpret_cast<const char*>(h.data()), 1024); };
    EXPECT_TRUE(load_fails([&] { load_llmc_tokens(temp_path("absent.bin")); }, {"absent.bin"}));
    EXPECT_TRUE(load_fails([&] { load_llmc_tokens(write("tshort.bin", "xyz")); }, {"tshort.bin", "too short"}));
    h[0] = 20240326;  // a checkpoint's magic, not a token file's
    EXPECT_TRUE(load_fails([&] { load_llmc_tokens(write("tmagic.bin", bytes())); }, {"tmagic.bin", "magic"}));
    h[0] = 20240520, h[1] = 2;
    EXPECT_TRUE(load_fails([&] { load_llmc_tokens(write("tver.bin", bytes())); }, {"tver.bin", "version 2"}));
    h[1] = 1, h[2] = 0;
    EXPECT_TRUE(load_fails([&] { load_llmc_tokens(write("tnone.bin", bytes())); }, {"tnone.bin", "no tokens"}));
    h[2] = 3;
    EXPECT_TRUE(load_fails([&] { load_llmc_tokens(write("tcount.bin", bytes() + "abcd")); }, {"tcount.bin", "3 tokens"}));
    EXPECT_EQ(load_llmc_tokens(write("tok3.bin", bytes() + std::string("\x01\x00\x00\x01\xff\xff", 6))),
              (std::vector<int>{1, 256, 65535}));
}

// [SECTION] tokenizer files

TEST(Robustness, TokenizerFilesRejected) {
    EXPECT_TRUE(load_fails([&] { Tokenizer::from_bpe_text("[1, 2]", "", "v.json", "m.txt"); }, {"v.json", "object"}));
    EXPECT_TRUE(load_fails([&] { Tokenizer::from_bpe_text("{\"a\": 5}", "", "v.json", "m.txt"); }, {"v.json", "outside"}));
    EXPECT_TRUE(load_fails([&] { Tokenizer::from_bpe_text("{\"\xff\": 0}", "", "v.json", "m.txt"); }, {"v.json", "JSON"}));
    EXPECT_TRUE(load_fails([&] { Tokenizer::from_bpe_text("{\"\xe2\x82\xac\": 0}", "", "v.json", "m.txt"); },
                           {"v.json", "byte-level"}));
    EXPECT_TRUE(load_fails([&] { Tokenizer::from_bpe_text("{\"a\": 0}", "a b c\n", "v.json", "m.txt"); }, {"m.txt", "line 1"}));
    // A vocabulary without the pieces a text needs: an error, not a crash.
    Tokenizer t = Tokenizer::from_bpe_text("{\"a\": 0}", "", "v.json", "m.txt");
    EXPECT_EQ(t.encode("aaa"), (std::vector<int>{0, 0, 0}));
    EXPECT_THROW(t.encode("b"), std::runtime_error);
}

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
