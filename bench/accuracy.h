// bench/accuracy.h — `gpt2gl accuracy`: what a storage choice (tier, q8 weights) does to the model's predictions.
// The token stream is cut into non-overlapping windows and every position predicts the next token (llm.c's and the
// default model's training val loss). Per variant: loss and perplexity, top-1 accuracy; against the first variant:
// top-1 agreement and the mean KL divergence of its next-token distributions from the first's.
#pragma once
#include <nlohmann/json.hpp>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "gl/context.h"
#include "model/weights.h"

namespace gpt2gl {

struct AccuracyOptions {
    std::vector<int> tokens;                            // the stream
    int window = 256;                                   // tokens per forward
    std::vector<std::string> tiers = {"auto"};          // variants: every tier with every weights choice,
    std::vector<std::string> weights = {"tier", "q8"};  // the first one the baseline
    int max_texture_size = 0;
    int split_k = -1;
};

// On `context` (current), or a headless context of its own when null.
nlohmann::json run_accuracy(const std::shared_ptr<const Gpt2Weights>& w, const AccuracyOptions& o, std::ostream& out,
                            gl::Context* context = nullptr);

}  // namespace gpt2gl
