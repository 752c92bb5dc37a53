// cli/npy.h — writes a float32 array as a NumPy .npy file (format version 1.0, little-endian, C order).
#pragma once
#include <string>
#include <vector>

namespace gpt2gl {

// data: rows * cols floats, row-major. Throws std::runtime_error if `path` exists (nothing is overwritten) or
// cannot be written.
void write_npy(const std::string& path, const std::vector<float>& data, int rows, int cols);

}  // namespace gpt2gl
