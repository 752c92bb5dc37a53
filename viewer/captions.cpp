// viewer/captions.cpp — see captions.h.
#include "viewer/captions.h"

#include <map>
#include <string>

namespace gpt2gl {

const char* op_caption(const std::string& op) {
    static const std::map<std::string, const char*> captions = {
        {"embed", "Embedding. Each fragment is one texel of x: 4 channels of one token. It reads the token's id from "
                  "the ids texture, fetches those 4 channels of the token's column of wte (stored transposed) and "
                  "adds the position's row of wpe: x[t, c] = wte[id_t, c] + wpe[pos + t, c]."},
        {"layernorm", "Layer norm. Each fragment is 4 channels of one token. It walks its whole row once, merging "
                      "each texel into a running mean and sum of squared deviations (a stable pairwise update: "
                      "GPT-2's residual has huge outlier channels), then writes (x - mean) / sqrt(var + eps) * g + b "
                      "for its 4 channels."},
        {"matmul", "Matrix product. Each fragment is 4 outputs of y = x W + b for one token: it loops over K, "
                   "reading one texel of x (4 inputs) and the 4 texels of W^T that hold those inputs' weights for "
                   "its 4 outputs, and sums lanes times weights. GELU and the residual add are fused in when the "
                   "pass asks. Split-K: the quad is drawn as several layers, each summing a slice of K, added up "
                   "by additive blending."},
        {"attn_scores", "Attention scores. Each fragment is 4 keys of one query row of one head: the dot products "
                        "of the query's head dims with each key's, over the key cache, divided by sqrt(head size). "
                        "Keys after the query (the future) are masked to 0 here and excluded by softmax."},
        {"softmax", "Softmax over keys. Each fragment is 4 probabilities of one query row: it finds the row's "
                    "maximum over the visible keys, sums exp(score - max), and writes exp(score - max) / sum; masked "
                    "keys get exactly 0. The probabilities stay in a texture: they are what the attention panel draws."},
        {"attn_values", "Weighted values. Each fragment is 4 channels of one token: it loops over the visible keys "
                        "and sums probability times the key's value in the value cache, each channel using the "
                        "probabilities of its own head: y[t, c] = sum_s p[h(c), t, s] v[s, c]."},
        {"copy", "Copy. Each fragment copies one texel of a tensor into another tensor's layout (the viewer's "
                 "snapshots of the residual stream, by absolute position)."},
        {"heatmap", "Display pass. Each pixel finds the tensor cell under it and colours its value (the viewer's "
                    "heatmaps, drawn from the engine's own textures)."},
    };
    auto it = captions.find(op);
    return it == captions.end() ? "" : it->second;
}

}  // namespace gpt2gl
