// model/sampler.h — picks the next token from logits: greedy (temperature 0), or temperature, top-k and top-p
// sampling from a seeded mt19937_64 (its output is fixed by the C++ standard, so the same seed gives the same
// tokens with any standard library: native and web alike).
#pragma once
#include <cstdint>
#include <random>
#include <vector>

namespace gpt2gl {

struct SamplerOptions {
    float temperature = 1.0f;  // 0: greedy
    int top_k = 0;             // 0: off
    float top_p = 1.0f;        // 1: off
    uint64_t seed = 1337;
};

class Sampler {
public:
    explicit Sampler(const SamplerOptions& o) : o_(o), rng_(o.seed) {}
    int sample(const std::vector<float>& logits);
    // New temperature, top-k and top-p from the next sample on; the random stream goes on (the seed is used only
    // when a Sampler is made).
    void set_options(const SamplerOptions& o) { o_ = o; }

    // The tokens sample() draws from, most likely first, each with weight exp((logit - max) / T): the top-k, then
    // the smallest prefix whose probability reaches top-p; a token's chance is weight / sum. Greedy: the argmax.
    struct Candidates {
        std::vector<int> ids;
        std::vector<double> weights;
        double sum = 0;
    };
    static Candidates candidates(const std::vector<float>& logits, const SamplerOptions& o);
    // Probabilities after temperature (softmax of logits / T; T = 0 treated as 1), for display.
    static std::vector<float> probabilities(const std::vector<float>& logits, float temperature);

private:
    double uniform();  // [0, 1) from 53 bits of the engine
    SamplerOptions o_;
    std::mt19937_64 rng_;
};

int argmax(const std::vector<float>& v);
// The ids of the k largest logits, largest first (ties: lower id first).
std::vector<int> top_ids(const std::vector<float>& logits, int k);

}  // namespace gpt2gl
