// model/safetensors.cpp — see safetensors.h.
#include "model/safetensors.h"

#include <glm/gtc/packing.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "model/load_error.h"

namespace gpt2gl {

int64_t SafeTensor::numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

static int dtype_size(const std::string& d) { return d == "F32" ? 4 : d == "F16" || d == "BF16" ? 2 : 0; }

SafetensorsFile::SafetensorsFile(const std::string& path, const Progress& progress) : path_(path) {
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) throw LoadError(path, "cannot open the file");
    uint64_t size = uint64_t(f.tellg());
    f.seekg(0);
    parse(f, size, progress);
}

SafetensorsFile::SafetensorsFile(std::istream& in, uint64_t size, const std::string& path) : path_(path) {
    parse(in, size);
}

void SafetensorsFile::parse(std::istream& f, uint64_t size, const Progress& progress) {
    const std::string& path = path_;
    if (size < 8) throw LoadError(path, "file of " + std::to_string(size) + " bytes is too short for a safetensors header");
    uint8_t len_bytes[8];
    f.read(reinterpret_cast<char*>(len_bytes), 8);
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = header_len << 8 | len_bytes[i];
    if (header_len > size - 8 || header_len > (100u << 20))
        throw LoadError(path, "header length " + std::to_string(header_len) + " is past the end of a " +
                                  std::to_string(size) + "-byte file", "the file is truncated or not safetensors");
    std::string header(header_len, '\0');
    f.read(&header[0], std::streamsize(header_len));
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(header);
    } catch (const std::exception& e) {
        throw LoadError(path, std::string("header is not valid JSON: ") + e.what());
    }
    if (!j.is_object()) throw LoadError(path, "header is not a JSON object");
    uint64_t data_size = size - 8 - header_len;
    std::vector<std::pair<uint64_t, uint64_t>> spans;
    for (auto& [name, v] : j.items()) {
        if (name == "__metadata__") continue;
        SafeTensor t;
        try {
            t.dtype = v.at("dtype").get<std::string>();
            t.shape = v.at("shape").get<std::vector<int64_t>>();
            auto off = v.at("data_offsets").get<std::vector<uint64_t>>();
            if (off.size() != 2) throw LoadError(path, "tensor " + name + ": data_offsets must have 2 entries");
            t.begin = off[0];
            t.end = off[1];
        } catch (const nlohmann::json::exception& e) {
            throw LoadError(path, "tensor " + name + ": malformed entry (" + e.what() + ")");
        }
        if (dtype_size(t.dtype) == 0)
            throw LoadError(path, "tensor " + name + " has dtype " + t.dtype + "; gpt2gl reads F32, F16 and BF16");
        int64_t n = 1;
        for (int64_t d : t.shape) {
            if (d < 0 || d > (int64_t(1) << 32)) throw LoadError(path, "tensor " + name + " has an absurd dimension " + std::to_string(d));
            n *= d;
            if (n > (int64_t(1) << 34)) throw LoadError(path, "tensor " + name + " is absurdly large");
        }
        if (t.end < t.begin || t.end > data_size)
            throw LoadError(path, "tensor " + name + ": data_offsets [" + std::to_string(t.begin) + ", " +
                                      std::to_string(t.end) + ") are outside the " + std::to_string(data_size) +
                                      "-byte data section", "the file is truncated or corrupt");
        if (t.end - t.begin != uint64_t(n) * dtype_size(t.dtype))
            throw LoadError(path, "tensor " + name + ": " + std::to_string(t.end - t.begin) + " bytes for " +
                                      std::to_string(n) + " " + t.dtype + " values");
        spans.push_back({t.begin, t.end});
        tensors_[name] = t;
    }
    std::sort(spans.begin(), spans.end());
    for (size_t i = 1; i < spans.size(); ++i)
        if (spans[i].first < spans[i - 1].second) throw LoadError(path, "two tensors' data overlap");
    data_.resize(data_size);
    const uint64_t chunk = 64u << 20;  // read in 64 MiB pieces, reporting progress
    for (uint64_t at = 0; at < data_size; at += chunk) {
        f.read(reinterpret_cast<char*>(data_.data() + at), std::streamsize(std::min(chunk, data_size - at)));
        if (!f) throw LoadError(path, "could not read the data section");
        if (progress) progress("reading " + path, double(std::min(at + chunk, data_size)), double(data_size));
    }
}

const SafeTensor& SafetensorsFile::info(const std::string& name) const {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) throw LoadError(path_, "no tensor named " + name);
    return it->second;
}

std::vector<float> SafetensorsFile::read(const std::string& name) const {
    const SafeTensor& t = info(name);
    size_t n = size_t(t.numel());
    std::vector<float> out(n);
    const uint8_t* p = data_.data() + t.begin;
    if (t.dtype == "F32") {
        std::memcpy(out.data(), p, n * 4);
    } else if (t.dtype == "F16") {
        for (size_t i = 0; i < n; ++i) out[i] = glm::unpackHalf1x16(uint16_t(p[2 * i] | p[2 * i + 1] << 8));
    } else {  // BF16: the top half of an fp32
        for (size_t i = 0; i < n; ++i) {
            uint32_t bits = uint32_t(p[2 * i] | p[2 * i + 1] << 8) << 16;
            std::memcpy(&out[i], &bits, 4);
        }
    }
    return out;
}

}  // namespace gpt2gl
