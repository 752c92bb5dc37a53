// tests/core/loaders_test.cpp — every loader (safetensors, HF directories, llm.c checkpoints, token files and
// tokenizers, vocab.json / merges.txt) rejects malformed or hostile input with an error naming the file and the
// problem. GL-free: part of the core suite.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "model/load_error.h"
#include "model/safetensors.h"
#include "model/tokenizer.h"
#include "model/weights.h"
#include "tests/util.h"

using namespace gpt2gl;

namespace {

const std::string kSrc = GPT2GL_SOURCE_DIR;

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

}  // namespace

// [SECTION] safetensors

TEST(Loaders, SafetensorsRejectsMalformedFiles) {
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

TEST(Loaders, HfDirectoryErrorsNameTheFile) {
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

TEST(Loaders, NanInWeightsIsAWarning) {
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

TEST(Loaders, LlmcRejectsMalformedFiles) {
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

TEST(Loaders, LlmcTokenFilesRejected) {
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

TEST(Loaders, TokenizerFilesRejected) {
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

