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

int Sampler::sample(const std::vector<float>& logits) {
    if (o_.temperature <= 0) return argmax(logits);
    // candidates sorted by logit (ties by id, so the order is deterministic)
    std::vector<int> idx = top_ids(logits, o_.top_k > 0 ? o_.top_k : int(logits.size()));
    size_t k = idx.size();
    std::vector<double> p(k);
    double m = logits[size_t(idx[0])], sum = 0;
    for (size_t i = 0; i < k; ++i) sum += p[i] = std::exp(double(logits[size_t(idx[i])] - m) / o_.temperature);
    size_t keep = k;
    if (o_.top_p < 1.0f) {  // smallest prefix whose mass reaches top_p
        double acc = 0;
        for (size_t i = 0; i < k; ++i) {
            acc += p[i] / sum;
            if (acc >= o_.top_p) {
                keep = i + 1;
                break;
            }
        }
        sum = 0;
        for (size_t i = 0; i < keep; ++i) sum += p[i];
    }
    double r = uniform() * sum, acc = 0;
    for (size_t i = 0; i < keep; ++i) {
        acc += p[i];
        if (r < acc) return idx[i];
    }
    return idx[keep - 1];
}

}  // namespace gpt2gl
