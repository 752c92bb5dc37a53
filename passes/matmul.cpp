// passes/matmul.cpp — x . w^T (+ bias)(gelu)(+ residual) (glsl/matmul.frag); one draw per part of w, and after it
// with tiles one untile draw (glsl/untile.frag) gathering the draw buffers' rows into y, or where K slices are not
// summed by blending one ksum draw (glsl/ksum.frag) adding them up (sum_slices, which attn_values shares), from the
// draw buffers too where the tiles are one row's. Which way a product draws (K split or not, one-row tiles or not) is
// tuned on this GPU by timing a one-row product (Engine::tuned) the first time a shape comes; packed weights' prefill
// tiles (8 x 1 or 4 x 2) by timing a product of up to 64 rows the first time a prefill comes.
#include "passes/ops.h"

#include <algorithm>
#include <memory>

namespace gpt2gl {

// Whether K slices are summed by a ksum pass rather than by blending: where the tier cannot blend
// (Engine::k_partials), and for packed weights (q8, q4) outside tiles. Such a decode matmul draws 20-60 slices onto
// one row; blended there, each of its short fragments waits on the one before it at the same pixel, and a pass of
// their own summing them is faster (H200, GPU time of a decode step, matmuls + ksum: 124M 1.98 -> 1.17 + 0.40 ms,
// 1.5B 28.0 -> 15.2 + 2.0 ms). fp16 weights, which stream 3x the texels, were slower so (124M matmuls 1.82 -> 2.16 ms),
// as were fp32 and RGBA8 q8 weights (docs/benchmarks.md, 2026-11-28).
// One-row tiles (decode's, through draw buffers) write their slices' sums into the tiles, and the ksum pass gathers
// them (TILES); tiles of several rows (prefill) keep blending.
static bool ksum_slices(const Engine& e, const SplitTensor& w, const Engine::Tiles& t) {
    return t.rows == 1 && (e.k_partials() || (w.packed() && e.tier() == Tier::fp32));
}

int matmul_slices(const Engine& e, const SplitTensor& w, int rows, int k4) {
    Engine::Tiles t = e.tiles(rows);
    // none, or summed by a ksum pass, which applies GELU itself
    if (!e.can_accumulate() || ksum_slices(e, w, t)) return 1;
    const int n4 = (w.rows + 3) / 4;
    return e.split_k((rows + t.rows - 1) / t.rows, (n4 + t.cols - 1) / t.cols, k4, t.count() > 1);
}

// The ksum pass over `slices` slices of `rows` rows into y's region, once its inputs are bound: y = f(sum) (+ res),
// f as `a` asks (gelu, residual, accumulate; a folded layer norm, y * gain beside y: MatmulArgs).
// constant: the slice count is compiled in (a matmul's, fixed by its shape), else a uniform.
static void run_ksum(Engine& e, Pass& k, int slices, int rows, Tensor& y, int y_row0, int c0, int c1,
                     const MatmulArgs& a, bool constant) {
    if (slices > gl::Quad::kMaxLayers) throw gl::Error("ksum: " + std::to_string(slices) + " slices, over 64");
    if (constant) k.define("SLICES", slices);
    else k.set("u_slices", float(slices));
    k.set("u_rows", float(rows)).set("u_yrow", float(y_row0));
    if (a.gelu) k.define("GELU");
    if (a.residual) k.define("HAS_RESIDUAL").in("RES", *a.residual);
    if (a.accumulate) k.add_to_output();
    if (const LnFold* f = a.ln_fold) {
        k.define("LN_FOLD").define("CHUNKS", f->stats->cols() / 4).in("STATS", *f->stats);
        k.in("CSUM", *f->csum).in("FBIAS", *f->fbias).set("u_eps", f->eps);
    }
    if (a.scaled) {
        k.define("X_SCALED").in("G", *a.gain);
        e.run(k.out(*a.scaled, y_row0, y_row0 + rows, c0, c1));
        return;
    }
    e.run(k.out(y, y_row0, y_row0 + rows, c0, c1));
}

static MatmulArgs sum_args(bool gelu, const Tensor* residual, bool accumulate) {
    MatmulArgs a;
    a.gelu = gelu, a.residual = residual, a.accumulate = accumulate;
    return a;
}

static void sum_slices(Engine& e, const Tensor& sums, int slices, int rows, Tensor& y, int y_row0, int c0, int c1,
                       const MatmulArgs& a, bool constant_slices) {
    Pass k("ksum");
    k.in("P", sums);
    run_ksum(e, k, slices, rows, y, y_row0, c0, c1, a, constant_slices);
}

static void sum_slices(Engine& e, const TensorGroup& tiles, int slices, int rows, Tensor& y, int y_row0, int c0,
                       int c1, const MatmulArgs& a, int tile_cols) {
    Pass k("ksum");
    const int n = int(tiles.tensors.size());
    k.define("TILES", n);
    for (int j = 0; j < n; ++j) k.in("T" + std::to_string(j), tiles.tensors[size_t(j)]);
    k.set("u_c40", float(c0 / 4)).set("u_tile_cols", float(tile_cols));
    run_ksum(e, k, slices, rows, y, y_row0, c0, c1, a, true);
}

void sum_slices(Engine& e, const Tensor& sums, int slices, int rows, Tensor& y, int y_row0, int c0, int c1, bool gelu,
                const Tensor* residual, bool accumulate, bool constant_slices) {
    sum_slices(e, sums, slices, rows, y, y_row0, c0, c1, sum_args(gelu, residual, accumulate), constant_slices);
}

void sum_slices(Engine& e, const TensorGroup& tiles, int slices, int rows, Tensor& y, int y_row0, int c0, int c1,
                bool gelu, const Tensor* residual, bool accumulate, int tile_cols) {
    sum_slices(e, tiles, slices, rows, y, y_row0, c0, c1, sum_args(gelu, residual, accumulate), tile_cols);
}

// How a product is drawn: with its K slices as Engine::split_k cuts them or in one piece; one-row products (decode)
// with tiles of 1 x tile_cols output texels a fragment (1: none).
struct Way {
    bool split = true;
    int tile_cols = 1;
    Engine::Tiles prefill;  // prefill: the tile timed against the rule's (prefill_tiles_timed); 1 x 1: Engine::tiles
};

// The ways of drawing a one-row product by w, the rule's first (EngineOptions::tune off): K split or whole where the
// rule splits it, and where w holds packed weights (q8, q4) on the fp32 tier, tiles of 1 x 2 and 1 x 4 sharing each
// fetch of x (as many draw buffers as that), or where w is held by rows on the rgba8 tier, 1 x 2, 1 x 4 and 1 x 8
// sharing each x texel's decode too, or none (tiles and split-K left to auto; asked for, the engine's). Which pays
// depends on the GPU: on an H200 the tiles (1.5B decode 22.3 -> 20.5 ms/token; rgba8 124M q8 11.4 -> 5.9 with
// 1 x 8) and splitting (a few hundred fragments fill few of its lanes); on SwiftShader neither (the page with the
// tiles: 521 ms/token against 203-254), on llvmpipe not splitting (124M q8 packed, decode 89 -> 73 ms/token, prefill
// of 16 tokens 360 -> 231 ms; docs/benchmarks.md).
static std::vector<Way> ways(const Engine& e, const SplitTensor& w, const MatmulArgs& a, int k4) {
    const EngineOptions& o = e.options();
    const Engine::Tiles t = e.tiles(1);
    const int n4 = (w.part_rows(0) + 3) / 4;
    const bool splits = (ksum_slices(e, w, t) || (e.can_accumulate() && !a.gelu && !a.residual)) &&
                        e.split_k(1, (n4 + t.cols - 1) / t.cols, k4) > 1;
    std::vector<Way> out{{true, t.cols, {}}};
    if (splits && o.split_k == -1) out.push_back({false, t.cols, {}});
    const bool tiles = (w.packed() && e.tier() == Tier::fp32) || (w.by_rows && e.tier() == Tier::rgba8);
    if (tiles && o.draw_buffers == -1 && o.tile_cols == -1) {
        const size_t n = out.size();
        for (int cols : {2, 4, 8})
            if (e.caps().draw_buffers >= cols && (cols < 8 || e.tier() == Tier::rgba8))
                for (size_t i = 0; i < n; ++i) out.push_back({out[i].split, cols, {}});
    }
    return out;
}

static void draw_matmul(Engine& e, const Tensor& x, const SplitTensor& w, Tensor& y, const MatmulArgs& a, Way way);

// Whether a prefill of `rows` rows by packed weights (q8, q4) on the fp32 tier times 4 x 2 tiles against the rule's
// 8 x 1: 8 x 1 takes each W texel apart once for 8 rows, 4 x 2 fetches each x texel once for 2 column blocks. Which
// pays depends on the format and the GPU: on an H200 4 x 2 took packed q8's 124M prefill of 128 tokens 47.1 -> 39 ms
// and q4's 38.5 -> 42 (4-bit texels cost more to take apart than x texels to fetch); on llvmpipe packed q8's 72 ->
// 111 ms (64 tokens; docs/benchmarks.md, 2026-11-29). Timed at a shape's first prefill of 16 rows or more.
static bool wide_prefill_tried(const Engine& e, const SplitTensor& w, int rows) {
    return rows >= 16 && w.packed() && prefill_tiles_timed(e).count() > 1;
}

Engine::Tiles prefill_tiles_timed(const Engine& e) {
    const EngineOptions& o = e.options();
    const Engine::Tiles t = e.prefill_tiles();
    const bool timed = (e.weights() == Tier::q8p || e.weights() == Tier::q4p) && e.tier() == Tier::fp32 && o.tune &&
                       o.draw_buffers == -1 && o.tile_cols == -1 && t.rows == 8 && t.cols == 1;
    return timed ? Engine::Tiles{4, 2} : Engine::Tiles();
}

// The key a product of `rows` rows by w is tuned by: by shape and format (GELU, a residual or accumulating cost
// little beside the product; where they leave fewer ways, Engine::tuned keys by the count too).
static std::string tuning_key(const Engine& e, const SplitTensor& w, int rows) {
    return "matmul [" + std::to_string(rows) + ", " + std::to_string(w.cols) + "] x [" +
           std::to_string(w.part_rows(0)) + ", " + std::to_string(w.cols) + "]^T " + e.format_name(w.parts[0]);
}

// The tile a product of `rows` rows by w drawn `way` makes (coded tiers: only weights held by rows tile,
// glsl/matmul.frag W_ROWS): prefill's (timed or the engine's), decode's one-row tiles of way.tile_cols texels.
static Engine::Tiles tiles_drawn(const Engine& e, const SplitTensor& w, int rows, const Way& way) {
    if (coded_tier(e.tier()) && !w.by_rows) return Engine::Tiles();
    if (rows > 1) return way.prefill.count() > 1 ? way.prefill : e.tiles(rows);
    return Engine::Tiles{1, way.tile_cols};
}

// The K slices of a product of `rows` rows drawn `way` by part i of w, and the x texels each takes (whole loop
// steps: q8p 3 texels, q4p 6), none empty. blend: the slices may be summed by blending (no GELU or residual).
struct Slices {
    int count, per_slice;
};
static Slices slices_of(const Engine& e, const SplitTensor& w, size_t i, int rows, int k4, const Engine::Tiles& t,
                        bool blend, Way way) {
    const int B = (rows + t.rows - 1) / t.rows, n4 = (w.part_rows(i) + 3) / 4, W4 = (n4 + t.cols - 1) / t.cols;
    int slices = ksum_slices(e, w, t) ? e.fitting_slices(e.split_k(B, W4, k4), rows, w.rows)
                 : blend                ? e.split_k(B, W4, k4, t.count() > 1)
                                        : 1;
    if (!way.split) slices = 1;
    const int group4 = w.q4() ? 6 : w.packed() ? 3 : 1;
    int per_slice = (k4 + slices - 1) / slices;
    per_slice = (per_slice + group4 - 1) / group4 * group4;
    return {(k4 + per_slice - 1) / per_slice, per_slice};
}

bool decode_sums_slices(const Engine& e, const SplitTensor& w) {
    const Engine::Tiles t = e.tiles(1);
    if (!ksum_slices(e, w, t)) return false;
    const int k4 = (w.cols + 3) / 4;
    const std::vector<Way> all = ways(e, w, MatmulArgs(), k4);
    const int i = e.tuned_way(tuning_key(e, w, 1), int(all.size()));
    if (i < 0) return false;
    const Way& way = all[size_t(i)];
    for (size_t j = 0; j < w.parts.size(); ++j)
        if (slices_of(e, w, j, 1, k4, tiles_drawn(e, w, 1, way), false, way).count < 2) return false;
    return true;
}

void matmul(Engine& e, const Tensor& x, const SplitTensor& w, Tensor& y, const MatmulArgs& a) {
    if (w.cols != x.cols() || w.rows != y.cols())
        throw gl::Error("matmul " + w.name + ": shapes disagree: x [" + std::to_string(x.rows()) + ", " +
                        std::to_string(x.cols()) + "], w [" + std::to_string(w.rows) + ", " + std::to_string(w.cols) +
                        "], y [" + std::to_string(y.rows()) + ", " + std::to_string(y.cols()) + "]");
    if (a.accumulate && a.residual) throw gl::Error("matmul " + w.name + ": accumulate and residual both set");
    if (a.ln_fold && a.bias) throw gl::Error("matmul " + w.name + ": a folded layer norm's fbias is the bias");
    if (a.scaled && (!a.gain || &a.scaled->tensors[0] != &y))
        throw gl::Error("matmul " + w.name + ": y * gain goes beside y, the first of its group, and needs the gain");
    const int k4 = (x.cols() + 3) / 4;
    // decode takes the way tuned; prefill its split, with the tiles of its rows
    MatmulArgs one = a;
    one.rows = 1, one.y_row0 = 0;
    one.scaled = nullptr, one.gain = nullptr;  // the trials write a tensor of their own
    const std::vector<Way> all = ways(e, w, one, k4);
    auto name = [&](int j) {
        const Way& v = all[size_t(j)];
        return std::string(v.split ? "K split" : "K whole") +
               (v.tile_cols > 1 ? ", 1 x " + std::to_string(v.tile_cols) + " tiles" : "");
    };
    auto key_of = [&](int rows) { return tuning_key(e, w, rows); };
    const std::string key = key_of(1);
    std::unique_ptr<Tensor> trial;  // the trials' output, made if they run
    const int i = e.tuned(key, int(all.size()), name, [&](int j) {
        if (!trial) trial = std::make_unique<Tensor>(e.tensor("tuning", 1, y.cols()));
        draw_matmul(e, x, w, *trial, one, all[size_t(j)]);
    }, [&] { trial->read(0, 0); });
    const Way way = all[size_t(i)];
    if (!wide_prefill_tried(e, w, a.rows)) return draw_matmul(e, x, w, y, a, way);
    // its trials: 16 to 64 rows of x from row 0 (as many as x and the residual hold: at least a.rows)
    MatmulArgs trial_rows = a;
    trial_rows.rows = std::min({64, x.rows(), a.residual ? a.residual->rows() : 64});
    trial_rows.x_row0 = trial_rows.y_row0 = 0;
    Way wide = way;
    wide.prefill = prefill_tiles_timed(e);
    std::unique_ptr<Tensor> out;
    const int j = e.tuned(key_of(trial_rows.rows) + ", prefill", 2, [&](int j) {
        const Engine::Tiles t = j ? wide.prefill : e.tiles(a.rows);
        return std::to_string(t.rows) + " x " + std::to_string(t.cols) + " tiles";
    }, [&](int j) {
        if (!out) out = std::make_unique<Tensor>(e.tensor("tuning", trial_rows.rows, y.cols()));
        draw_matmul(e, x, w, *out, trial_rows, j ? wide : way);
    }, [&] { out->read(0, 0); });
    draw_matmul(e, x, w, y, a, j ? wide : way);
}

static void draw_matmul(Engine& e, const Tensor& x, const SplitTensor& w, Tensor& y, const MatmulArgs& a, Way way) {
    const int k4 = (x.cols() + 3) / 4;
    // Tiles: draw buffer jc R + jr of the group holds y's row y_row0 + jr B + i, texel n0/4 + jc W4 + c at (i, n0/4 + c),
    // for R x C tiles, B = ceil(rows / R) and W4 = ceil(part's texels / C). The last row and col blocks may run past
    // y's (those outputs are made from whatever x and w hold there, and never gathered).
    const Engine::Tiles t = tiles_drawn(e, w, a.rows, way);
    const int B = (a.rows + t.rows - 1) / t.rows;
    TensorGroup* group = t.count() > 1 ? &e.group(t.count(), B, y.cols()) : nullptr;
    for (size_t i = 0; i < w.parts.size(); ++i) {
        int n0 = int(i) * w.rows_per_part, n4 = (w.part_rows(i) + 3) / 4, W4 = (n4 + t.cols - 1) / t.cols;
        // Slices summed by blending leave no place for GELU or the residual, which need the whole sum; summed by a
        // ksum pass (ksum_slices), they must fit one scratch tensor of slices x rows rows.
        const bool partials = ksum_slices(e, w, t);
        if ((a.ln_fold || a.scaled) && !partials)
            throw gl::Error("matmul " + w.name + ": a folded layer norm needs its K slices summed by a ksum pass");
        const Slices cut = slices_of(e, w, i, a.rows, k4, t, e.can_accumulate() && !a.gelu && !a.residual, way);
        const int slices = cut.count, per_slice = cut.per_slice, group4 = w.q4() ? 6 : w.packed() ? 3 : 1;
        Pass p("matmul");
        p.define("K4", k4).in("X", x).in("W", w.parts[i]);
        if (!w.by_rows) p.define("K_LAST", w.parts[i].rows() - 1);
        if (w.packed()) e.unpacking(p);
        if (w.q4()) {
            p.define("W_Q4P").define("K24", (k4 + 5) / 6).in("W_SCALE", w.scale);
            if (k4 % 6) p.define("X_RAGGED");
            if (w.scale.plain_image()) p.define("S_PLAIN");
        } else if (w.packed()) {
            p.define("W_Q8P").define("K12", (k4 + 2) / 3).in("W_SCALE", w.scale);
        } else if (w.quantized()) {
            p.define("W_Q8").in("W_SCALE", w.scale);
        }
        if (w.by_rows) p.define("W_ROWS");
        // plain images skip the tensor addressing per fetch (rgba8-coded floats need their 4-texel decode)
        if (x.plain_image()) p.define("X_PLAIN");
        if (w.parts[i].plain_image()) p.define("W_PLAIN");
        if (slices > 1) p.define("KSLICE", per_slice / group4);
        if (a.bias && !a.ln_fold) p.define("HAS_BIAS").in("BIAS", *a.bias);
        if (a.gelu_x) p.define("GELU_X");
        p.set("u_n0", float(n0));
        const int c1 = n0 + w.part_rows(i);
        // slice s of row r into row s rows + r of the scratch tensor; ksum adds them (and finishes a folded layer
        // norm: then even one slice)
        if (partials && (slices > 1 || a.ln_fold || a.scaled)) {
            p.define("PARTIAL").set("u_rows", float(a.rows)).set("u_xrow", float(a.x_row0));
            if (!group) {
                Tensor& sums = e.scratch("slices", slices * a.rows, y.cols());
                e.run(p.out(sums, 0, slices * a.rows, n0, c1));
                sum_slices(e, sums, slices, a.rows, y, a.y_row0, n0, c1, a, true);
                continue;
            }
            // one-row tiles: tile jc of slice s of row r into row s rows + r of draw buffer jc, gathered by the ksum
            TensorGroup& sums = e.group(t.count(), slices * a.rows, y.cols());
            p.define("TILE_ROWS", 1).define("TILE_COLS", t.cols);
            p.set("u_yrow", 0.0f).set("u_tile_rows", float(a.rows)).set("u_tile_cols", float(W4));
            e.run(p.out(sums, 0, slices * a.rows, n0, n0 + std::min(4 * W4, w.part_rows(i))));
            sum_slices(e, sums, slices, a.rows, y, a.y_row0, n0, c1, a, W4);
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

bool packed_weights_exact(Engine& e) {
    if (!e.storage().has_packed) return true;
    const int K = 24;  // one q4 group, two q8 groups
    std::vector<float> eye(size_t(K) * K, 0.0f);
    for (int i = 0; i < K; ++i) eye[size_t(i) * K + i] = 1.0f;
    Tensor x = e.tensor("unpacking check: x", K, K);
    x.upload(eye.data());
    for (Tier as : {Tier::q8p, Tier::q4p}) {
        if (as == Tier::q4p && e.weights() != Tier::q4p) continue;  // no q4 compiled where the engine holds none
        // q8: 32 n + k runs through every residue of 255 as n does, for each k (each place k mod 3), and w[n, 0] = 127
        // makes each row's scale 1; q4: n + k through those of 15, and each row's 24 hold a 7: scales 1
        const bool q8 = as == Tier::q8p;
        const int N = q8 ? 256 : 16;
        std::vector<float> w(size_t(N) * K);
        for (int n = 0; n < N; ++n)
            for (int k = 0; k < K; ++k)
                w[size_t(n) * K + k] = !q8     ? float((n + k) % 15 - 7)
                                       : k == 0 ? 127.0f
                                                : float((32 * n + k) % 255 - 127);
        SplitTensor wt(e.storage(), "unpacking check: w", N, K, w.data(), as);
        Tensor y = e.tensor("unpacking check: y", K, N);
        MatmulArgs a;
        a.rows = K;
        draw_matmul(e, x, wt, y, a, Way{false, 1, {}});
        const std::vector<float> got = y.download();
        for (int k = 0; k < K; ++k)
            for (int n = 0; n < N; ++n)
                if (got[size_t(k) * N + n] != w[size_t(n) * K + k]) return false;
    }
    return true;
}

}  // namespace gpt2gl
