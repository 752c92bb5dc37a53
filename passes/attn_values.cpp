// passes/attn_values.cpp — y = probs v over the V cache, every head at once (glsl/attn_values.frag); split over the
// context in slices summed by blending where the tier can, else by a ksum pass where the slices' sums fit a scratch
// tensor; from scores and their statistics (softmax on the way).
#include <algorithm>

#include "passes/ops.h"

namespace gpt2gl {

void attn_values(Engine& e, const Tensor& probs, const Tensor& v, int n_head, int T, int pos0, Tensor& y, AttnRows r,
                 AttnCols at, const Tensor* score_stats) {
    const int hd = (at.C > 0 ? at.C : v.cols()) / n_head, s4 = (probs.cols() + 3) / 4;
    const int slice4 = std::max(8, (s4 + gl::Quad::kMaxLayers - 1) / gl::Quad::kMaxLayers);  // any context in 64
    const int slices = e.context_slices((pos0 + T + 3) / 4, slice4);
    Pass p("attn_values");
    p.define("S4", s4);
    if (hd % 4 == 0) p.define("HD_ALIGNED");
    // the same program at every context (one slice, or many), so a growing context compiles nothing new
    if (e.can_accumulate()) p.define("SLICE4", slice4).sum_layers(slices);
    // slice s of row t into row s T + t of the scratch tensor (of y itself while there is one slice), then ksum;
    // where 64 slices of T rows would not fit (long prefills, which have fragments enough), no split
    const bool partials = e.k_partials() && e.fitting_slices(gl::Quad::kMaxLayers, T, y.cols()) == gl::Quad::kMaxLayers;
    if (partials) p.define("SLICE4", slice4).define("PARTIAL");
    p.in("P", probs).in("V", v).set("u_attn", float(T), float(pos0), float(hd)).set("u_vcol4", float(at.v_col4));
    p.set("u_rows", r.R == 0 ? float(T) : float(r.R), r.R == 0 ? 0.0f : float(r.q0));
    if (score_stats) {  // probs holds scores: softmax as they are read, from their chunk statistics
        const RowChunks rc = softmax_chunks(probs, *score_stats, "attn_values");
        p.define("SCORES").define("CHUNK4", rc.chunk4).define("CHUNKS", rc.chunks).in("STATS", *score_stats);
    }
    if (partials && slices > 1) {
        Tensor& sums = e.scratch("slices", slices * T, y.cols());
        e.run(p.out(sums, 0, slices * T, 0, y.cols()));
        sum_slices(e, sums, slices, T, y, 0, 0, y.cols(), false, nullptr);
        return;
    }
    e.run(p.out(y, 0, T, 0, y.cols()));
}

}  // namespace gpt2gl
