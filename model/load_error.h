// model/load_error.h — the one error type of every loader: names the file and the problem, ends with a HINT.
#pragma once
#include <functional>
#include <stdexcept>
#include <string>

namespace gpt2gl {

struct LoadError : std::runtime_error {
    LoadError(const std::string& path, const std::string& problem, const std::string& hint = "")
        : std::runtime_error(path + ": " + problem + (hint.empty() ? "" : "\nHINT: " + hint)) {}
};

// Progress of a long load: what is being done, and how far (done of total, in any unit).
using Progress = std::function<void(const std::string& what, double done, double total)>;

}  // namespace gpt2gl
