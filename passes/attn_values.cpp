// passes/attn_values.cpp — y = probs v over the V cache, every head at once (glsl/attn_values.frag); split over the
// context in slices summed by blending where the tier can, else by a ksum pass where the slices' sums fit a scratch
// tensor; from scores and their statistics (softmax on the way).
#include <algorithm>

#include "passes/ops.h"

namespace gpt2gl {

void attn_values(Engine& e, const Tensor& probs, const Tensor& v, int n_head, int T, int pos0, Tensor& y, AttnRows r,
                 AttnCols at, const Tensor* score_stats) {
    const int hd = (at.C > 0 ? at.C : v.cols()) / n_head, s4 = (probs.cols() + 3) / 4;
    // Slices of 8 key texels (32 keys), or of the power of two that keeps them at 8 or fewer (at 64 at most): more,
    // shorter slices fill more lanes, but blended they queue at the same output texels (H200, 124M q8 packed, GPU
    // time of a decode step's attn_values at context 1019: slices of 8 texels 0.578 ms, 16 0.549, 32 0.460; a
    // prefill of 1000 tokens 400 -> 362 ms with 32; at context 139, 1.5B's with slices of 32: 0.84 -> 1.42 ms). A
    // program per slice length: a growing context compiles one at 257, 513 ... keys.
    const int used4 = (pos0 + T + 3) / 4;
    int slice4 = std::max(8, (s4 + gl::Quad::kMaxLayers - 1) / gl::Quad::kMaxLayers);
    while (slice4 * 8 < used4) slice4 *= 2;
    const int slices = e.context_slices(used4, slice4);
    Pass p("attn_values");
    p.define("S4", s4);
    if (hd % 4 == 0) p.define("HD_ALIGNED");
    if (probs.plain_image()) p.define("P_PLAIN");
    if (v.plain_image()) p.define("V_PLAIN");
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
