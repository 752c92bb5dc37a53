// passes/attention.cpp — causal self-attention over the K/V caches in three passes:
// attn_scores (glsl/attn_scores.frag), softmax (glsl/softmax.frag), attn_values (glsl/attn_values.frag).
#include <cmath>

#include "passes/ops.h"

namespace gpt2gl {

void attn_scores(Engine& e, const Tensor& q, const Tensor& k, int n_head, int T, int pos0, Tensor& scores) {
    int C = q.cols(), hd = C / n_head;
    int hd4 = (hd + 3) / 4 + (hd % 4 ? 1 : 0);  // texels one head's dims can touch
    e.run(Pass("attn_scores")
              .define("HD4", hd4)
              .in("Q", q)
              .in("K", k)
              .set("u_attn", float(T), float(pos0), float(hd), 1.0f / std::sqrt(float(hd)))
              .out(scores, 0, n_head * T, 0, pos0 + T));
}

void softmax(Engine& e, const Tensor& scores, int n_head, int T, int pos0, Tensor& probs) {
    e.run(Pass("softmax")
              .define("S4", (scores.cols() + 3) / 4)
              .in("X", scores)
              .set("u_attn", float(T), float(pos0))
              .out(probs, 0, n_head * T, 0, pos0 + T));
}

void attn_values(Engine& e, const Tensor& probs, const Tensor& v, int n_head, int T, int pos0, Tensor& y) {
    int hd = v.cols() / n_head;
    Pass p("attn_values");
    p.define("S4", (probs.cols() + 3) / 4);
    if (hd % 4 == 0) p.define("HD_ALIGNED");
    e.run(p.in("P", probs).in("V", v).set("u_attn", float(T), float(pos0), float(hd)).out(y, 0, T, 0, y.cols()));
}

}  // namespace gpt2gl
