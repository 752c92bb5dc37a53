// passes/matmul.cpp — x . w^T (+ bias)(gelu)(+ residual) (glsl/matmul.frag); one draw per part of w, and after it
// in prefill one untile draw (glsl/untile.frag) gathering the draw buffers' rows into y, or where K slices cannot
// be summed by blending one ksum draw (glsl/ksum.frag) adding them up (sum_slices, which attn_values shares).
#include "passes/ops.h"

#include <algorithm>

namespace gpt2gl {

// Whether K slices are summed by a ksum pass rather than by blending: where the tier cannot blend
// (Engine::k_partials), and for packed q8 weights outside tiles. Such a decode matmul draws 20-60 slices onto one
// row; blended there, each of its short fragments waits on the one before it at the same pixel, and a pass of their
// own summing them is faster (H200, GPU time of a decode step, matmuls + ksum: 124M 1.98 -> 1.17 + 0.40 ms, 1.5B
// 28.0 -> 15.2 + 2.0 ms). fp16 weights, which stream 3x the texels, were slower so (124M matmuls 1.82 -> 2.16 ms),
// as were fp32 and RGBA8 q8 weights (docs/benchmarks.md, 2026-11-28).
static bool ksum_slices(const Engine& e, const SplitTensor& w, bool tiled) {
    return !tiled && (e.k_partials() || (w.packed() && e.tier() == Tier::fp32));
}

int matmul_slices(const Engine& e, const SplitTensor& w, int rows, int k4) {
    Engine::Tiles t = e.tiles(rows);
    // none, or summed by a ksum pass, which applies GELU itself
    if (!e.can_accumulate() || ksum_slices(e, w, t.count() > 1)) return 1;
    const int n4 = (w.rows + 3) / 4;
    return e.split_k((rows + t.rows - 1) / t.rows, (n4 + t.cols - 1) / t.cols, k4, t.count() > 1);
}

void sum_slices(Engine& e, const Tensor& sums, int slices, int rows, Tensor& y, int y_row0, int c0, int c1, bool gelu,
                const Tensor* residual, bool accumulate) {
    if (slices > gl::Quad::kMaxLayers) throw gl::Error("ksum: " + std::to_string(slices) + " slices, over 64");
    Pass k("ksum");
    k.in("P", sums).set("u_slices", float(slices)).set("u_rows", float(rows)).set("u_yrow", float(y_row0));
    if (gelu) k.define("GELU");
    if (residual) k.define("HAS_RESIDUAL").in("RES", *residual);
    if (accumulate) k.add_to_output();
    e.run(k.out(y, y_row0, y_row0 + rows, c0, c1));
}

void matmul(Engine& e, const Tensor& x, const SplitTensor& w, Tensor& y, const MatmulArgs& a) {
    if (w.cols != x.cols() || w.rows != y.cols())
        throw gl::Error("matmul " + w.name + ": shapes disagree: x [" + std::to_string(x.rows()) + ", " +
                        std::to_string(x.cols()) + "], w [" + std::to_string(w.rows) + ", " + std::to_string(w.cols) +
                        "], y [" + std::to_string(y.rows()) + ", " + std::to_string(y.cols()) + "]");
    if (a.accumulate && a.residual) throw gl::Error("matmul " + w.name + ": accumulate and residual both set");
    const int k4 = (x.cols() + 3) / 4;
    // Tiles: draw buffer jc R + jr of the group holds y's row y_row0 + jr B + i, texel n0/4 + jc W4 + c at (i, n0/4 + c),
    // for R x C tiles, B = ceil(rows / R) and W4 = ceil(part's texels / C). The last row and col blocks may run past
    // y's (those outputs are made from whatever x and w hold there, and never gathered).
    const Engine::Tiles t = e.tiles(a.rows);
    const int B = (a.rows + t.rows - 1) / t.rows;
    TensorGroup* group = t.count() > 1 ? &e.group(t.count(), B, y.cols()) : nullptr;
    for (size_t i = 0; i < w.parts.size(); ++i) {
        int n0 = int(i) * w.rows_per_part, n4 = (w.part_rows(i) + 3) / 4, W4 = (n4 + t.cols - 1) / t.cols;
        // Slices summed by blending leave no place for GELU or the residual, which need the whole sum; summed by a
        // ksum pass (ksum_slices, never tiled), they must fit one scratch tensor of slices x rows rows.
        const bool partials = ksum_slices(e, w, group != nullptr);
        int slices = partials ? e.fitting_slices(e.split_k(B, W4, k4), a.rows, y.cols())
                     : e.can_accumulate() && !a.gelu && !a.residual ? e.split_k(B, W4, k4, group != nullptr) : 1;
        int per_slice = (k4 + slices - 1) / slices;
        if (w.packed()) per_slice = (per_slice + 2) / 3 * 3;  // whole groups of 12 inputs
        slices = (k4 + per_slice - 1) / per_slice;  // no empty slices
        Pass p("matmul");
        p.define("K4", k4).in("X", x).in("W", w.parts[i]);
        if (!w.by_rows) p.define("K_LAST", w.parts[i].rows() - 1);
        if (w.packed()) p.define("W_Q8P").define("K12", (k4 + 2) / 3).in("W_SCALE", w.scale);
        else if (w.quantized()) p.define("W_Q8").in("W_SCALE", w.scale);
        if (w.by_rows) p.define("W_ROWS");
        // plain images skip the tensor addressing per fetch (rgba8-coded floats need their 4-texel decode)
        if (x.layout().plain() && !coded_tier(x.tier())) p.define("X_PLAIN");
        if (w.parts[i].layout().plain() && !coded_tier(w.parts[i].tier())) p.define("W_PLAIN");
        if (slices > 1) p.define("KSLICE", w.packed() ? per_slice / 3 : per_slice);
        if (a.bias) p.define("HAS_BIAS").in("BIAS", *a.bias);
        if (a.gelu_x) p.define("GELU_X");
        p.set("u_n0", float(n0));
        const int c1 = n0 + w.part_rows(i);
        if (partials && slices > 1) {  // slice s of row r into row s rows + r of the scratch tensor; ksum adds them
            Tensor& sums = e.scratch("slices", slices * a.rows, y.cols());
            p.define("PARTIAL").set("u_rows", float(a.rows)).set("u_xrow", float(a.x_row0));
            e.run(p.out(sums, 0, slices * a.rows, n0, c1));
            sum_slices(e, sums, slices, a.rows, y, a.y_row0, n0, c1, a.gelu, a.residual, a.accumulate);
            continue;
        }
        if (slices > 1) p.sum_layers(slices);
        if (a.gelu) p.define("GELU");
        if (a.residual) p.define("HAS_RESIDUAL").in("RES", *a.residual);
        if (!group) {
            if (a.accumulate) p.add_to_output();
            p.set("u_xrow", float(a.x_row0 - a.y_row0));
            e.run(p.out(y, a.y_row0, a.y_row0 + a.rows, n0, c1));
            continue;
        }
        p.define("TILE_ROWS", t.rows).define("TILE_COLS", t.cols);
        p.set("u_xrow", float(a.x_row0)).set("u_yrow", float(a.y_row0));
        p.set("u_tile_rows", float(B)).set("u_tile_cols", float(W4));
        e.run(p.out(*group, 0, B, n0, n0 + std::min(4 * W4, w.part_rows(i))));
        Pass u("untile");
        u.define("TILES", t.count()).define("TILE_ROWS", t.rows);
        for (int j = 0; j < t.count(); ++j) u.in("T" + std::to_string(j), group->tensors[size_t(j)]);
        u.set("u_yrow", float(a.y_row0)).set("u_c40", float(n0 / 4));
        u.set("u_tile_rows", float(B)).set("u_tile_cols", float(W4));
        if (a.accumulate) u.add_to_output();
        e.run(u.out(y, a.y_row0, a.y_row0 + a.rows, n0, c1));
    }
}

}  // namespace gpt2gl
