// passes/attention.cpp — causal self-attention over the K/V caches in three passes:
// attn_scores (glsl/attn_scores.frag), softmax (glsl/softmax.frag), attn_values (glsl/attn_values.frag).
#include <cmath>

#include "passes/ops.h"

namespace gpt2gl {

// Runs `p` over each head's rows: one draw for the compact layout, one per head otherwise.
static void run_rows(Engine& e, Pass& p, Tensor& out, int n_head, int T, int S, AttnRows r) {
    if (r.R == 0) {
        e.run(p.set("u_rows", float(T), 0.0f).out(out, 0, n_head * T, 0, S));
        return;
    }
    p.set("u_rows", float(r.R), float(r.q0));
    for (int h = 0; h < n_head; ++h) e.run(p.out(out, h * r.R + r.q0, h * r.R + r.q0 + T, 0, S));
}

void attn_scores(Engine& e, const Tensor& q, const Tensor& k, int n_head, int T, int pos0, Tensor& scores, AttnRows r) {
    int C = q.cols(), hd = C / n_head;
    int hd4 = (hd + 3) / 4 + (hd % 4 ? 1 : 0);  // texels one head's dims can touch
    Pass p("attn_scores");
    p.define("HD4", hd4).in("Q", q).in("K", k).set("u_attn", float(T), float(pos0), float(hd), 1.0f / std::sqrt(float(hd)));
    run_rows(e, p, scores, n_head, T, pos0 + T, r);
}

void softmax(Engine& e, const Tensor& scores, int n_head, int T, int pos0, Tensor& probs, AttnRows r) {
    Pass p("softmax");
    p.define("S4", (scores.cols() + 3) / 4).in("X", scores).set("u_attn", float(T), float(pos0));
    run_rows(e, p, probs, n_head, T, pos0 + T, r);
}

void attn_values(Engine& e, const Tensor& probs, const Tensor& v, int n_head, int T, int pos0, Tensor& y, AttnRows r) {
    int hd = v.cols() / n_head;
    Pass p("attn_values");
    p.define("S4", (probs.cols() + 3) / 4);
    if (hd % 4 == 0) p.define("HD_ALIGNED");
    p.in("P", probs).in("V", v).set("u_attn", float(T), float(pos0), float(hd));
    p.set("u_rows", r.R == 0 ? float(T) : float(r.R), r.R == 0 ? 0.0f : float(r.q0));
    e.run(p.out(y, 0, T, 0, y.cols()));
}

}  // namespace gpt2gl
