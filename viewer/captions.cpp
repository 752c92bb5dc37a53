// viewer/captions.cpp — see captions.h.
#include "viewer/captions.h"

#include <map>
#include <string>

namespace gpt2gl {

const char* op_caption(const std::string& op) {
    static const std::map<std::string, const char*> captions = {
        {"embed", "Embedding. Each fragment is one texel of x: 4 channels of one token. It reads the token's id from "
                  "the ids texture, fetches those 4 channels of the token's column of wte (stored transposed; on the "
                  "rgba8 and half tiers its row) and adds the position's row of wpe: x[t, c] = wte[id_t, c] + wpe[pos + t, c]."},
        {"ln_stats", "Layer norm statistics. Each fragment is one chunk of ~sqrt(C) texels of one token's row: it "
                     "merges them into a count, mean and sum of squared deviations (a stable pairwise update: GPT-2's "
                     "residual has huge outlier channels). Chunks make many short fragments instead of every output "
                     "texel walking the whole row."},
        {"layernorm", "Layer norm. Each fragment is 4 channels of one token. It merges its row's chunk statistics "
                      "(or, on the fp16 tier, walks the whole row itself) into the row's mean and variance, then "
                      "writes (x - mean) / sqrt(var + eps) * g + b for its 4 channels."},
        {"matmul", "Matrix product. Each fragment is 4 outputs of y = x W + b for one token: it loops over K, "
                   "reading one texel of x (4 inputs) and the 4 texels of W^T that hold those inputs' weights for "
                   "its 4 outputs, and sums lanes times weights (packed q8 weights: one texel holds 12 8-bit weights, "
                   "3 to a channel, taken apart with floor). On the rgba8 and half tiers a texel holds one value, so a "
                   "fragment keeps one output: W is stored by rows there and the fragment walks its output's row. "
                   "GELU and the residual add are fused in when the "
                   "pass asks. Split-K: the quad is drawn as several layers, each summing a slice of K, added up "
                   "by additive blending (or by a ksum pass: where the target cannot blend, and for packed 8-bit weights, "
                   "whose short fragments would wait on each other's blends). Prefill tiles: where the GPU has draw buffers, each fragment makes a tile "
                   "of outputs (e.g. 4 rows x 8 cols), one texel into each of up to 8 target textures, so every "
                   "texel of x and W it fetches serves several outputs; an untile pass gathers them."},
        {"untile", "Untile. Each fragment is 4 outputs of the matrix product: it finds which draw buffer of the "
                   "tiled matmul before it holds them (by row block and column block) and copies them into the "
                   "product's own texture, or adds them to the residual stream by blending."},
        {"ksum", "K slices summed. Where float targets cannot blend (the rgba8 tier), and for packed 8-bit weights "
                 "in decode, a split matrix product "
                 "writes each slice of K's sums into rows of its own; each fragment here is 4 outputs: it adds up "
                 "their slices, then applies GELU or adds the residual, which need the whole sum. (Decoding "
                 "unobserved, it also finishes a layer norm folded into the product: the row's statistics applied to "
                 "the sums of x times the norm's gain, which the residual's ksum wrote beside x. Here, where the layer "
                 "norms are shown, each has its own pass.)"},
        {"attn_scores", "Attention scores. Each fragment is 4 keys of one query row of one head: the dot products "
                        "of the query's head dims with each key's, over the key cache, divided by sqrt(head size) (on the "
                        "rgba8 and half tiers, whose texels hold one value, a fragment is one key). "
                        "Keys after the query (the future) are masked to 0 here and excluded by softmax."},
        {"softmax_stats", "Softmax statistics. Each fragment is one chunk of keys of one query row: the chunk's "
                          "maximum over the visible keys and the sum of exp(score - max)."},
        {"softmax", "Softmax over keys. Each fragment is 4 probabilities of one query row: it merges the row's chunk "
                    "statistics into the row's maximum M and sum L = sum over chunks of sum_c exp(max_c - M) (on the "
                    "fp16 tier it walks the row itself), and writes exp(score - M) / L; masked keys get exactly 0. The "
                    "probabilities stay in a texture: they are what the attention panel draws."},
        {"attn_values", "Weighted values. Each fragment is 4 channels of one token: it loops over the visible keys "
                        "and sums probability times the key's value in the value cache, each channel using the "
                        "probabilities of its own head: y[t, c] = sum_s p[h(c), t, s] v[s, c]. Long contexts are cut "
                        "into slices of keys drawn as layers of one quad and added up by blending."},
        {"argmax", "Argmax (greedy decoding). Each fragment is one chunk of ~cbrt(V) logits: it keeps the largest "
                   "and its token id (the first, on ties); two more passes take the largest of the chunks', so one "
                   "texel, the next token, is read back instead of all 50257 logits."},
        {"copy", "Copy. Each fragment copies one texel of a tensor into another tensor's layout (the viewer's "
                 "snapshots of the residual stream, by absolute position)."},
        {"heatmap", "Display pass. Each pixel finds the tensor cell under it and colours its value (the viewer's "
                    "heatmaps, drawn from the engine's own textures)."},
    };
    auto it = captions.find(op);
    return it == captions.end() ? "" : it->second;
}

}  // namespace gpt2gl
