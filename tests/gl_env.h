// tests/gl_env.h — (GL tests only) one headless GL context for the whole test run, engines cached per (tier, texture limit),
// and the comparison helpers the tests share (tolerances are given by each test, with their reasons).
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gl/caps.h"
#include "gl/context.h"
#include "passes/engine.h"
#include "tests/util.h"

namespace gpt2gl {

const gl::Caps& test_caps();  // creates the context on first use
gl::Context& test_context();  // the same context (a Generator in a test runs on it)

// A storage tier and a texture limit (0: the driver's): what parameterized suites run over.
struct TierCase {
    Tier tier;
    int max_size;
};
std::string case_name(const ::testing::TestParamInfo<TierCase>& info);  // e.g. "rgba8_max256"

// A test run once per TierCase, with the engine for it in `e` (skipped, saying why, when the tier is unavailable).
class TierTest : public ::testing::TestWithParam<TierCase> {
protected:
    void SetUp() override;
    Tier tier() const { return GetParam().tier; }
    Engine* e = nullptr;
};
// The engine for a tier and texture limit (0: the driver's), or null with *why set when the tier is unavailable.
Engine* test_engine(Tier tier, int max_size, std::string* why);

// A fresh engine for a tier and texture limit with weights stored as `weights` (EngineOptions::weights).
std::unique_ptr<Engine> weights_engine(const TierCase& c, const std::string& weights);
inline std::unique_ptr<Engine> q8_engine(const TierCase& c) { return weights_engine(c, "q8"); }

// What a tier stores for these values: fp16 rounds to half, half to two halves; fp32 and rgba8 keep fp32.
std::vector<float> stored(Tier tier, const std::vector<float>& v);

// Every texel outside rows [row0, row1) x cols [col0, col1) still holds `sentinel` (nothing written outside).
::testing::AssertionResult untouched_outside(const Tensor& t, int row0, int row1, int col0, int col1, float sentinel);
// The same for several row ranges [first, second) over the same cols.
::testing::AssertionResult untouched_outside(const Tensor& t, const std::vector<std::pair<int, int>>& rows, int col0,
                                             int col1, float sentinel);
// Fills a tensor's whole texture (padding too) with `value`.
void fill(Tensor& t, float value);

}  // namespace gpt2gl
