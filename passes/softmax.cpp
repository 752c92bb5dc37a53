// passes/softmax.cpp — the causal softmax of each attention scores row (glsl/softmax.frag), its max and sum per chunk
// first where the engine keeps row statistics (glsl/softmax_stats.frag).
#include "passes/ops.h"

namespace gpt2gl {

Tensor softmax_stats(Engine& e, const Tensor& scores) {
    if (!e.row_stats()) return Tensor();
    return e.tensor("softmax.stats", scores.rows(), 4 * RowChunks((scores.cols() + 3) / 4).chunks);
}

RowChunks softmax_chunks(const Tensor& scores, const Tensor& stats, const char* who) {
    const RowChunks rc((scores.cols() + 3) / 4);  // chunks of the longest row a context can hold (equal walks)
    if (stats.rows() < scores.rows() || stats.cols() != 4 * rc.chunks)
        throw gl::Error(std::string(who) + ": " + stats.name() + " is not softmax_stats' shape for " + scores.name());
    return rc;
}

void softmax_row_stats(Engine& e, const Tensor& scores, int n_head, int T, int pos0, Tensor& stats, AttnRows r) {
    const RowChunks rc = softmax_chunks(scores, stats, "softmax");
    const int used = ((pos0 + T + 3) / 4 + rc.chunk4 - 1) / rc.chunk4;  // chunks the longest row reaches
    Pass s("softmax_stats");
    s.define("CHUNK4", rc.chunk4).in("X", scores).set("u_attn", float(T), float(pos0));
    if (scores.plain_image()) s.define("X_PLAIN");
    run_attn_rows(e, s, stats, n_head, T, 4 * used, r);
}

void softmax(Engine& e, const Tensor& scores, int n_head, int T, int pos0, Tensor& probs, AttnRows r, Tensor* stats) {
    const int s4 = (scores.cols() + 3) / 4;
    Pass p("softmax");
    p.define("S4", s4).in("X", scores).set("u_attn", float(T), float(pos0));
    if (stats && *stats) {
        softmax_row_stats(e, scores, n_head, T, pos0, *stats, r);  // checks stats' shape
        const RowChunks rc(s4);
        p.define("ROW_STATS").define("CHUNK4", rc.chunk4).define("CHUNKS", rc.chunks).in("STATS", *stats);
    }
    run_attn_rows(e, p, probs, n_head, T, pos0 + T, r);
}

}  // namespace gpt2gl
