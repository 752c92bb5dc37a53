// bench/bench.cpp — see bench.h.
//
// Napkin math for decode (batch 1): every weight is read once per token, so the floor is weight bytes / memory
// bandwidth (124M fp32: ~0.5 GB -> 0.16 ms at 3 TB/s on an H100), and FLOPs are 2 per weight (0.25 GFLOP).
// On llvmpipe (~4-11 GFLOP/s measured) arithmetic is the floor instead.
#include "bench/bench.h"

#include <GLES2/gl2.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>

#include "model/reference.h"
#include "runtime/generator.h"

namespace gpt2gl {

using Clock = std::chrono::steady_clock;
static double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// GPT-2 shapes with random weights: uniform in +-0.035 (std 0.02, like GPT-2's init), layer norms at 1 and 0.
static Gpt2Weights random_gpt2(const std::string& name) {
    struct Shape {
        const char* name;
        int layers, heads, channels;
    };
    const Shape shapes[] = {{"124M", 12, 12, 768}, {"355M", 24, 16, 1024}, {"774M", 36, 20, 1280}, {"1.5B", 48, 25, 1600}};
    const Shape* s = nullptr;
    for (auto& x : shapes)
        if (name == x.name) s = &x;
    if (!s) throw std::runtime_error("unknown model shape " + name + " (expected 124M, 355M, 774M or 1.5B)");
    Gpt2Weights w;
    Gpt2Config& c = w.cfg;
    c.vocab_size = 50257, c.n_positions = 1024, c.n_embd = s->channels, c.n_layer = s->layers, c.n_head = s->heads;
    c.n_inner = 4 * s->channels;
    uint64_t state = 0x9E3779B97F4A7C15ull;
    auto fill = [&](size_t n) {
        std::vector<float> v(n);
        for (auto& x : v) {  // splitmix64: fast and reproducible
            uint64_t z = (state += 0x9E3779B97F4A7C15ull);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            x = float(double((z ^ (z >> 31)) >> 11) / 9007199254740992.0 * 0.07 - 0.035);
        }
        return v;
    };
    const size_t C = size_t(c.n_embd), I = size_t(c.n_inner);
    w.wte = fill(size_t(c.vocab_size) * C);
    w.wpe = fill(size_t(c.n_positions) * C);
    for (int l = 0; l < c.n_layer; ++l) {
        LayerWeights L;
        L.ln_1_w.assign(C, 1), L.ln_1_b.assign(C, 0), L.ln_2_w.assign(C, 1), L.ln_2_b.assign(C, 0);
        L.c_attn_w = fill(3 * C * C), L.c_attn_b = fill(3 * C);
        L.attn_proj_w = fill(C * C), L.attn_proj_b = fill(C);
        L.c_fc_w = fill(I * C), L.c_fc_b = fill(I);
        L.mlp_proj_w = fill(C * I), L.mlp_proj_b = fill(C);
        w.layers.push_back(std::move(L));
    }
    w.ln_f_w.assign(C, 1), w.ln_f_b.assign(C, 0);
    w.source = "random " + name;
    return w;
}

static Gpt2Weights bench_model(const std::string& m) {
    if (m == "default") return load_weights(default_model());
    if (!m.empty() && std::isdigit(static_cast<unsigned char>(m[0]))) return random_gpt2(m);
    return load_weights(m);
}

static std::vector<int> token_ids(int n, int vocab) {
    std::vector<int> ids(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) ids[size_t(i)] = (i * 7919 + 13) % vocab;
    return ids;
}

// printf into a string (the tables below are fixed-width).
template <class... A>
static std::string fmt(const char* f, A... a) {
    char line[512];
    std::snprintf(line, sizeof line, f, a...);
    return line;
}

// The CPU reference for one model: its logits of a 4-token prefill on the weights as loaded and as each weights
// choice stores them (validation), and its prefill and decode times at the two shortest contexts (`cpu`).
struct CpuFigures {
    std::vector<int> ids4;  // short: the CPU reference of a 1.5B model is slow
    std::vector<float> logits;
    std::map<Tier, std::vector<float>> logits_stored;  // on the weights as each round trip stores them (round_trip)
    nlohmann::json times = nlohmann::json::object();
};

// The round trip a weights choice is validated on: q8 and packed q8 hold the same values, and "auto" may choose q8.
static Tier round_trip(const std::string& weights) {
    return weights == "fp16" ? Tier::fp16 : weights == "q4-packed" ? Tier::q4p : Tier::q8;
}
static Tier round_trip(Tier weights) { return weights == Tier::q8p ? Tier::q8 : weights; }

static CpuFigures cpu_reference(const Gpt2Weights& w, int n_ctx, const std::vector<int>& ctxs, const BenchOptions& o,
                                std::ostream& out) {
    const Gpt2Config& c = w.cfg;
    CpuFigures f;
    f.ids4 = token_ids(4, c.vocab_size);
    for (const std::string& as : o.weights) {  // q8, q4 and fp16 weights validate on their round trip
        const Tier t = round_trip(as);
        if (as != "tier" && !f.logits_stored.count(t))
            f.logits_stored[t] = CpuGpt2(weights_as_stored(w, t, Tier::fp32), n_ctx)
                                     .forward(f.ids4.data(), int(f.ids4.size()));
    }
    CpuGpt2 ref(w, n_ctx);
    f.logits = ref.forward(f.ids4.data(), int(f.ids4.size()));
    if (!o.cpu) return f;
    for (size_t i = 0; i < std::min<size_t>(2, ctxs.size()); ++i) {
        ref.reset();
        auto pre = token_ids(ctxs[i], c.vocab_size);
        auto t0 = Clock::now();
        ref.forward(pre.data(), int(pre.size()));
        double prefill = ms_since(t0);
        int tok = 1, steps = std::max(1, o.decode_steps / 4);
        t0 = Clock::now();
        for (int k = 0; k < steps; ++k) ref.forward(&tok, 1);
        double decode = ms_since(t0) / steps;
        f.times[std::to_string(ctxs[i])] = {{"prefill_ms", prefill}, {"decode_ms", decode}};
        out << fmt("  cpu reference    context %4d: prefill %9.1f ms (%8.1f tok/s), decode %9.2f ms/token\n", ctxs[i],
                   prefill, ctxs[i] * 1000.0 / prefill, decode);
    }
    return f;
}

// Validate, then time: the logits of a 4-token prefill against the CPU reference's.
static nlohmann::json validate(Gpt2& m, const CpuFigures& cpu, const Engine& e, const std::string& label,
                               std::ostream& out) {
    const std::string wl = e.weights_label();
    const Tier stored = round_trip(e.weights());
    const std::vector<float>& want = wl.empty() ? cpu.logits : cpu.logits_stored.at(stored);
    const std::string weights = stored == Tier::q4p ? "q4" : tier_name(stored);  // q8, q4, fp16
    m.forward(cpu.ids4.data(), int(cpu.ids4.size()));
    auto logits = m.logits_last();
    double max_err = 0, sum2 = 0;
    for (size_t i = 0; i < logits.size(); ++i) {
        max_err = std::max(max_err, double(std::fabs(logits[i] - want[i])));
        sum2 += double(want[i]) * want[i];
    }
    double rel = max_err / std::sqrt(sum2 / double(logits.size()));
    int token = argmax(logits), cpu_token = argmax(want);
    const std::string unpacking = *e.unpacking_way() ? std::string(", unpacked by ") + e.unpacking_way() : "";
    out << fmt("  %-16s validation: logits within %.2e of the CPU reference%s (%.2e of their RMS), argmax %d vs %d"
               "%s%s\n",
               label.c_str(), max_err, wl.empty() ? "" : (" on " + weights + " weights").c_str(), rel, token, cpu_token,
               unpacking.c_str(), token == cpu_token ? "" : "  WARNING: different token");
    return {{"max_abs_logit_error", max_err}, {"relative_to_rms", rel}, {"token", token}, {"cpu_reference_token", cpu_token},
            {"cpu_reference_weights", wl.empty() ? "as loaded" : weights + " round trip"}};
}

// Prefill of T and decode ms/token at each context length T, with draws and weight bytes per token.
static int split_issue_steps(const BenchOptions& o) { return std::max(1, o.decode_steps / 4); }

static void time_contexts(Generator& g, const std::vector<int>& ctxs, const BenchOptions& o, long weight_bytes,
                          const nlohmann::json& cpu_times, const std::string& label, nlohmann::json& r,
                          std::ostream& out) {
    Gpt2& m = g.model();
    const int V = g.config().vocab_size;
    nlohmann::json prefill = nlohmann::json::array(), decode = nlohmann::json::array();
    for (int T : ctxs) {
        auto p = token_ids(T, V);
        m.reset();  // one untimed prefill of this length first: drivers finish allocations on first use
        m.forward(p.data(), T);
        m.logits_last();
        // the median of three timed prefills: single ones on a shared GPU now and then took twice their time
        std::vector<double> pre;
        for (int k = 0; k < 3; ++k) {
            m.reset();
            auto t0 = Clock::now();
            m.forward(p.data(), T);
            m.logits_last();  // reading back synchronizes
            pre.push_back(ms_since(t0));
        }
        std::sort(pre.begin(), pre.end());
        const double pre_ms = pre[1];
        long draws0 = g.engine().draw_calls();
        int tok = 1;
        m.forward(&tok, 1);
        m.argmax_last();
        long draws = g.engine().draw_calls() - draws0;
        auto t0 = Clock::now();
        double issue_ms = 0;  // CPU time to issue a token's passes (forward() returns before the GPU is done)
        for (int k = 0; k < o.decode_steps; ++k) {
            auto t1 = Clock::now();
            m.forward(&tok, 1);
            issue_ms += ms_since(t1);
            tok = m.argmax_last();  // greedy decoding, as `generate --temp 0`: the argmax found on the GPU
        }
        double dec_ms = ms_since(t0) / o.decode_steps;
        issue_ms /= o.decode_steps;
        // the issue split in two over a quarter as many steps: the passes built (recorded: no GL call), then drawn
        const int split_steps = split_issue_steps(o);
        double build_ms = 0, draw_ms = 0;
        for (int k = 0; k < split_steps; ++k) {
            auto t1 = Clock::now();
            g.engine().begin_recording();
            m.forward(&tok, 1);
            std::vector<Pass> passes = g.engine().end_recording();
            build_ms += ms_since(t1);
            auto t2 = Clock::now();
            for (const Pass& p : passes) g.engine().draw(p);
            draw_ms += ms_since(t2);
            tok = m.argmax_last();
        }
        build_ms /= split_steps;
        draw_ms /= split_steps;
        prefill.push_back({{"tokens", T}, {"ms", pre_ms}, {"tokens_per_s", T * 1000.0 / pre_ms}});
        decode.push_back({{"context", T}, {"ms_per_token", dec_ms}, {"draw_calls_per_token", draws},
                          {"issue_ms_per_token", issue_ms}, {"build_ms_per_token", build_ms},
                          {"draw_ms_per_token", draw_ms}, {"weight_gb_per_s", double(weight_bytes) / dec_ms / 1e6}});
        const std::string key = std::to_string(T);
        double ratio = cpu_times.contains(key) ? cpu_times[key]["decode_ms"].get<double>() / dec_ms : 0;
        out << fmt("  %-16s context %4d: prefill %9.1f ms (%8.1f tok/s), decode %9.2f ms/token (%.2f ms to issue: "
                   "%.2f building, %.2f drawing), %4ld draws/token, %6.1f GB/s of weights%s\n",
                   label.c_str(), T, pre_ms, T * 1000.0 / pre_ms, dec_ms, issue_ms, build_ms, draw_ms, draws,
                   double(weight_bytes) / dec_ms / 1e6,
                   ratio > 0 ? (", " + std::to_string(ratio).substr(0, 5) + "x the CPU reference's speed").c_str() : "");
    }
    r["prefill"] = prefill;
    r["decode"] = decode;
}

// Per-pass times of one decode step, twice: glFinish before and after each pass (CPU wall time), and by GPU timer
// queries where the driver has them (one span per pass, from the end of the pass before it to its own end, no
// glFinish in between); then of one prefill of `prefill_T` tokens by GPU timer queries. Passes are named by op, the
// LM head apart from the layers.
static void per_pass_times(Generator& g, int prefill_T, nlohmann::json& r, std::ostream& out) {
    Engine& e = g.engine();
    Gpt2& m = g.model();
    std::vector<std::string> names;
    std::vector<double> ms;
    auto run = [&](const std::vector<int>& toks, const std::function<void()>& after_pass) {
        names.clear();
        e.observe([&](const Pass& p) {
            names.push_back(e.scope() == "lm_head" ? "lm_head" : p.op);
            after_pass();
        });
        m.forward(toks.data(), int(toks.size()));
        m.argmax_last();
        e.observe(nullptr);
    };
    auto step = [&](int tok, const std::function<void()>& after_pass) { run({tok}, after_pass); };
    std::string what;  // the step timed, for the report
    auto report = [&](const char* how, const char* key) {
        std::map<std::string, std::pair<double, int>> per_op;
        for (size_t i = 0; i < names.size() && i < ms.size(); ++i) {
            per_op[names[i]].first += ms[i];
            per_op[names[i]].second += 1;
        }
        nlohmann::json passes = nlohmann::json::object();
        double total = 0;
        out << "  per pass, " << what << " (" << how << "):";
        for (auto& [op, v] : per_op) {
            passes[op] = {{"ms", v.first}, {"draws", v.second}};
            total += v.first;
            out << fmt(" %s %.3f ms/%d", op.c_str(), v.first, v.second);
        }
        out << fmt("; all passes %.3f ms%s\n", total, ms.empty() ? " (no results)" : "");
        r[key] = passes;
    };

    ms.clear();
    what = "one decode step at context " + std::to_string(m.pos() + 1);
    glFinish();
    auto last = Clock::now();
    step(2, [&] {
        glFinish();
        auto now = Clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(now - last).count());
        last = now;
    });
    report("glFinish-synced CPU time", "per_pass_ms_glfinish");

    gl::SpanTimer timer(g.caps().timer_query);
    if (!timer.ok()) return;
    what = "one decode step at context " + std::to_string(m.pos() + 1);
    glFinish();
    timer.start();
    step(3, [&] { timer.next(); });
    ms = timer.stop();  // the last span is the readback's, not a pass's; empty after a disjoint event
    report("GPU timer queries", "per_pass_ms_gpu_timer");

    m.reset();
    what = "one prefill of " + std::to_string(prefill_T) + " tokens";
    std::vector<int> toks = token_ids(prefill_T, g.config().vocab_size);
    glFinish();
    timer.start();
    run(toks, [&] { timer.next(); });
    ms = timer.stop();
    report("GPU timer queries", "prefill_per_pass_ms_gpu_timer");
}

// One model with one tier, weights choice and split: validated, timed per context, per-pass times.
static nlohmann::json run_variant(gl::Context& ctx, const std::string& name, const std::shared_ptr<const Gpt2Weights>& w,
                                  int n_ctx, const std::vector<int>& ctxs, const CpuFigures& cpu, const BenchOptions& o,
                                  const EngineOptions& eo, std::ostream& out) {
    GeneratorOptions go;
    go.weights = w, go.engine = eo, go.n_ctx = n_ctx;
    Generator g(go, &ctx);
    const Engine& e = g.engine();
    // the variant's label: the tier, the weights when not stored as the tier, the split-K setting when not auto
    const std::string wl = e.weights_label();
    const int split = eo.split_k;
    const Engine::Tiles tiles = e.prefill_tiles();
    const std::string label = std::string(tier_name(e.tier())) + (wl.empty() ? "" : " " + wl) +
                              (eo.weights == "auto" ? " (auto)" : "") +
                              (split == -1 ? "" : split <= 1 ? " no split" : " split " + std::to_string(split)) +
                              (eo.draw_buffers == -1 && eo.tile_cols == -1 ? ""
                               : tiles.count() == 1 ? " no tiles"
                                                    : " tiles " + std::to_string(tiles.rows) + "x" + std::to_string(tiles.cols)) +
                              (eo.gpu_profile.empty() ? "" : " as " + eo.gpu_profile) + (eo.tune ? "" : " untuned");
    nlohmann::json r = {{"model", name}, {"config", w->cfg.describe()}, {"params", w->count_params()},
                        {"tier", tier_name(e.tier())}, {"weights", eo.weights},
                        {"weights_stored", wl.empty() ? "tier" : wl}, {"split_k", split},
                        {"draw_buffers", eo.draw_buffers}, {"tile_cols", eo.tile_cols},
                        {"tile", {tiles.rows, tiles.cols}}, {"gpu_profile", eo.gpu_profile}, {"tune", eo.tune},
                        {"label", label},
                        {"renderer", g.caps().renderer}, {"version", g.caps().version}};
    long weight_bytes = 0;  // texture bytes of the weights: what a decode step must read (wpe: one row)
    for (auto& t : g.model().tensors())
        if (t.kind == Gpt2::TensorInfo::weight && t.name != "wpe") weight_bytes += t.bytes;
    r["weight_texture_bytes"] = weight_bytes;
    r["validation"] = validate(g.model(), cpu, e, label, out);
    time_contexts(g, ctxs, o, weight_bytes, cpu.times, label, r, out);
    nlohmann::json tuned = nlohmann::json::array();  // the ways each matmul shape timed on this GPU (Engine::tuned)
    for (const Engine::Tuning& t : e.tunings()) {
        std::string line;
        for (size_t i = 0; i < t.ways.size(); ++i)
            line += fmt("%s%s %.3f ms", i ? ", " : "", t.ways[i].c_str(), t.ms[i]);
        out << fmt("  %-16s tuned %s: %s (%s%s) -> %s\n", label.c_str(), t.key.c_str(), line.c_str(),
                   t.gpu_timed ? "GPU timer" : "readback", t.flushed ? ", caches flushed" : "",
                   t.ways[size_t(t.chosen)].c_str());
        tuned.push_back({{"key", t.key}, {"ways", t.ways}, {"ms", t.ms}, {"chosen", t.ways[size_t(t.chosen)]},
                         {"timed_by", t.gpu_timed ? "GPU timer" : "readback"}, {"caches_flushed", t.flushed}});
    }
    r["tuned"] = tuned;
    r["cpu_reference"] = cpu.times;
    per_pass_times(g, *std::max_element(ctxs.begin(), ctxs.end()), r, out);
    return r;
}

// Every combination of the options' lists, the tier varying slowest.
static std::vector<EngineOptions> variants(const BenchOptions& o) {
    std::vector<EngineOptions> v;
    for (const std::string& tier : o.tiers)
        for (const std::string& weights : o.weights)
            for (int split : o.split_k)
                for (int tiles : o.draw_buffers)
                    for (int tile_cols : o.tile_cols)
                        for (const std::string& profile : o.gpu_profiles)
                            for (int tune : o.tune) {
                                EngineOptions eo;
                                eo.precision = tier, eo.weights = weights, eo.max_texture_size = o.max_texture_size;
                                eo.split_k = split, eo.draw_buffers = tiles, eo.tile_cols = tile_cols;
                                eo.gpu_profile = profile == "none" ? "" : profile;
                                eo.tune = tune != 0;
                                v.push_back(eo);
                            }
    return v;
}

nlohmann::json run_bench(const BenchOptions& o, std::ostream& out,
                         const std::function<void(const nlohmann::json&)>& progress) {
    nlohmann::json all = nlohmann::json::array();
    auto ctx = gl::create_headless_context();  // one context; a Generator per model and variant on it
    const gl::Caps caps = gl::probe_caps(ctx->backend());
    out << "gpt2gl bench on " << caps.renderer << " (" << caps.version << "); draw buffers " << caps.draw_buffers
        << ": " << caps.draw_buffers_why << "\n";
    for (const std::string& name : o.models) {
        auto w = std::make_shared<const Gpt2Weights>(bench_model(name));
        const Gpt2Config& c = w->cfg;
        // each context length T runs: a prefill of T, one untimed step, `decode_steps` timed steps, the issue's
        // split steps, two profiled steps
        const int extra = o.decode_steps + split_issue_steps(o) + 3;
        int n_ctx = std::min(c.n_positions, *std::max_element(o.contexts.begin(), o.contexts.end()) + extra);
        std::vector<int> ctxs;
        for (int t : o.contexts)
            if (t >= 1 && t + extra <= n_ctx) ctxs.push_back(t);
        if (ctxs.empty()) throw std::runtime_error(name + ": no context length fits its " + std::to_string(c.n_positions) + " positions");
        out << fmt("\n== %s: %s, %.1f M params\n", name.c_str(), c.describe().c_str(), double(w->count_params()) / 1e6);
        CpuFigures cpu = cpu_reference(*w, n_ctx, ctxs, o, out);
        for (const EngineOptions& eo : variants(o)) {
            all.push_back(run_variant(*ctx, name, w, n_ctx, ctxs, cpu, o, eo, out));
            out.flush();
            if (progress) progress(all);
        }
    }
    return all;
}

}  // namespace gpt2gl
