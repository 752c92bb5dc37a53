// runtime/gpt2.h — GPT-2 as a sequence of render passes: the weights in textures, the forward graph (which passes,
// in which order, on which textures) and the KV cache. No GL calls here: only passes/ops.h.
//
// Per layer, for T new tokens at positions [pos, pos + T) (11 draws when no weight is split: the layer norms and the
// softmax take a statistics pass each where the tier keeps row statistics, and then a = probs v makes each
// probability from the scores as it reads them, with no softmax pass unless the probabilities are kept (inspect
// mode, an on_stage observer); 9 on fp16):
//   ln = ln_1(x)                 qkv[pos..] = ln Wqkv + bqkv   (q | k | v side by side: the layer's cache, one draw)
//   scores = q k^T / sqrt(hd)    probs = softmax(scores)   a = probs v
//   y = x + a Wo + bo            ln = ln_2(y)              h = gelu(ln Wfc + bfc)          x = y + h Wp + bp
// then ln_f and the LM head (wte, or lm_head when untied) over the last row. Decode with packed weights on fp32 folds
// ln_1 (but layer 0's) and ln_2 into wqkv and c_fc (fold_ below): no normalize pass. The residual stream x is added
// to in place where the tier blends exactly; elsewhere it ping-pongs: y = x + ..., then y is the stream. Ping-pong
// flips which of two tensors is current, never moves a tensor, so a recorded pass (step mode) names the right texture.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/weights.h"
#include "passes/ops.h"

namespace gpt2gl {

class Gpt2 {
public:
    // n_ctx: the longest sequence (0: the model's n_positions). Throws gl::Error if a tensor cannot fit.
    // inspect: keep every layer's attention probabilities and copies of the residual stream after each block's
    // attention and MLP (2 more draws per layer), for the viewer. What is computed is the same either way.
    // progress: called after each layer's weights are in textures.
    Gpt2(Engine& engine, const Gpt2Weights& w, int n_ctx = 0, bool inspect = false, const Progress& progress = nullptr);

    // Runs T new tokens after the `pos()` already in the KV cache. Throws std::runtime_error past n_ctx.
    void forward(const int* ids, int T);
    // The LM head over the last token of the last forward, into logits() (a pass: step mode can record it).
    void head();
    const Tensor& logits() const { return logits_; }  // (1, V)
    // head() unless it ran since the last forward, then the (V) logits read back.
    std::vector<float> logits_last();
    // The same head(), then the next token by greedy decoding: the logits' argmax (the first of equal maxima),
    // found on the GPU and read back as one value where the tier stores fp32 exactly (fp32, rgba8), else from
    // logits_last().
    int argmax_last();
    // (T, V) logits for every position of the last forward (reads back in chunks that fit a texture).
    std::vector<float> logits_all();
    void reset() { pos_ = 0; }
    int pos() const { return pos_; }
    int n_ctx() const { return n_ctx_; }
    const Gpt2Config& config() const { return cfg_; }

    // Called after each stage of a forward with its name, its tensor and where in it the stage's output is: rows
    // [row0, row0 + T), cols [col0, col0 + cols) (row0 = pos for q, k and v, which sit side by side in the layer's
    // cache; 0 elsewhere). Names: embed, h.L.ln_1, h.L.q, h.L.k, h.L.v, h.L.probs (the whole tensor), h.L.attn,
    // h.L.res, h.L.ln_2, h.L.mlp (after GELU) or h.L.fc (before it, when c_proj applies GELU as it reads: split-K),
    // h.L.out, ln_f.
    struct Stage {
        const Tensor& t;
        int row0, col0, cols;
    };
    std::function<void(const std::string& name, const Stage& s)> on_stage;

    // Every texture the model holds, for `info` (name, shape, bytes).
    struct TensorInfo {
        std::string name;
        int rows, cols, width, height;
        long bytes;
        enum Kind { weight, cache, activation } kind;
    };
    std::vector<TensorInfo> tensors() const;

    // For the viewer (inspect mode), by absolute position t in [0, pos): probs row h*n_ctx + t is query t's
    // attention; the snapshots' row t is token t's residual stream.
    bool inspecting() const { return inspect_; }
    int last_T() const { return last_T_; }
    const Tensor& probs(int layer) const { return inspect_ ? probs_l_[size_t(layer)] : probs_; }
    const Tensor& block_input(int layer) const { return layer == 0 ? embed_l_ : out_l_[size_t(layer - 1)]; }
    const Tensor& after_attention(int layer) const { return res_l_[size_t(layer)]; }
    const Tensor& block_output(int layer) const { return out_l_[size_t(layer)]; }
    // Every tensor of the latest forward, named, for the tensor atlas.
    std::vector<std::pair<std::string, const Tensor*>> atlas() const;

private:
    struct Layer {
        Tensor ln_1_w, ln_1_b, bqkv, attn_proj_b, ln_2_w, ln_2_b, c_fc_b, mlp_proj_b;
        SplitTensor wqkv, attn_proj_w, c_fc_w, mlp_proj_w;  // wqkv: (3 Cp, C), the blocks of c_attn on whole texels
        Tensor qkv;  // (n_ctx, 3 Cp): row t = token t's q | k | v, each block Cp = C rounded up to 4 cols
        // fold_: ln_1 folded into wqkv, ln_2 into c_fc (LnFold's csum and fbias, (1, 3 Cp) and (1, I))
        Tensor ln_1_csum, ln_1_fbias, ln_2_csum, ln_2_fbias;
    };
    // next_gain: the gain of the layer norm that reads the residual next, folded into its matmul (decode, fold_).
    void add_to_residual(const Tensor& a, const SplitTensor& w, const Tensor& b, int T, bool gelu_a,
                         const Tensor* next_gain = nullptr);
    void stage(const char* name, const Tensor& t) {
        if (on_stage) on_stage(name, Stage{t, 0, 0, t.cols()});
    }
    void stage(int l, const char* name, const Tensor& t, int row0 = 0, int col0 = 0, int cols = 0) {
        if (on_stage) on_stage("h." + std::to_string(l) + "." + name, Stage{t, row0, col0, cols > 0 ? cols : t.cols()});
    }
    void lm_head(int row0, int rows, Tensor& out);

    Engine& e_;
    Gpt2Config cfg_;
    int n_ctx_ = 0, pos_ = 0, last_T_ = 0;
    bool head_done_ = false;  // head() ran since the last forward: logits_ holds its logits
    bool inspect_ = false;
    std::vector<Tensor> probs_l_, res_l_, out_l_;  // inspect mode: per layer
    Tensor embed_l_;
    SplitTensor wte_, lm_head_;
    Tensor wpe_, ln_f_w_, ln_f_b_;
    std::vector<Layer> layers_;
    TokenIds ids_;
    Tensor resid_[2];  // the residual stream (n_ctx, C): resid_[cur_] holds it, the other is ping-pong's next
    int cur_ = 0;
    // Decode folds each layer norm but the first and ln_f into the matmul after it (passes/ops.h LnFold), where
    // those matmuls sum their K slices by a ksum pass (packed weights on fp32) and draw buffers let the residual's
    // writer put x * g beside x: one draw fewer per layer norm. Not in inspect mode or observed (on_stage): the layer
    // norms' outputs are shown there. The residual then ping-pongs between folds_[i]'s tensor 0, x * g in tensor 1.
    bool fold_ = false;
    std::unique_ptr<TensorGroup> folds_[2];
    Tensor& resid(int i) { return fold_ ? folds_[i]->tensors[0] : resid_[i]; }
    Tensor& x() { return resid(cur_); }
    Tensor ln_, attn_, h_, scores_, probs_, logits_;
    Tensor ln_stats_, softmax_stats_;  // row statistics between passes (empty on tiers that keep none)
    Tensor logits_rows_;  // (up to n_ctx, V) for logits_all, made on its first call
    Tensor argmax_;  // argmax_last's (max, col) of the logits (empty: found on the CPU)
};

}  // namespace gpt2gl
