// passes/attn_values.cpp — y = probs v over the V cache, every head at once (glsl/attn_values.frag).
#include "passes/ops.h"

namespace gpt2gl {

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
