// passes/softmax.cpp — the causal softmax of each attention scores row (glsl/softmax.frag), its max and sum per chunk
// first where the engine keeps row statistics (glsl/softmax_stats.frag).
#include <cmath>

#include "passes/ops.h"

namespace gpt2gl {

// Chunks of ~sqrt(S4) texels: the two passes' walks about equal at a full context.
static int chunk4_of(int s4) { return int(std::ceil(std::sqrt(double(s4)))); }

Tensor softmax_stats(Engine& e, const Tensor& scores) {
    if (!e.row_stats()) return Tensor();
    const int s4 = (scores.cols() + 3) / 4, chunk4 = chunk4_of(s4);
    return e.tensor("softmax.stats", scores.rows(), 4 * ((s4 + chunk4 - 1) / chunk4));
}

void softmax(Engine& e, const Tensor& scores, int n_head, int T, int pos0, Tensor& probs, AttnRows r, Tensor* stats) {
    const int s4 = (scores.cols() + 3) / 4;
    Pass p("softmax");
    p.define("S4", s4).in("X", scores).set("u_attn", float(T), float(pos0));
    if (stats && *stats) {
        const int chunk4 = chunk4_of(s4), chunks = (s4 + chunk4 - 1) / chunk4;
        const int used = ((pos0 + T + 3) / 4 + chunk4 - 1) / chunk4;  // chunks the longest row reaches
        if (stats->rows() < probs.rows() || stats->cols() != 4 * chunks)
            throw gl::Error("softmax: " + stats->name() + " is not softmax_stats' shape for " + scores.name());
        Pass s("softmax_stats");
        s.define("CHUNK4", chunk4).in("X", scores).set("u_attn", float(T), float(pos0));
        run_attn_rows(e, s, *stats, n_head, T, 4 * used, r);
        p.define("ROW_STATS").define("CHUNK4", chunk4).define("CHUNKS", chunks).in("STATS", *stats);
    }
    run_attn_rows(e, p, probs, n_head, T, pos0 + T, r);
}

}  // namespace gpt2gl
