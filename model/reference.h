// model/reference.h — the CPU reference of every op: the spec that the passes are tested against.
// Plain loops, no cleverness, double accumulators. Row-major float arrays; shapes as in passes/ops.h:
// T new tokens at positions [pos0, pos0 + T), C channels, H heads of hd = C / H, S = pos0 + T keys.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "model/numerics.h"

namespace gpt2gl {
namespace ref {

// x (T, C) = wte[ids[t]] + wpe[pos0 + t]
void embed(const int* ids, int T, int pos0, const float* wte, const float* wpe, int C, float* x);
// y (T, C) = (x - mean) / sqrt(var + eps) * g + b per row
void layernorm(const float* x, int T, int C, const float* g, const float* b, float eps, float* y);
// GELU, tanh form (HF gelu_new)
float gelu(float x);
// y (T, N) = x (T, K) . w^T, w (N, K) (+ bias (N)) (gelu) (+ residual (T, N)); null pointers skip a term
void matmul(const float* x, int T, int K, const float* w, int N, const float* bias, bool gelu, const float* residual,
            float* y);
// scores (H*T, S): row h*T + t = q_h(t) . k_h(s) / sqrt(hd) for s <= pos0 + t, else 0; q (T, C), k (>= S, C)
void attn_scores(const float* q, const float* k, int T, int pos0, int C, int H, float* scores);
// probs (H*T, S): causal softmax of each row, masked keys 0
void softmax(const float* scores, int T, int pos0, int H, float* probs);
// y (T, C): y[t, c] = sum_s probs[h(c)*T + t, s] * v[s, c]; v (>= S, C)
void attn_values(const float* probs, const float* v, int T, int pos0, int C, int H, float* y);

}  // namespace ref

// The CPU reference of the whole model with a KV cache: the same ops, for benchmarks side by side with the engine
// (tests compare layer by layer against the independent NumPy forward instead).
struct Gpt2Weights;
class CpuGpt2 {
public:
    CpuGpt2(const Gpt2Weights& w, int n_ctx);
    std::vector<float> forward(const int* ids, int T);  // (V) logits of the last of T new tokens
    void reset() { pos_ = 0; }
    int pos() const { return pos_; }
    // Called with each stage's T new rows, named as Gpt2::on_stage names them (embed, h.L.ln_1, h.L.q, h.L.attn,
    // h.L.res, h.L.ln_2, h.L.mlp, h.L.out), so tests can compare the two stage by stage.
    std::function<void(const std::string& name, const std::vector<float>& rows)> on_stage;

private:
    const Gpt2Weights& w_;
    int n_ctx_, pos_ = 0;
    std::vector<std::vector<float>> k_, v_;  // per layer (n_ctx, C)
};

// The model as the q8 weights hold it: every matrix the engine quantizes (c_attn, attn.c_proj, c_fc, mlp.c_proj,
// wte, lm_head) replaced by its q8 round trip q * scale (quantize_q8). The reference for --weights q8.
Gpt2Weights q8_round_trip(const Gpt2Weights& w);
// The weights as an engine stores them (EngineOptions::weights): q8_round_trip for q8, for q4p the layers' matrices'
// round trip through quantize_q4 (and the embedding's and LM head's q8's), the matrices rounded to half for fp16
// weights, else as they are. Layer norms, biases and wpe stay in the tier.
Gpt2Weights weights_as_stored(const Gpt2Weights& w, Tier as, Tier tier);

}  // namespace gpt2gl
