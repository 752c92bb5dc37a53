// model/sampler.cpp — see sampler.h.
#include "model/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace gpt2gl {

int argmax(const std::vector<float>& v) { return int(std::max_element(v.begin(), v.end()) - v.begin()); }

std::vector<int> top_ids(const std::vector<float>& logits, int k) {
    std::vector<int> idx(logits.size());
    std::iota(idx.begin(), idx.end(), 0);
    size_t n = std::min(size_t(std::max(k, 0)), idx.size());
    std::partial_sort(idx.begin(), idx.begin() + long(n), idx.end(), [&](int a, int b) {
        return logits[size_t(a)] > logits[size_t(b)] || (logits[size_t(a)] == logits[size_t(b)] && a < b);
    });
    idx.resize(n);
    return idx;
}

double Sampler::uniform() { return double(rng_() >> 11) * (1.0 / 9007199254740992.0); }

std::vector<float> Sampler::probabilities(const std::vector<float>& logits, float temperature) {
    float t = temperature > 0 ? temperature : 1.0f;
    float m = *std::max_element(logits.begin(), logits.end());
    std::vector<float> p(logits.size());
    double sum = 0;
    for (size_t i = 0; i < p.size(); ++i) sum += p[i] = float(std::exp(double(logits[i] - m) / t));
    for (auto& x : p) x = float(x / sum);
    return p;
}

Sampler::Candidates Sampler::candidates(const std::vector<float>& logits, const SamplerOptions& o) {
    Candidates c;
    if (o.temperature <= 0) {
        c.ids = {argmax(logits)}, c.weights = {1.0}, c.sum = 1.0;
        return c;
    }
    // sorted by logit (ties by id, so the order is deterministic)
    c.ids = top_ids(logits, o.top_k > 0 ? o.top_k : int(logits.size()));
    size_t k = c.ids.size();
    c.weights.resize(k);
    double m = logits[size_t(c.ids[0])], sum = 0;
    for (size_t i = 0; i < k; ++i) sum += c.weights[i] = std::exp(double(logits[size_t(c.ids[i])] - m) / o.temperature);
    size_t keep = k;
    if (o.top_p < 1.0f) {  // smallest prefix whose mass reaches top_p
        double acc = 0;
        for (size_t i = 0; i < k; ++i) {
            acc += c.weights[i] / sum;
            if (acc >= o.top_p) {
                keep = i + 1;
                break;
            }
        }
        sum = 0;
        for (size_t i = 0; i < keep; ++i) sum += c.weights[i];
    }
    c.ids.resize(keep), c.weights.resize(keep), c.sum = sum;
    return c;
}

int Sampler::sample(const std::vector<float>& logits) {
    if (o_.temperature <= 0) return argmax(logits);
    Candidates c = candidates(logits, o_);
    double r = uniform() * c.sum, acc = 0;
    for (size_t i = 0; i < c.ids.size(); ++i) {
        acc += c.weights[i];
        if (r < acc) return c.ids[i];
    }
    return c.ids.back();
}

}  // namespace gpt2gl
