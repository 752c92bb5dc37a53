// tests/fuzz/fuzz_tokenizer.cpp — libFuzzer target. First byte even: encode the rest as text with GPT-2's own
// vocabulary (UTF-8 or not) and check decode(encode(x)) == x. First byte odd: the rest is "vocab.json\0merges.txt"
// for a tokenizer that is then used.
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "model/load_error.h"
#include "model/tokenizer.h"

static const gpt2gl::Tokenizer& gpt2() {
    static gpt2gl::Tokenizer t = gpt2gl::Tokenizer::from_bpe(std::string(GPT2GL_GPT2_TOKENIZER) + "/encoder.json",
                                                              std::string(GPT2GL_GPT2_TOKENIZER) + "/vocab.bpe");
    return t;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        if (!(data[0] & 1)) {
            auto ids = gpt2().encode(rest);
            if (gpt2().decode(ids) != rest) std::abort();  // byte-level BPE must round-trip any valid UTF-8
        } else {
            size_t z = rest.find('\0');
            if (z == std::string::npos) return 0;
            auto t = gpt2gl::Tokenizer::from_bpe_text(rest.substr(0, z), rest.substr(z + 1), "fuzz/vocab.json",
                                                      "fuzz/merges.txt");
            t.decode(t.encode("Hello world, it's 2026!"));
        }
    } catch (const gpt2gl::LoadError&) {
    } catch (const std::runtime_error&) {  // invalid UTF-8, or a vocabulary without the needed pieces
    }
    return 0;
}
