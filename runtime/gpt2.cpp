// runtime/gpt2.cpp — the forward graph. See gpt2.h.
#include "runtime/gpt2.h"

#include <algorithm>
#include <stdexcept>

#include "model/numerics.h"
#include "model/sampler.h"

namespace gpt2gl {

// LnFold's csum[n] = sum_k g[k] w[n, k] and fbias[n] = bias[n] + sum_k b[k] w[n, k] for a layer norm (g, b) folded
// into w (rows, cols), w as the engine stores it (`as`: q8p or q4p, weights_as_stored's round trip); in double.
static void fold_sums(const float* w, int rows, int cols, Tier as, const float* g, const float* b, const float* bias,
                      std::vector<float>* csum, std::vector<float>* fbias) {
    std::vector<float> q, s, stored;
    if (as == Tier::q4p) quantize_q4(w, rows, cols, &q, &s), stored = dequantize_q4(q, s, cols);
    else quantize_q8(w, rows, cols, &q, &s), stored = dequantize_q8(q, s, cols);
    csum->resize(size_t(rows)), fbias->resize(size_t(rows));
    for (int n = 0; n < rows; ++n) {
        const float* r = stored.data() + size_t(n) * cols;
        double c = 0, f = bias[n];
        for (int k = 0; k < cols; ++k) c += double(g[k]) * r[k], f += double(b[k]) * r[k];
        (*csum)[size_t(n)] = float(c), (*fbias)[size_t(n)] = float(f);
    }
}

Gpt2::Gpt2(Engine& e, const Gpt2Weights& w, int n_ctx, bool inspect, const Progress& progress)
    : e_(e), cfg_(w.cfg), inspect_(inspect) {
    const int C = cfg_.n_embd, V = cfg_.vocab_size, I = cfg_.n_inner, H = cfg_.n_head, Cp = (C + 3) / 4 * 4;
    n_ctx_ = n_ctx > 0 ? std::min(n_ctx, cfg_.n_positions) : cfg_.n_positions;
    if (e.tier() == Tier::half) {  // its shaders index in FP16 (Engine::draw checks each pass; this says it up front)
        const int widest = std::max({3 * Cp, I, C}), lines = H * n_ctx_;
        if (widest > 2048 || lines > 2048)
            throw gl::Error("this model is beyond the half tier's FP16 indices (exact up to 2048): its widest rows "
                            "hold " + std::to_string(widest) + " values (3 x n_embd, the MLP) and its attention " +
                            std::to_string(lines) + " rows (n_head x context)\nHINT: the half tier runs models with "
                            "3 x n_embd and the MLP up to 2048 and n_head x context up to 2048 (--ctx lowers the "
                            "context); GPUs with highp run any model on fp32, fp16 or rgba8");
    }
    auto vec = [&](const std::string& name, const float* data, int n) {
        Tensor t = e.tensor(name, 1, n);
        t.upload(data);
        return t;
    };
    // weights "auto": 8-bit for a big model
    e.fit_weights(double(w.count_params()), double(V) * C * (w.lm_head.empty() ? 1 : 2));
    fold_ = !inspect && e.tier() == Tier::fp32 && (e.weights() == Tier::q8p || e.weights() == Tier::q4p) &&
            e.caps().draw_buffers >= 2;
    wte_ = e.split("wte", V, C, w.wte.data(), true);
    if (!w.lm_head.empty()) lm_head_ = e.split("lm_head", V, C, w.lm_head.data(), true);
    wpe_ = e.tensor("wpe", cfg_.n_positions, C);
    wpe_.upload(w.wpe.data());
    ln_f_w_ = vec("ln_f.w", w.ln_f_w.data(), C);
    ln_f_b_ = vec("ln_f.b", w.ln_f_b.data(), C);
    for (int l = 0; l < cfg_.n_layer; ++l) {
        const LayerWeights& s = w.layers[size_t(l)];
        std::string p = "h." + std::to_string(l) + ".";
        Layer L;
        L.ln_1_w = vec(p + "ln_1.w", s.ln_1_w.data(), C);
        L.ln_1_b = vec(p + "ln_1.b", s.ln_1_b.data(), C);
        std::vector<float> w(size_t(3) * Cp * C, 0.0f), b(size_t(3) * Cp, 0.0f);  // c_attn's blocks at 0, Cp, 2 Cp
        for (int blk = 0; blk < 3; ++blk) {
            std::copy_n(s.c_attn_w.data() + size_t(blk) * C * C, size_t(C) * C, w.begin() + long(blk) * Cp * C);
            std::copy_n(s.c_attn_b.data() + size_t(blk) * C, C, b.begin() + long(blk) * Cp);
        }
        L.wqkv = e.split(p + "attn.wqkv", 3 * Cp, C, w.data());
        L.bqkv = vec(p + "attn.bqkv", b.data(), 3 * Cp);
        L.attn_proj_w = e.split(p + "attn.c_proj.w", C, C, s.attn_proj_w.data());
        L.attn_proj_b = vec(p + "attn.c_proj.b", s.attn_proj_b.data(), C);
        L.ln_2_w = vec(p + "ln_2.w", s.ln_2_w.data(), C);
        L.ln_2_b = vec(p + "ln_2.b", s.ln_2_b.data(), C);
        L.c_fc_w = e.split(p + "mlp.c_fc.w", I, C, s.c_fc_w.data());
        L.c_fc_b = vec(p + "mlp.c_fc.b", s.c_fc_b.data(), I);
        L.mlp_proj_w = e.split(p + "mlp.c_proj.w", C, I, s.mlp_proj_w.data());
        L.mlp_proj_b = vec(p + "mlp.c_proj.b", s.mlp_proj_b.data(), C);
        L.qkv = e.tensor(p + "qkv", n_ctx_, 3 * Cp);
        if (fold_) {
            std::vector<float> csum, fbias;
            fold_sums(w.data(), 3 * Cp, C, e.weights(), s.ln_1_w.data(), s.ln_1_b.data(), b.data(), &csum, &fbias);
            L.ln_1_csum = vec(p + "ln_1 . wqkv", csum.data(), 3 * Cp);
            L.ln_1_fbias = vec(p + "bqkv + ln_1.b . wqkv", fbias.data(), 3 * Cp);
            fold_sums(s.c_fc_w.data(), I, C, e.weights(), s.ln_2_w.data(), s.ln_2_b.data(), s.c_fc_b.data(), &csum,
                      &fbias);
            L.ln_2_csum = vec(p + "ln_2 . c_fc", csum.data(), I);
            L.ln_2_fbias = vec(p + "c_fc.b + ln_2.b . c_fc", fbias.data(), I);
        }
        layers_.push_back(std::move(L));
        if (progress) progress("uploading layers to the GPU", l + 1, cfg_.n_layer);
    }
    // Activations for up to n_ctx new tokens at once (a whole prompt in one prefill).
    ids_ = TokenIds(e.storage(), n_ctx_);
    if (fold_) {  // x | x * g, and the ping-pong partner's pair
        folds_[0] = std::make_unique<TensorGroup>(e.storage(), "x", 2, n_ctx_, C);
        folds_[1] = std::make_unique<TensorGroup>(e.storage(), "y", 2, n_ctx_, C);
    } else {
        resid_[0] = e.tensor("x", n_ctx_, C);
        if (!e.can_accumulate()) resid_[1] = e.tensor("y", n_ctx_, C);  // the residual's ping-pong partner
    }
    ln_ = e.tensor("ln", n_ctx_, C);
    attn_ = e.tensor("attn", n_ctx_, C);
    h_ = e.tensor("mlp.h", n_ctx_, I);
    scores_ = e.tensor("scores", H * n_ctx_, n_ctx_);
    probs_ = e.tensor("probs", H * n_ctx_, n_ctx_);
    logits_ = e.tensor("logits", 1, V);
    if (e.row_stats()) argmax_ = e.tensor("argmax", 1, 4);
    ln_stats_ = layernorm_stats(e, n_ctx_, C);
    softmax_stats_ = softmax_stats(e, scores_);
    if (inspect_) {
        embed_l_ = e.tensor("embed", n_ctx_, C);
        for (int l = 0; l < cfg_.n_layer; ++l) {
            std::string p = "h." + std::to_string(l) + ".";
            probs_l_.push_back(e.tensor(p + "probs", H * n_ctx_, n_ctx_));
            res_l_.push_back(e.tensor(p + "res", n_ctx_, C));
            out_l_.push_back(e.tensor(p + "out", n_ctx_, C));
        }
    }
}

void Gpt2::forward(const int* ids, int T) {
    if (T <= 0) throw std::runtime_error("forward: no tokens");
    if (pos_ + T > n_ctx_)
        throw std::runtime_error("the sequence would be " + std::to_string(pos_ + T) + " tokens, longer than the " +
                                 std::to_string(n_ctx_) + "-token context");
    for (int i = 0; i < T; ++i)
        if (ids[i] < 0 || ids[i] >= cfg_.vocab_size)
            throw std::runtime_error("token id " + std::to_string(ids[i]) + " is outside the vocabulary of " +
                                     std::to_string(cfg_.vocab_size));
    const int H = cfg_.n_head, pos = pos_, C = cfg_.n_embd, Cp = (C + 3) / 4 * 4;
    const float eps = cfg_.layer_norm_epsilon;
    // decode's layer norms folded into their matmuls (fold_) where every matmul of a layer sums its slices by a ksum
    // pass anyway (once their shapes are tuned: not in the first decode step)
    const Layer& L0 = layers_[0];
    const bool fold = fold_ && T == 1 && !on_stage && decode_sums_slices(e_, L0.wqkv) &&
                      decode_sums_slices(e_, L0.attn_proj_w) && decode_sums_slices(e_, L0.c_fc_w) &&
                      decode_sums_slices(e_, L0.mlp_proj_w);
    ids_.upload(ids, T);
    e_.set_scope("embed");
    embed(e_, wte_, wpe_, ids_, T, pos, x());
    stage("embed", x());
    if (inspect_) copy(e_, x(), T, embed_l_, pos);
    for (int l = 0; l < cfg_.n_layer; ++l) {
        Layer& L = layers_[size_t(l)];
        e_.set_scope("h." + std::to_string(l));
        MatmulArgs a;
        a.rows = T;
        a.y_row0 = pos;
        LnFold ln_1{&ln_stats_, &L.ln_1_csum, &L.ln_1_fbias, eps};
        if (fold && l > 0) {  // the last layer's MLP wrote x * ln_1's gain beside x
            layernorm_row_stats(e_, x(), T, ln_stats_);
            a.ln_fold = &ln_1;
            matmul(e_, folds_[cur_]->tensors[1], L.wqkv, L.qkv, a);
        } else {
            layernorm(e_, x(), L.ln_1_w, L.ln_1_b, eps, T, ln_, &ln_stats_);
            stage(l, "ln_1", ln_);
            a.bias = &L.bqkv;
            matmul(e_, ln_, L.wqkv, L.qkv, a);
        }
        stage(l, "q", L.qkv, pos, 0, C);
        stage(l, "k", L.qkv, pos, Cp, C);
        stage(l, "v", L.qkv, pos, 2 * Cp, C);
        AttnCols at;
        at.C = C, at.q_row0 = pos, at.k_col4 = Cp / 4, at.v_col4 = 2 * Cp / 4;
        Tensor& probs = inspect_ ? probs_l_[size_t(l)] : probs_;
        AttnRows rows;  // inspect: rows by absolute position, so probs keep the whole matrix across decode steps
        if (inspect_) rows.R = n_ctx_, rows.q0 = pos;
        attn_scores(e_, L.qkv, L.qkv, H, T, pos, scores_, rows, at);
        if (inspect_ || !softmax_stats_) {  // the probabilities kept (the viewer), or no statistics between passes
            softmax(e_, scores_, H, T, pos, probs, rows, &softmax_stats_);
            stage(l, "probs", probs);
            attn_values(e_, probs, L.qkv, H, T, pos, attn_, rows, at);
        } else {  // attn_values makes each probability as it reads the scores: no softmax pass
            softmax_row_stats(e_, scores_, H, T, pos, softmax_stats_, rows);
            if (on_stage) {  // observed: the probabilities made as well, for the observer alone
                softmax(e_, scores_, H, T, pos, probs, rows, &softmax_stats_);
                stage(l, "probs", probs);
            }
            attn_values(e_, scores_, L.qkv, H, T, pos, attn_, rows, at, &softmax_stats_);
        }
        stage(l, "attn", attn_);
        add_to_residual(attn_, L.attn_proj_w, L.attn_proj_b, T, false, fold ? &L.ln_2_w : nullptr);
        stage(l, "res", x());
        if (inspect_) copy(e_, x(), T, res_l_[size_t(l)], pos);
        // A split c_fc cannot apply GELU to its partial sums: then c_proj applies it as it reads h.
        const int C4 = (cfg_.n_embd + 3) / 4;
        bool defer_gelu = matmul_slices(e_, L.c_fc_w, T, C4) > 1;
        MatmulArgs fc;
        fc.rows = T;
        fc.gelu = !defer_gelu;
        LnFold ln_2{&ln_stats_, &L.ln_2_csum, &L.ln_2_fbias, eps};
        if (fold) {  // x * ln_2's gain beside x (its ksum sums all of c_fc's slices: GELU there)
            layernorm_row_stats(e_, x(), T, ln_stats_);
            fc.ln_fold = &ln_2;
            matmul(e_, folds_[cur_]->tensors[1], L.c_fc_w, h_, fc);
        } else {
            layernorm(e_, x(), L.ln_2_w, L.ln_2_b, eps, T, ln_, &ln_stats_);
            stage(l, "ln_2", ln_);
            fc.bias = &L.c_fc_b;
            matmul(e_, ln_, L.c_fc_w, h_, fc);
        }
        stage(l, defer_gelu ? "fc" : "mlp", h_);
        const bool next = fold && l + 1 < cfg_.n_layer;
        add_to_residual(h_, L.mlp_proj_w, L.mlp_proj_b, T, defer_gelu, next ? &layers_[size_t(l + 1)].ln_1_w : nullptr);
        stage(l, "out", x());
        if (inspect_) copy(e_, x(), T, out_l_[size_t(l)], pos);
    }
    e_.set_scope("ln_f");
    layernorm(e_, x(), ln_f_w_, ln_f_b_, eps, T, ln_, &ln_stats_);
    stage("ln_f", ln_);
    pos_ += T;
    last_T_ = T;
    head_done_ = false;
}

// x += f(a) . w^T + b: in place by blending where the tier can, else y = x + ... and y becomes x (ping-pong).
void Gpt2::add_to_residual(const Tensor& a, const SplitTensor& w, const Tensor& b, int T, bool gelu_a,
                           const Tensor* next_gain) {
    MatmulArgs m;
    m.rows = T;
    m.bias = &b;
    m.gelu_x = gelu_a;
    if (next_gain) {  // y = x + ..., and y * next_gain beside it
        m.residual = &x();
        m.gain = next_gain;
        m.scaled = folds_[1 - cur_].get();
        matmul(e_, a, w, m.scaled->tensors[0], m);
        cur_ = 1 - cur_;
        return;
    }
    if (e_.can_accumulate()) {
        m.accumulate = true;
        matmul(e_, a, w, x(), m);
        return;
    }
    m.residual = &x();
    matmul(e_, a, w, resid(1 - cur_), m);
    cur_ = 1 - cur_;
}

void Gpt2::lm_head(int row0, int rows, Tensor& out) {
    e_.set_scope("lm_head");
    MatmulArgs a;
    a.rows = rows;
    a.x_row0 = row0;
    matmul(e_, ln_, lm_head_.parts.empty() ? wte_ : lm_head_, out, a);
}

void Gpt2::head() {
    if (last_T_ == 0) throw std::runtime_error("logits before any forward");
    lm_head(last_T_ - 1, 1, logits_);
    head_done_ = true;
}

std::vector<float> Gpt2::logits_last() {
    if (!head_done_) head();
    return logits_.download();
}

int Gpt2::argmax_last() {
    if (!argmax_) return argmax(logits_last());
    if (!head_done_) head();
    e_.set_scope("argmax");
    argmax(e_, logits_, 0, argmax_);
    return int(argmax_.read(0, 1));
}

std::vector<float> Gpt2::logits_all() {
    if (last_T_ == 0) throw std::runtime_error("logits before any forward");
    const int V = cfg_.vocab_size;
    if (!logits_rows_) {  // as many rows as a forward can have, or as fit one texture
        int rows = std::max(1, std::min(n_ctx_, Layout::max_rows(V, e_.tier(), e_.storage().max_size)));
        while (rows > 1 && !Layout::make(rows, V, e_.tier(), e_.storage().max_size).fits(e_.storage().max_size)) --rows;
        logits_rows_ = e_.tensor("logits (all rows)", rows, V);
    }
    Tensor& out = logits_rows_;
    const int chunk = out.rows();
    std::vector<float> all;
    all.reserve(size_t(last_T_) * V);
    for (int r = 0; r < last_T_; r += chunk) {
        int n = std::min(chunk, last_T_ - r);
        lm_head(r, n, out);
        auto d = out.download();
        all.insert(all.end(), d.begin(), d.begin() + long(n) * V);
    }
    return all;
}

std::vector<std::pair<std::string, const Tensor*>> Gpt2::atlas() const {
    std::vector<std::pair<std::string, const Tensor*>> out;
    if (inspect_) out.push_back({"embed", &embed_l_});
    for (int l = 0; l < cfg_.n_layer; ++l) {
        std::string p = "h." + std::to_string(l) + ".";
        const Layer& L = layers_[size_t(l)];
        out.push_back({p + "qkv", &L.qkv});
        if (inspect_) {
            out.push_back({p + "probs", &probs_l_[size_t(l)]});
            out.push_back({p + "res", &res_l_[size_t(l)]});
            out.push_back({p + "out", &out_l_[size_t(l)]});
        }
    }
    for (const Tensor* t : {&attn_, &h_, &ln_, &logits_}) out.push_back({t->name(), t});
    return out;
}

std::vector<Gpt2::TensorInfo> Gpt2::tensors() const {
    std::vector<TensorInfo> out;
    auto add = [&](const Tensor& t, TensorInfo::Kind kind) {
        const Layout& l = t.layout();
        out.push_back({t.name(), l.rows, l.cols, l.width, l.height, t.bytes(), kind});
    };
    auto add_split = [&](const SplitTensor& s) {
        for (auto& p : s.parts) add(p, TensorInfo::weight);
        if (s.quantized()) add(s.scale, TensorInfo::weight);
    };
    add_split(wte_);
    add_split(lm_head_);
    for (const Tensor* t : {&wpe_, &ln_f_w_, &ln_f_b_}) add(*t, TensorInfo::weight);
    for (auto& L : layers_) {
        for (const Tensor* t : {&L.ln_1_w, &L.ln_1_b, &L.bqkv, &L.attn_proj_b, &L.ln_2_w, &L.ln_2_b, &L.c_fc_b,
                                &L.mlp_proj_b})
            add(*t, TensorInfo::weight);
        for (const SplitTensor* s : {&L.wqkv, &L.attn_proj_w, &L.c_fc_w, &L.mlp_proj_w}) add_split(*s);
        add(L.qkv, TensorInfo::cache);
    }
    for (auto& L : layers_)
        for (const Tensor* t : {&L.ln_1_csum, &L.ln_1_fbias, &L.ln_2_csum, &L.ln_2_fbias})
            if (*t) add(*t, TensorInfo::weight);
    for (auto& g : folds_)
        if (g)
            for (const Tensor& t : g->tensors) add(t, TensorInfo::activation);
    for (const Tensor* t : {&resid_[0], &resid_[1], &ln_, &attn_, &h_, &scores_, &probs_, &logits_, &ln_stats_,
                            &softmax_stats_, &argmax_})
        if (*t) add(*t, TensorInfo::activation);
    return out;
}

}  // namespace gpt2gl
