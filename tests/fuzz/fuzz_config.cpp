// tests/fuzz/fuzz_config.cpp — libFuzzer target: any bytes as a config.json (GPT-2) or a minGPT-style checkpoint.
#include <cstdint>
#include <string>

#include "model/load_error.h"
#include "model/weights.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        gpt2gl::parse_config(std::string(reinterpret_cast<const char*>(data), size), "fuzz/config.json");
    } catch (const gpt2gl::LoadError&) {
    }
    return 0;
}
