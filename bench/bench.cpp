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

nlohmann::json run_bench(const BenchOptions& o, std::ostream& out,
                         const std::function<void(const nlohmann::json&)>& progress) {
    nlohmann::json all = nlohmann::json::array();
    char line[512];
    auto ctx = gl::create_headless_context();  // one context; a Generator per model and variant on it
    const gl::Caps caps = gl::probe_caps(ctx->backend());
    out << "gpt2gl bench on " << caps.renderer << " (" << caps.version << ")\n";
    for (const std::string& name : o.models) {
        auto wp = std::make_shared<const Gpt2Weights>(bench_model(name));
        const Gpt2Weights& w = *wp;
        const Gpt2Config& c = w.cfg;
        // each context length T runs: a prefill of T, one untimed step, `decode_steps` timed steps, two profiled steps
        const int extra = o.decode_steps + 3;
        int n_ctx = std::min(c.n_positions, *std::max_element(o.contexts.begin(), o.contexts.end()) + extra);
        std::vector<int> ctxs;
        for (int t : o.contexts)
            if (t >= 1 && t + extra <= n_ctx) ctxs.push_back(t);
        if (ctxs.empty()) throw std::runtime_error(name + ": no context length fits its " + std::to_string(c.n_positions) + " positions");
        std::snprintf(line, sizeof line, "\n== %s: %s, %.1f M params\n", name.c_str(), c.describe().c_str(),
                      double(w.count_params()) / 1e6);
        out << line;

        // The CPU reference: decode ms/token at the two shortest contexts, and its greedy token to validate against.
        nlohmann::json cpu = nlohmann::json::object();
        // q8 variants validate against the reference on the q8 round trip of the weights.
        const auto ids4 = token_ids(4, c.vocab_size);  // short: the CPU reference of a 1.5B model is slow
        std::vector<float> cpu_logits;
        std::map<std::string, std::vector<float>> cpu_logits_stored;  // per weights choice that changes the weights
        for (const std::string& as : o.weights)
            if (as != "tier" && !cpu_logits_stored.count(as))
                cpu_logits_stored[as] = CpuGpt2(weights_as_stored(w, as == "q8" ? Tier::q8 : Tier::fp16, Tier::fp32), n_ctx)
                                            .forward(ids4.data(), int(ids4.size()));
        {
            CpuGpt2 ref(w, n_ctx);
            cpu_logits = ref.forward(ids4.data(), int(ids4.size()));
            if (o.cpu) {
                for (size_t i = 0; i < std::min<size_t>(2, ctxs.size()); ++i) {
                    ref.reset();
                    auto pre = token_ids(ctxs[i], c.vocab_size);
                    auto t0 = Clock::now();
                    ref.forward(pre.data(), int(pre.size()));
                    double prefill = ms_since(t0);
                    int tok = 1;
                    t0 = Clock::now();
                    int steps = std::max(1, o.decode_steps / 4);
                    for (int k = 0; k < steps; ++k) ref.forward(&tok, 1);
                    double decode = ms_since(t0) / steps;
                    cpu[std::to_string(ctxs[i])] = {{"prefill_ms", prefill}, {"decode_ms", decode}};
                    std::snprintf(line, sizeof line, "  cpu reference    context %4d: prefill %9.1f ms (%8.1f tok/s), decode %9.2f ms/token\n",
                                  ctxs[i], prefill, ctxs[i] * 1000.0 / prefill, decode);
                    out << line;
                }
            }
        }

        for (const std::string& tier : o.tiers) for (const std::string& weights : o.weights) for (int split : o.split_k) {
            EngineOptions eo;
            eo.precision = tier;
            eo.weights = weights;
            eo.max_texture_size = o.max_texture_size;
            eo.split_k = split;
            GeneratorOptions go;
            go.weights = wp;
            go.engine = eo;
            go.n_ctx = n_ctx;
            Generator g(go, ctx.get());
            Engine& e = g.engine();
            Gpt2& m = g.model();
            // the variant's label: the tier, q8 weights, and the split-K setting when it is not the default
            const std::string wl = e.weights_label();  // "" when the weights are stored as the tier
            std::string label = std::string(tier_name(e.tier())) + (wl.empty() ? "" : " " + wl) +
                                (split == -1 ? "" : split <= 1 ? " no split" : " split " + std::to_string(split));
            nlohmann::json r = {{"model", name},     {"config", c.describe()}, {"params", w.count_params()},
                                {"tier", tier_name(e.tier())}, {"weights", weights}, {"split_k", split},
                                {"label", label}, {"renderer", caps.renderer}, {"version", caps.version}};
            const std::vector<float>& want = wl.empty() ? cpu_logits : cpu_logits_stored.at(weights);
            long weight_bytes = 0;  // texture bytes of the weights: what a decode step must read (wpe: one row)
            for (auto& t : m.tensors())
                if (t.kind == Gpt2::TensorInfo::weight && t.name != "wpe") weight_bytes += t.bytes;
            r["weight_texture_bytes"] = weight_bytes;

            // validate, then time: the logits of a 4-token prefill against the CPU reference's
            m.forward(ids4.data(), int(ids4.size()));
            auto logits = m.logits_last();
            double max_err = 0, sum2 = 0;
            for (size_t i = 0; i < logits.size(); ++i) {
                max_err = std::max(max_err, double(std::fabs(logits[i] - want[i])));
                sum2 += double(want[i]) * want[i];
            }
            double rel = max_err / std::sqrt(sum2 / double(logits.size()));
            int token = argmax(logits), cpu_token = argmax(want);
            r["validation"] = {{"max_abs_logit_error", max_err}, {"relative_to_rms", rel}, {"token", token},
                               {"cpu_reference_token", cpu_token}, {"cpu_reference_weights", wl.empty() ? "as loaded" : weights + " round trip"}};
            std::snprintf(line, sizeof line, "  %-16s validation: logits within %.2e of the CPU reference%s (%.2e of their RMS), "
                          "argmax %d vs %d%s\n", label.c_str(), max_err, wl.empty() ? "" : (" on " + weights + " weights").c_str(), rel,
                          token, cpu_token, token == cpu_token ? "" : "  WARNING: different token");
            out << line;

            nlohmann::json prefill = nlohmann::json::array(), decode = nlohmann::json::array();
            for (int T : ctxs) {
                auto p = token_ids(T, c.vocab_size);
                m.reset();  // one untimed prefill of this length first: drivers finish allocations on first use
                m.forward(p.data(), T);
                m.logits_last();
                m.reset();
                auto t0 = Clock::now();
                m.forward(p.data(), T);
                m.logits_last();  // reading back synchronizes
                double pre_ms = ms_since(t0);
                long draws0 = e.draw_calls();
                int tok = 1;
                m.forward(&tok, 1);
                m.logits_last();
                long draws = e.draw_calls() - draws0;
                t0 = Clock::now();
                double issue_ms = 0;  // CPU time to issue a token's passes (forward() returns before the GPU is done)
                for (int k = 0; k < o.decode_steps; ++k) {
                    auto t1 = Clock::now();
                    m.forward(&tok, 1);
                    issue_ms += ms_since(t1);
                    tok = argmax(m.logits_last());
                }
                double dec_ms = ms_since(t0) / o.decode_steps;
                issue_ms /= o.decode_steps;
                prefill.push_back({{"tokens", T}, {"ms", pre_ms}, {"tokens_per_s", T * 1000.0 / pre_ms}});
                decode.push_back({{"context", T}, {"ms_per_token", dec_ms}, {"draw_calls_per_token", draws},
                                  {"issue_ms_per_token", issue_ms},
                                  {"weight_gb_per_s", double(weight_bytes) / dec_ms / 1e6}});
                double ratio = cpu.contains(std::to_string(T)) ? cpu[std::to_string(T)]["decode_ms"].get<double>() / dec_ms : 0;
                std::snprintf(line, sizeof line,
                              "  %-16s context %4d: prefill %9.1f ms (%8.1f tok/s), decode %9.2f ms/token (%.2f ms to issue), "
                              "%4ld draws/token, %6.1f GB/s of weights%s\n",
                              label.c_str(), T, pre_ms, T * 1000.0 / pre_ms, dec_ms, issue_ms, draws,
                              double(weight_bytes) / dec_ms / 1e6,
                              ratio > 0 ? (", " + std::to_string(ratio).substr(0, 5) + "x the CPU reference's speed").c_str() : "");
                out << line;
            }
            r["prefill"] = prefill;
            r["decode"] = decode;
            r["cpu_reference"] = cpu;

            // Per-pass times of one decode step, twice: glFinish before and after each pass (CPU wall time), and
            // by GPU timer queries where the driver has them (one span per pass, from the end of the pass before
            // it to its own end, no glFinish in between). Passes are named by op, the LM head apart from the layers.
            std::vector<std::string> names;
            std::vector<double> ms;
            auto step = [&](int tok, const std::function<void()>& after_pass) {
                names.clear();
                e.observe([&](const Pass& p) {
                    names.push_back(e.scope() == "lm_head" ? "lm_head" : p.op);
                    after_pass();
                });
                m.forward(&tok, 1);
                m.logits_last();
                e.observe(nullptr);
            };
            auto report = [&](const char* how, const char* key) {
                std::map<std::string, std::pair<double, int>> per_op;
                for (size_t i = 0; i < names.size() && i < ms.size(); ++i) {
                    per_op[names[i]].first += ms[i];
                    per_op[names[i]].second += 1;
                }
                nlohmann::json passes = nlohmann::json::object();
                double total = 0;
                out << "  per pass, one decode step at context " << m.pos() << " (" << how << "):";
                for (auto& [op, v] : per_op) {
                    passes[op] = {{"ms", v.first}, {"draws", v.second}};
                    total += v.first;
                    std::snprintf(line, sizeof line, " %s %.3f ms/%d", op.c_str(), v.first, v.second);
                    out << line;
                }
                std::snprintf(line, sizeof line, "; all passes %.3f ms%s\n", total, ms.empty() ? " (no results)" : "");
                out << line;
                r[key] = passes;
            };

            ms.clear();
            glFinish();
            auto last = Clock::now();
            step(2, [&] {
                glFinish();
                auto now = Clock::now();
                ms.push_back(std::chrono::duration<double, std::milli>(now - last).count());
                last = now;
            });
            report("glFinish-synced CPU time", "per_pass_ms_glfinish");

            gl::SpanTimer timer(caps.timer_query);
            if (timer.ok()) {
                glFinish();
                timer.start();
                step(3, [&] { timer.next(); });
                ms = timer.stop();  // the last span is the readback's, not a pass's; empty after a disjoint event
                report("GPU timer queries", "per_pass_ms_gpu_timer");
            }
            all.push_back(r);
            out.flush();
            if (progress) progress(all);
        }
    }
    return all;
}

}  // namespace gpt2gl
