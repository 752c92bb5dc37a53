// cli/npy.cpp — see npy.h. Layout: "\x93NUMPY", version 1.0, a uint16 header length, then a Python dict literal
// padded with spaces to a multiple of 64 bytes (ending in '\n'), then the raw data.
#include "cli/npy.h"

#include <cstdint>
#include <fstream>
#include <stdexcept>

namespace gpt2gl {

void write_npy(const std::string& path, const std::vector<float>& data, int rows, int cols) {
    if (std::ifstream(path)) throw std::runtime_error(path + " exists; not overwriting it");
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                         std::to_string(cols) + "), }";
    while ((10 + header.size() + 1) % 64) header += ' ';
    header += '\n';
    std::ofstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot write " + path);
    f.write("\x93NUMPY\x01\x00", 8);
    uint16_t len = uint16_t(header.size());
    f.write(reinterpret_cast<const char*>(&len), 2);
    f << header;
    f.write(reinterpret_cast<const char*>(data.data()), std::streamsize(size_t(rows) * cols * 4));
    if (!f) throw std::runtime_error("cannot write " + path);
}

}  // namespace gpt2gl
