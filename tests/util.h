// tests/util.h — GL-free test helpers: paths, random data, the comparison with written tolerances, load-error
// checks, and the independent NumPy reference forward (scripts/reference_numpy.py). Used by both test binaries.
#pragma once
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "model/load_error.h"

namespace gpt2gl {

// ../shared/data, or "" when absent (tests that need it skip).
std::string shared_data();
// A fresh temporary path in a directory of this process's own, removed when it exits.
std::string temp_path(const std::string& stem);

std::vector<float> randn(size_t n, unsigned seed, float scale = 1.0f);
double rms(const std::vector<float>& v);

// Elementwise |got - want| <= atol + rtol * |want|, all finite; names the worst element on failure.
::testing::AssertionResult close(const std::vector<float>& got, const std::vector<float>& want, double rtol,
                                 double atol);

// Expects `f` to throw LoadError whose message contains every one of `parts`.
template <class F>
::testing::AssertionResult load_fails(F f, std::vector<std::string> parts) {
    try {
        f();
    } catch (const LoadError& e) {
        for (auto& p : parts)
            if (std::string(e.what()).find(p) == std::string::npos)
                return ::testing::AssertionFailure() << "message lacks \"" << p << "\": " << e.what();
        return ::testing::AssertionSuccess() << e.what();
    } catch (const std::exception& e) {
        return ::testing::AssertionFailure() << "threw something other than LoadError: " << e.what();
    }
    return ::testing::AssertionFailure() << "did not throw";
}

// Activations of the independent NumPy forward in float64 (scripts/reference_numpy.py), by stage name as
// Gpt2::on_stage names them, plus "logits" (T, V) and the greedy continuation.
struct NumpyReference {
    nlohmann::json index;
    std::vector<float> data;
    std::vector<float> get(const std::string& name) const;
    std::vector<int> greedy() const { return index.at("greedy").get<std::vector<int>>(); }
};
// Runs it on `model` for a prefill of `ids` and `greedy` greedy tokens after it (q8: with 8-bit weights, quantized
// in NumPy). Fails the test (not skips) if Debian's python3 with numpy is missing; GPT2GL_PYTHON names another
// interpreter (a GPU box whose NumPy lives in a virtual environment).
NumpyReference run_numpy_reference(const std::string& model, const std::vector<int>& ids, int greedy, bool q8 = false);
std::string join(const std::vector<int>& ids);  // "1,2,3"

}  // namespace gpt2gl
