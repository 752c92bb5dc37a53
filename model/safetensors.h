// model/safetensors.h — reads a .safetensors file: 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}, then the raw tensor bytes.
// Every offset, shape and dtype is checked against the file before any byte is used.
#pragma once
#include <cstdint>
#include <istream>
#include <map>
#include <string>
#include <vector>

#include "model/load_error.h"

namespace gpt2gl {

struct SafeTensor {
    std::string dtype;          // F32, F16 or BF16
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;  // byte offsets into the data section
    int64_t numel() const;
};

class SafetensorsFile {
public:
    explicit SafetensorsFile(const std::string& path, const Progress& progress = nullptr);  // throws LoadError
    // The same from a stream of `size` bytes; `path` only names it in errors (the fuzz target uses this).
    SafetensorsFile(std::istream& in, uint64_t size, const std::string& path);
    bool has(const std::string& name) const { return tensors_.count(name) != 0; }
    const SafeTensor& info(const std::string& name) const;
    std::vector<float> read(const std::string& name) const;  // converted to fp32
    const std::map<std::string, SafeTensor>& tensors() const { return tensors_; }
    const std::string& path() const { return path_; }

private:
    void parse(std::istream& in, uint64_t size, const Progress& progress = nullptr);
    std::string path_;
    std::vector<uint8_t> data_;  // the data section
    std::map<std::string, SafeTensor> tensors_;
};

}  // namespace gpt2gl
