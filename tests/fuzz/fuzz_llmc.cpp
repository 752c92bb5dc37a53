// tests/fuzz/fuzz_llmc.cpp — libFuzzer target: any bytes as an llm.c checkpoint (first byte odd) or an llm.c
// tokenizer (first byte even).
#include <cstdint>
#include <sstream>

#include "model/load_error.h"
#include "model/tokenizer.h"
#include "model/weights.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        if (data[0] & 1) {
            std::istringstream in(bytes);
            gpt2gl::parse_llmc(in, bytes.size(), "fuzz.bin");
        } else {
            gpt2gl::Tokenizer t = gpt2gl::Tokenizer::from_llmc_bytes(bytes, "fuzz_tokenizer.bin");
            t.decode({0, 1, 2, t.size() - 1, t.size(), -1});
        }
    } catch (const gpt2gl::LoadError&) {
    }
    return 0;
}
