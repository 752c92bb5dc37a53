// tests/fuzz/fuzz_safetensors.cpp — libFuzzer target: any bytes as a .safetensors file. Must reject with LoadError
// or read every tensor; never crash, read out of bounds or allocate without bound.
#include <cstdint>
#include <sstream>

#include "model/load_error.h"
#include "model/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    try {
        gpt2gl::SafetensorsFile f(in, size, "fuzz.safetensors");
        for (auto& kv : f.tensors()) f.read(kv.first);
    } catch (const gpt2gl::LoadError&) {
    }
    return 0;
}
