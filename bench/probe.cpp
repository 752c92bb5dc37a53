// bench/probe.cpp — see probe.h.
#include "bench/probe.h"

#include <GLES2/gl2.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace gpt2gl {

using Clock = std::chrono::steady_clock;

// The best of `reps` glFinish-synced runs of p, after one untimed run (compiles, warms caches).
static double best_ms(Engine& e, const Pass& p, int reps) {
    e.run(p);
    glFinish();
    double best = 1e30;
    for (int i = 0; i < reps; ++i) {
        auto t0 = Clock::now();
        e.run(p);
        glFinish();
        best = std::min(best, std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    return best;
}

// S filled with ones, straight into its texels (quicker than Tensor::upload for ~0.3 GB).
static Tensor ones(Engine& e, const std::string& name, int rows, int cols) {
    Tensor t = e.tensor(name, rows, cols);
    const Layout& l = t.layout();
    t.upload_texels(std::vector<float>(size_t(l.width) * l.height * size_t(l.texel_elems == 4 ? 4 : 1), 1.0f));
    return t;
}

static void expect(const Tensor& t, float want, const char* what) {
    float got = t.read(0, 0);
    float rtol = t.tier() == Tier::fp16 ? 1e-3f : 1e-4f;  // the output's rounding (half: 2^-11), the ALU's (~1e-6)
    if (!(std::fabs(got - want) <= rtol * std::fabs(want)))
        throw std::runtime_error(std::string("probe ") + what + ": output " + std::to_string(got) + ", expected " +
                                 std::to_string(want) + " (the pass did not do the work it was timed for)");
}

nlohmann::json run_probe(Engine& e, std::ostream& out, bool small) {
    if (e.tier() == Tier::half)
        throw std::runtime_error("gpt2gl probe: the half tier is not probed (its FP16 shaders keep to 1024-texel "
                                 "textures, smaller than the probe's)\nHINT: probe fp32, fp16 or rgba8");
    const int reps = small ? 1 : 3;
    nlohmann::json r = {{"tier", tier_name(e.tier())}, {"renderer", e.caps().renderer}, {"timing", "glFinish-synced"}};

    // Arithmetic: every fragment runs ITER rounds of 8 vec4 multiply-adds (64 flops).
    const int alu_iter = small ? 16 : 256, alu_rows = small ? 64 : 1024;
    Tensor y = e.tensor("probe.out", alu_rows, 4 * 1024);
    double ms = best_ms(e, Pass("probe").define("ALU").define("ITER", alu_iter).out(y, 0, alu_rows, 0, 4096), reps);
    long frags = long(alu_rows) * y.layout().texels_per_row;
    double alu = double(frags) * alu_iter * 64 / (ms * 1e6);
    {  // fragment (0, 0): a0 = (0, 0, 1, 2)e-3 + k*0.1, lane 0 of sum_k a_k after ITER rounds of a = a*m + b
        double s = 0;
        for (int k = 0; k < 8; ++k) {
            double a = 0.1 * k;
            for (int i = 0; i < alu_iter; ++i) a = a * 0.999 + 1e-4;
            s += a;
        }
        expect(y, float(s), "arithmetic");
    }
    r["alu_gflops"] = alu;
    r["alu_ms"] = ms;

    // Cached fetches: 4 per round from a 64 x 64-texel S.
    const int fetch_iter = small ? 16 : 256, fetch_rows = small ? 64 : 512;
    Tensor s = ones(e, "probe.cache", 64, 256);
    ms = best_ms(e, Pass("probe").define("FETCH").define("ITER", fetch_iter).in("S", s).out(y, 0, fetch_rows, 0, 2048),
                 reps);
    frags = long(fetch_rows) * (y.layout().texel_elems == 4 ? 512 : 2048);
    double fetch = double(frags) * fetch_iter * 4 / (ms * 1e6);
    if (e.tier() != Tier::rgba8) expect(y, 4.0f * fetch_iter, "cached fetches");  // rgba8 samples the raw bytes
    r["fetch_gtexels"] = fetch;
    r["fetch_ms"] = ms;

    // Streaming: S of (ITER * rows, cols) read once, each fragment a column strip of ITER rows.
    // (rgba8: a fragment per float, each reading and decoding its own texel of the strip, as the passes do.)
    const int stream_iter = 64, stream_rows = small ? 4 : 64;
    const int stream_cols = small ? 1024 : e.tier() == Tier::rgba8 ? 8192 : 16384;  // rgba8: a texel per float
    Tensor big = ones(e, "probe.stream", stream_iter * stream_rows, stream_cols);
    Tensor ys = e.tensor("probe.stream_out", stream_rows, stream_cols);
    ms = best_ms(e, Pass("probe").define("STREAM").define("ITER", stream_iter).in("S", big)
                     .out(ys, 0, stream_rows, 0, stream_cols), reps);
    double bytes = double(big.bytes());
    expect(ys, float(stream_iter), "streaming");
    r["stream_gbs"] = bytes / (ms * 1e6);
    r["stream_ms"] = ms;
    r["stream_mb"] = bytes / 1e6;

    // The same bytes shaped as a decode step's split-K matvec: stream_rows layers summed by blending into a few
    // output rows (one row: how a decode step's matmul draws), each layer a slice of every column's strip.
    std::string folds;
    if (e.can_accumulate()) {  // stream_rows (4 or 64) layers: within gl::Quad::kMaxLayers
        const int texels = ys.layout().texels_per_row;
        for (int fold : {1, 2, 8}) {
            Pass p = Pass("probe").define("STREAM").define("LAYERS").define("ITER", stream_iter).in("S", big)
                         .set("u_fold", float(texels / fold), float(fold))
                         .out(ys, 0, fold, 0, stream_cols / fold).sum_layers(stream_rows);
            double fms = best_ms(e, p, reps);
            expect(ys, float(stream_iter * stream_rows), "streaming into folded rows");
            r["stream_layers_gbs"][std::to_string(fold)] = bytes / (fms * 1e6);
            char part[96];
            std::snprintf(part, sizeof part, "%s%d row%s %.1f", folds.empty() ? "" : ", ", fold, fold > 1 ? "s" : "",
                          bytes / (fms * 1e6));
            folds += part;
        }
    }
    // Dependent passes: a chain of tiny passes (one row of 192 texels, a decode step's layer norm), each reading
    // the one before, as a forward's passes do; the GPU cannot overlap them. Timed on the GPU where it can be.
    const int chain = small ? 8 : 512;
    Tensor c0 = e.tensor("probe.chain0", 1, 768), c1 = e.tensor("probe.chain1", 1, 768);
    c0.upload(std::vector<float>(768, 0.0f).data());
    auto run_chain = [&] {
        for (int i = 0; i < chain; ++i)
            e.run(Pass("probe").define("CHAIN").in("S", i % 2 ? c1 : c0).out(i % 2 ? c0 : c1, 0, 1, 0, 768));
    };
    run_chain();
    glFinish();
    double chain_ms = 1e30;
    gl::SpanTimer timer(e.caps().timer_query);
    for (int i = 0; i < reps; ++i) {
        auto t0 = Clock::now();
        if (timer.ok()) timer.start();
        run_chain();
        std::vector<double> spans = timer.ok() ? timer.stop() : std::vector<double>();
        glFinish();
        double ms_i = !spans.empty() ? spans[0] : std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        chain_ms = std::min(chain_ms, ms_i);
    }
    expect(c0, float((1 + reps) * chain), "dependent passes");  // 1 + reps chains of +1 (chain is even)
    r["dependent_pass_us"] = 1e3 * chain_ms / chain;
    r["dependent_pass_timing"] = timer.ok() ? "GPU timer query" : "glFinish-synced";

    char line[512];
    std::snprintf(line, sizeof line,
                  "probe (%s tier, glFinish-synced, best of %d): arithmetic %.1f GFLOP/s, cached texel fetches %.2f G/s, "
                  "streamed from memory %.1f GB/s (%.0f MB)\n",
                  tier_name(e.tier()), reps, alu, fetch, bytes / (ms * 1e6), bytes / 1e6);
    out << line;
    std::snprintf(line, sizeof line, "  a chain of %d tiny dependent passes: %.2f us each (%s)\n", chain,
                  1e3 * chain_ms / chain, timer.ok() ? "GPU timer query" : "glFinish-synced");
    out << line;
    if (!folds.empty())
        out << "  streamed as a split-K matvec (" << stream_rows << " blended layers) into " << folds << " GB/s\n";
    return r;
}

}  // namespace gpt2gl
