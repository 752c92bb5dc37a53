// passes/attn_scores.cpp — scores = q k^T / sqrt(hd) over the K cache, causal (glsl/attn_scores.frag).
#include <cmath>

#include "passes/ops.h"

namespace gpt2gl {

void run_attn_rows(Engine& e, Pass& p, Tensor& out, int n_head, int T, int S, AttnRows r) {
    if (r.R == 0) {
        e.run(p.set("u_rows", float(T), 0.0f).out(out, 0, n_head * T, 0, S));
        return;
    }
    p.set("u_rows", float(r.R), float(r.q0));
    for (int h = 0; h < n_head; ++h) e.run(p.out(out, h * r.R + r.q0, h * r.R + r.q0 + T, 0, S));
}

void attn_scores(Engine& e, const Tensor& q, const Tensor& k, int n_head, int T, int pos0, Tensor& scores, AttnRows r,
                 AttnCols at) {
    int C = at.C > 0 ? at.C : q.cols(), hd = C / n_head;
    int hd4 = (hd + 3) / 4 + (hd % 4 ? 1 : 0);  // texels one head's dims can touch
    Pass p("attn_scores");
    p.define("HD4", hd4).in("Q", q).in("K", k).set("u_attn", float(T), float(pos0), float(hd), 1.0f / std::sqrt(float(hd)));
    p.set("u_cols", float(at.q_row0), float(at.q_col4), float(at.k_col4));
    if (hd % 4 == 0) p.define("HD_ALIGNED");
    if (q.plain_image()) p.define("Q_PLAIN");
    if (k.plain_image()) p.define("K_PLAIN");
    run_attn_rows(e, p, scores, n_head, T, pos0 + T, r);
}

}  // namespace gpt2gl
