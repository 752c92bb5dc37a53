// passes/ops.h — GPT-2's ops as render passes, one function per op (passes/<op>.cpp <-> glsl/<op>.frag).
// Shapes: T new tokens at positions [pos0, pos0 + T); C channels; H heads of hd = C / H; S = pos0 + T keys.
// Every op writes only its output region; cols past a row's end are written as 0.
#pragma once
#include <vector>

#include "passes/engine.h"

namespace gpt2gl {

// Token ids in an RGBA8 texture, one per texel (id = r + 256 g + 65536 b), texel t at (t % width, t / width).
class TokenIds {
public:
    TokenIds() = default;
    TokenIds(const Storage& storage, int capacity);
    void upload(const int* ids, int n);
    const gl::Texture& texture() const { return texture_; }
    int width() const { return width_; }
    int capacity() const { return width_ * texture_.height(); }

private:
    gl::Texture texture_;
    int width_ = 0;
};

// x (T, C) <- wte[ids[t]] + wpe[pos0 + t]; wte (V, C) may be split over several textures.
void embed(Engine& e, const SplitTensor& wte, const Tensor& wpe, const TokenIds& ids, int T, int pos0, Tensor& x);

// Row statistics kept between passes (Engine::row_stats): layer norm's moments and softmax's max and sum per chunk of
// a row, in a tensor the caller makes once per shape and keeps (the model owns its own). Empty where the engine
// keeps none; an op given an empty or null one has each output texel walk its row itself.
// How row statistics cut a row of n4 texels: chunks of ~sqrt(n4) texels, so that the statistics pass's walk over a
// chunk and the next pass's walk over the chunks are about equal.
struct RowChunks {
    int chunk4, chunks;
    explicit RowChunks(int n4);
};
Tensor layernorm_stats(Engine& e, int rows, int cols);   // for x (rows, cols)
Tensor softmax_stats(Engine& e, const Tensor& scores);   // for scores (any rows, n_ctx)
// The chunks of softmax_stats(scores); throws, naming `who`, if `stats` does not have that shape.
RowChunks softmax_chunks(const Tensor& scores, const Tensor& stats, const char* who);

// y (rows, C) <- layernorm of x's first `rows` rows with gain g (1, C), bias b (1, C).
void layernorm(Engine& e, const Tensor& x, const Tensor& g, const Tensor& b, float eps, int rows, Tensor& y,
               Tensor* stats = nullptr);
// layernorm's first pass alone: the moments of x's first `rows` rows per chunk, into stats (layernorm_stats' shape),
// for a matmul with the layer norm folded in (LnFold) to normalize its sums with.
void layernorm_row_stats(Engine& e, const Tensor& x, int rows, Tensor& stats);

// A layer norm folded into the matmul after it (decode): its input's producer wrote x * g beside x (MatmulArgs::gain),
// the matmul takes the product of x * g by W, and its ksum pass applies the layer norm's rest to each sum:
//   y[n] = (sum_k x[k] g[k] W[n, k] - mean csum[n]) / sqrt(var + eps) + fbias[n]
// = sum_k ((x[k] - mean) / sqrt(var + eps) g[k] + b[k]) W[n, k] + bias[n], mean and var those of x's row.
struct LnFold {
    const Tensor* stats = nullptr;  // x's moments per chunk (layernorm_row_stats)
    const Tensor* csum = nullptr;   // (1, N): sum_k g[k] W[n, k], W as the engine stores it
    const Tensor* fbias = nullptr;  // (1, N): bias[n] + sum_k b[k] W[n, k]
    float eps = 1e-5f;
};

struct MatmulArgs {
    int rows = 0;                     // rows to compute
    int x_row0 = 0;                   // first input row
    int y_row0 = 0;                   // first output row (the K/V caches take rows at pos0)
    const Tensor* bias = nullptr;     // (1, N)
    bool gelu = false;                // tanh-form GELU after the bias
    bool gelu_x = false;              // GELU of x as it is read (the activation of a split producer)
    const Tensor* residual = nullptr; // (>= y_row0 + rows, N), added last, read at the output row
    bool accumulate = false;          // y += ... in place (needs Engine::can_accumulate; no residual then)
    // Where the K slices are summed by a ksum pass (decode by packed weights on fp32; else gl::Error), that pass may
    // finish a folded layer norm, and write x * g for the next one:
    const LnFold* ln_fold = nullptr;  // x holds x * g of a layer norm folded in (no bias then: fbias is it)
    const Tensor* gain = nullptr;     // (1, N): y also into scaled->tensors[1] as y * gain (y: scaled->tensors[0])
    TensorGroup* scaled = nullptr;
};
// y[y_row0 + i, n] <- sum_k f(x[x_row0 + i, k]) * w[n, k] (+ bias)(gelu)(+ residual); w is (N, K), out x in.
// Split-K (Engine::split_k) when neither gelu nor residual needs the whole sum first; split or whole, and decode's
// one-row tiles or none, as tuned on this GPU at a shape's first use (Engine::tuned). Prefill (Engine::tiles): each
// fragment makes a tile of outputs (rows x texels), one texel per draw buffer, into the engine's tile tensors; an
// untile pass then gathers them into y. Packed weights' prefill tiles, 8 x 1 or 4 x 2, tuned at a shape's first
// prefill.
void matmul(Engine& e, const Tensor& x, const SplitTensor& w, Tensor& y, const MatmulArgs& a);
// The tile this engine's prefills by its packed weights time against its own (Engine::prefill_tiles: 8 x 1) at a
// shape's first prefill, keeping the faster: 4 x 2, or 1 x 1 where none is timed.
Engine::Tiles prefill_tiles_timed(const Engine& e);
// Where slices are not summed by blending (Engine::k_partials; matmul's packed q8 weights): y[y_row0 + r, c0 .. c1)
// <- f(sum over s < slices of sums[s rows + r]) (+ residual[y_row0 + r]), f = gelu or identity (glsl/ksum.frag), or
// += that (accumulate: blending). `sums` holds each slice's partial sums (matmul's K slices, attn_values' context
// slices) in rows s rows + r. constant_slices: the count compiled into the pass (a matmul's, fixed by its shape; a
// fixed walk), else a uniform (attn_values', which changes with the context: no new program per count).
void sum_slices(Engine& e, const Tensor& sums, int slices, int rows, Tensor& y, int y_row0, int c0, int c1, bool gelu,
                const Tensor* residual, bool accumulate = false, bool constant_slices = false);
// The same from one-row tiles: y's texel c0/4 + jc tile_cols + c is summed from draw buffer jc's texel c0/4 + c.
void sum_slices(Engine& e, const TensorGroup& tiles, int slices, int rows, Tensor& y, int y_row0, int c0, int c1,
                bool gelu, const Tensor* residual, bool accumulate, int tile_cols);
// Whether this GPU unpacks packed weights exactly with rint4's adds (Engine::unpacking): products by packed q8 (and,
// where the engine's weights are q4, q4) weights holding every value in every place of a channel, their scales 1, by
// the identity, give them back.
bool packed_weights_exact(Engine& e);
// The K slices summed by blending that matmul cuts a product of `rows` rows by w over k4 input texels into (1: none,
// or summed by a ksum pass): a GELU of such a split product waits for its consumer (MatmulArgs::gelu_x).
int matmul_slices(const Engine& e, const SplitTensor& w, int rows, int k4);

// Whether a one-row product by w (decode) sums its K slices by a ksum pass, as this engine draws it: as tuned
// (false while its shape is not tuned yet), or by the rule where tuning is off. Where it does, a layer norm before it
// folds into it at no draw (MatmulArgs::ln_fold).
bool decode_sums_slices(const Engine& e, const SplitTensor& w);

// Greedy decoding on the GPU: out's row 0 <- (max, col, ...) of x's row `row`, col the first where the max occurs
// (ties: the lower col, as argmax() on the CPU), in three passes of chunks (each chunk's max and col, in the engine's
// scratch tensors). Only where the tier stores fp32 exactly (Engine::row_stats: a half holds no col past 2048).
// out: (1, >= 2).
void argmax(Engine& e, const Tensor& x, int row, Tensor& out);

// The attention passes keep query t of head h in row h*R + q0 + t of scores and probs: compact with R = T, q0 = 0
// (the default), or by absolute position with R = n_ctx, q0 = pos0, so that probs hold the whole causal matrix
// across decode steps (what the viewer draws; one draw per head).
struct AttnRows {
    int R = 0, q0 = 0;  // R = 0: compact
};
// Where the attention passes find q, k and v inside their tensors (the model keeps them side by side in one q|k|v
// cache per layer, written by one matmul): q's rows start at q_row0 (the new tokens' positions), and each block's
// cols at texel col q_col4, k_col4, v_col4 (blocks start on whole texels). All 0: tensors of their own.
struct AttnCols {
    int C = 0;  // channels of each block (0: the tensors' own cols)
    int q_row0 = 0, q_col4 = 0, k_col4 = 0, v_col4 = 0;
};
// Runs an attention pass over each head's rows [h*R + q0, + T) of `out`, cols [0, S): one draw when compact, one
// per head otherwise (attn_scores and softmax share it).
void run_attn_rows(Engine& e, Pass& p, Tensor& out, int n_head, int T, int S, AttnRows rows);
// scores: q_h(t) . k_h(s) / sqrt(hd) for s <= pos0 + t, else 0, in cols [0, S = pos0 + T).
void attn_scores(Engine& e, const Tensor& q, const Tensor& k_cache, int n_head, int T, int pos0, Tensor& scores,
                 AttnRows rows = {}, AttnCols at = {});
// probs: the causal softmax of each scores row; masked keys get 0.
void softmax(Engine& e, const Tensor& scores, int n_head, int T, int pos0, Tensor& probs, AttnRows rows = {},
             Tensor* stats = nullptr);
// softmax's first pass alone, where the engine keeps row statistics: each scores row's max and sum per chunk, into
// stats (softmax_stats' shape), for attn_values to normalize the scores as it reads them.
void softmax_row_stats(Engine& e, const Tensor& scores, int n_head, int T, int pos0, Tensor& stats, AttnRows rows = {});
// y (T, C): y[t, c] = sum_s probs[h(c)*R + q0 + t, s] * v[s, c].
// score_stats: `probs` holds the scores instead, and score_stats their statistics (softmax_row_stats): each
// probability is made as it is read, the softmax pass saved (one draw a layer).
void attn_values(Engine& e, const Tensor& probs, const Tensor& v_cache, int n_head, int T, int pos0, Tensor& y,
                 AttnRows rows = {}, AttnCols at = {}, const Tensor* score_stats = nullptr);

// y[y_row0 + i] <- x[i] for i in [0, rows), all cols (same cols; layouts may differ).
void copy(Engine& e, const Tensor& x, int rows, Tensor& y, int y_row0 = 0);

}  // namespace gpt2gl
