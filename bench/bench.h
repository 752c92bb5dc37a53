// bench/bench.h — `gpt2gl bench`: prefill tokens/s and decode ms/token as functions of context length and model
// size, per storage tier, with draw calls and weight bytes per token, per-pass times, and the CPU reference side by
// side. Validate, then time: every timed model first reproduces the CPU reference's greedy token.
#pragma once
#include <nlohmann/json.hpp>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace gpt2gl {

struct BenchOptions {
    std::vector<std::string> models = {"default"};   // "default", a GPT-2 shape (124M, 355M, 774M, 1.5B) or a path
    std::vector<std::string> tiers = {"auto"};
    std::vector<int> contexts = {16, 64, 256};
    int decode_steps = 8;        // timed single-token steps per context length
    int max_texture_size = 0;
    std::vector<std::string> weights = {"tier"};  // weight storage to time each tier with (EngineOptions::weights)
    std::vector<int> split_k = {-1};  // matmul K splits to time each tier with (EngineOptions::split_k; -1 auto)
    std::vector<int> draw_buffers = {-1};  // prefill matmul outputs per fragment (EngineOptions::draw_buffers; -1 auto)
    std::vector<int> tile_cols = {-1};     // of which side by side (EngineOptions::tile_cols; -1 auto)
    std::vector<std::string> gpu_profiles = {""};  // emulated GPUs to time each tier as ("" or "none": this one;
                                                   // gl/profiles.h)
    std::vector<int> tune = {1};           // matmuls tuned on this GPU (1) or drawn by the rule (0) (EngineOptions::tune)
    bool cpu = true;             // time the CPU reference too (at the two shortest contexts)
};

// Runs the benchmark, printing a table to `out` as it goes; returns every figure as JSON, and hands the figures so
// far to `progress` after each model and tier (so a run cut short still leaves its results).
// Makes its own headless context.
nlohmann::json run_bench(const BenchOptions& o, std::ostream& out,
                         const std::function<void(const nlohmann::json&)>& progress = nullptr);

}  // namespace gpt2gl
