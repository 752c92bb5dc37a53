// model/reference.cpp — CPU reference ops. See reference.h.
#include "model/reference.h"

#include <cmath>
#include <stdexcept>

#include "model/weights.h"
#include "model/numerics.h"

namespace gpt2gl {
namespace ref {

void embed(const int* ids, int T, int pos0, const float* wte, const float* wpe, int C, float* x) {
    for (int t = 0; t < T; ++t)
        for (int c = 0; c < C; ++c)
            x[t * C + c] = wte[size_t(ids[t]) * C + c] + wpe[size_t(pos0 + t) * C + c];
}

void layernorm(const float* x, int T, int C, const float* g, const float* b, float eps, float* y) {
    for (int t = 0; t < T; ++t) {
        const float* r = x + size_t(t) * C;
        double mean = 0, var = 0;
        for (int c = 0; c < C; ++c) mean += r[c];
        mean /= C;
        for (int c = 0; c < C; ++c) var += (r[c] - mean) * (r[c] - mean);
        var /= C;
        double inv = 1.0 / std::sqrt(var + eps);
        for (int c = 0; c < C; ++c) y[size_t(t) * C + c] = float((r[c] - mean) * inv * g[c] + b[c]);
    }
}

float gelu(float x) {
    double u = 0.7978845608028654 * (x + 0.044715 * double(x) * x * x);
    return float(0.5 * x * (1.0 + std::tanh(u)));
}

void matmul(const float* x, int T, int K, const float* w, int N, const float* bias, bool use_gelu,
            const float* residual, float* y) {
    for (int t = 0; t < T; ++t)
        for (int n = 0; n < N; ++n) {
            double acc = bias ? bias[n] : 0.0;
            for (int k = 0; k < K; ++k) acc += double(x[size_t(t) * K + k]) * w[size_t(n) * K + k];
            float v = float(acc);
            if (use_gelu) v = gelu(v);
            if (residual) v += residual[size_t(t) * N + n];
            y[size_t(t) * N + n] = v;
        }
}

void attn_scores(const float* q, const float* k, int T, int pos0, int C, int H, float* scores) {
    int hd = C / H, S = pos0 + T;
    double scale = 1.0 / std::sqrt(double(hd));
    for (int h = 0; h < H; ++h)
        for (int t = 0; t < T; ++t)
            for (int s = 0; s < S; ++s) {
                double acc = 0;
                if (s <= pos0 + t)
                    for (int d = 0; d < hd; ++d) acc += double(q[size_t(t) * C + h * hd + d]) * k[size_t(s) * C + h * hd + d];
                scores[(size_t(h) * T + t) * S + s] = float(acc * scale);
            }
}

void softmax(const float* scores, int T, int pos0, int H, float* probs) {
    int S = pos0 + T;
    for (int h = 0; h < H; ++h)
        for (int t = 0; t < T; ++t) {
            const float* r = scores + (size_t(h) * T + t) * S;
            float* p = probs + (size_t(h) * T + t) * S;
            int last = pos0 + t;
            double m = r[0], sum = 0;
            for (int s = 0; s <= last; ++s) m = r[s] > m ? r[s] : m;
            for (int s = 0; s <= last; ++s) sum += std::exp(r[s] - m);
            for (int s = 0; s < S; ++s) p[s] = s <= last ? float(std::exp(r[s] - m) / sum) : 0.0f;
        }
}

void attn_values(const float* probs, const float* v, int T, int pos0, int C, int H, float* y) {
    int hd = C / H, S = pos0 + T;
    for (int t = 0; t < T; ++t)
        for (int c = 0; c < C; ++c) {
            int h = c / hd;
            double acc = 0;
            for (int s = 0; s < S; ++s) acc += double(probs[(size_t(h) * T + t) * S + s]) * v[size_t(s) * C + c];
            y[size_t(t) * C + c] = float(acc);
        }
}

}  // namespace ref

CpuGpt2::CpuGpt2(const Gpt2Weights& w, int n_ctx) : w_(w), n_ctx_(n_ctx) {
    for (int l = 0; l < w.cfg.n_layer; ++l) {
        k_.emplace_back(size_t(n_ctx) * w.cfg.n_embd);
        v_.emplace_back(size_t(n_ctx) * w.cfg.n_embd);
    }
}

std::vector<float> CpuGpt2::forward(const int* ids, int T) {
    const Gpt2Config& c = w_.cfg;
    const int C = c.n_embd, H = c.n_head, I = c.n_inner, S = pos_ + T;
    if (S > n_ctx_) throw std::runtime_error("CpuGpt2: past the context");
    std::vector<float> x(size_t(T) * C), y(x.size()), ln(x.size()), q(x.size()), a(x.size()), h(size_t(T) * I);
    std::vector<float> scores(size_t(H) * T * S), probs(scores.size());
    ref::embed(ids, T, pos_, w_.wte.data(), w_.wpe.data(), C, x.data());
    auto stage = [&](int l, const char* name, const std::vector<float>& v) {
        if (on_stage) on_stage(l < 0 ? std::string(name) : "h." + std::to_string(l) + "." + name, v);
    };
    stage(-1, "embed", x);
    for (int l = 0; l < c.n_layer; ++l) {
        const LayerWeights& L = w_.layers[size_t(l)];
        ref::layernorm(x.data(), T, C, L.ln_1_w.data(), L.ln_1_b.data(), c.layer_norm_epsilon, ln.data());
        stage(l, "ln_1", ln);
        ref::matmul(ln.data(), T, C, L.c_attn_w.data(), C, L.c_attn_b.data(), false, nullptr, q.data());
        stage(l, "q", q);
        float* k = k_[size_t(l)].data() + size_t(pos_) * C;
        float* v = v_[size_t(l)].data() + size_t(pos_) * C;
        ref::matmul(ln.data(), T, C, L.c_attn_w.data() + size_t(C) * C, C, L.c_attn_b.data() + C, false, nullptr, k);
        ref::matmul(ln.data(), T, C, L.c_attn_w.data() + size_t(2) * C * C, C, L.c_attn_b.data() + 2 * C, false, nullptr, v);
        ref::attn_scores(q.data(), k_[size_t(l)].data(), T, pos_, C, H, scores.data());
        ref::softmax(scores.data(), T, pos_, H, probs.data());
        ref::attn_values(probs.data(), v_[size_t(l)].data(), T, pos_, C, H, a.data());
        stage(l, "attn", a);
        ref::matmul(a.data(), T, C, L.attn_proj_w.data(), C, L.attn_proj_b.data(), false, x.data(), y.data());
        stage(l, "res", y);
        ref::layernorm(y.data(), T, C, L.ln_2_w.data(), L.ln_2_b.data(), c.layer_norm_epsilon, ln.data());
        stage(l, "ln_2", ln);
        ref::matmul(ln.data(), T, C, L.c_fc_w.data(), I, L.c_fc_b.data(), true, nullptr, h.data());
        stage(l, "mlp", h);
        ref::matmul(h.data(), T, I, L.mlp_proj_w.data(), C, L.mlp_proj_b.data(), false, y.data(), x.data());
        stage(l, "out", x);
    }
    ref::layernorm(x.data() + size_t(T - 1) * C, 1, C, w_.ln_f_w.data(), w_.ln_f_b.data(), c.layer_norm_epsilon, ln.data());
    std::vector<float> logits(size_t(c.vocab_size));
    const std::vector<float>& head = w_.lm_head.empty() ? w_.wte : w_.lm_head;
    ref::matmul(ln.data(), 1, C, head.data(), c.vocab_size, nullptr, false, nullptr, logits.data());
    pos_ = S;
    return logits;
}

// Each weight matrix (out, in) through trip(m, rows, cols).
template <typename Trip>
static Gpt2Weights map_matrices(const Gpt2Weights& w, Trip trip) {
    Gpt2Weights out = w;
    const Gpt2Config& c = w.cfg;
    const int C = c.n_embd, I = c.n_inner;
    trip(out.wte, c.vocab_size, C);
    trip(out.lm_head, c.vocab_size, C);
    for (auto& L : out.layers) {
        trip(L.c_attn_w, 3 * C, C);  // per row: quantizing q, k, v apart (as the engine does) is the same
        trip(L.attn_proj_w, C, C);
        trip(L.c_fc_w, I, C);
        trip(L.mlp_proj_w, C, I);
    }
    return out;
}

Gpt2Weights q8_round_trip(const Gpt2Weights& w) {
    return map_matrices(w, [](std::vector<float>& m, int rows, int cols) {
        if (m.empty()) return;
        std::vector<float> q, s;
        quantize_q8(m.data(), rows, cols, &q, &s);
        m = dequantize_q8(q, s, cols);
    });
}

Gpt2Weights weights_as_stored(const Gpt2Weights& w, Tier as, Tier tier) {
    if (as == Tier::q8 || as == Tier::q8p) return q8_round_trip(w);
    if (as == Tier::q4p) {  // the layers' matrices in 4 bits, the embedding and LM head in 8 (Engine::split)
        Gpt2Weights out = q8_round_trip(w);
        const int C = w.cfg.n_embd, I = w.cfg.n_inner;
        auto trip = [](std::vector<float>& m, const std::vector<float>& from, int rows, int cols) {
            std::vector<float> q, s;
            quantize_q4(from.data(), rows, cols, &q, &s);
            m = dequantize_q4(q, s, cols);
        };
        for (size_t l = 0; l < out.layers.size(); ++l) {
            LayerWeights& L = out.layers[l];
            const LayerWeights& W = w.layers[l];
            trip(L.c_attn_w, W.c_attn_w, 3 * C, C);
            trip(L.attn_proj_w, W.attn_proj_w, C, C);
            trip(L.c_fc_w, W.c_fc_w, I, C);
            trip(L.mlp_proj_w, W.mlp_proj_w, C, I);
        }
        return out;
    }
    if (as == Tier::fp16 && tier != Tier::fp16)
        return map_matrices(w, [](std::vector<float>& m, int, int) { m = round_to_half(m); });
    return w;
}

}  // namespace gpt2gl
