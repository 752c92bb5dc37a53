// passes/softmax.cpp — the causal softmax of each attention scores row (glsl/softmax.frag).
#include "passes/ops.h"

namespace gpt2gl {

void softmax(Engine& e, const Tensor& scores, int n_head, int T, int pos0, Tensor& probs, AttnRows r) {
    Pass p("softmax");
    p.define("S4", (scores.cols() + 3) / 4).in("X", scores).set("u_attn", float(T), float(pos0));
    run_attn_rows(e, p, probs, n_head, T, pos0 + T, r);
}

}  // namespace gpt2gl
