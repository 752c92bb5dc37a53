// bench/accuracy.cpp — see accuracy.h.
#include "bench/accuracy.h"

#include <cmath>
#include <cstdio>
#include <memory>

#include "runtime/generator.h"

namespace gpt2gl {

// log-softmax of one row of logits (max and log-sum-exp in double)
static void log_softmax(const float* z, int V, std::vector<float>& out) {
    out.resize(size_t(V));
    float m = z[0];
    for (int i = 1; i < V; ++i) m = std::max(m, z[i]);
    double s = 0;
    for (int i = 0; i < V; ++i) s += std::exp(z[i] - m);
    float lse = m + float(std::log(s));
    for (int i = 0; i < V; ++i) out[size_t(i)] = z[i] - lse;
}

static int argmax_row(const float* z, int V) {
    int best = 0;
    for (int i = 1; i < V; ++i)
        if (z[i] > z[best]) best = i;
    return best;
}

// One storage choice being measured: its Generator, and sums over every prediction so far.
struct Variant {
    std::string label;
    std::unique_ptr<Generator> gen;
    double nll = 0, kl = 0;
    long correct = 0, agree = 0;
};

// Every tier of o.tiers with every weights choice of o.weights, on one context; the first is the baseline.
static std::vector<Variant> make_variants(gl::Context& ctx, const std::shared_ptr<const Gpt2Weights>& model,
                                          const AccuracyOptions& o, int window) {
    std::vector<Variant> vs;
    for (const std::string& tier : o.tiers)
        for (const std::string& weights : o.weights) {
            GeneratorOptions go;
            go.weights = model;
            go.engine.precision = tier, go.engine.weights = weights;
            go.engine.max_texture_size = o.max_texture_size, go.engine.split_k = o.split_k;
            go.n_ctx = window;
            Variant v;
            v.gen = std::make_unique<Generator>(go, &ctx);
            const std::string wl = v.gen->engine().weights_label();
            v.label = std::string(tier_name(v.gen->engine().tier())) +
                      (wl.empty() ? "" : wl.rfind("q", 0) == 0 ? " " + wl + " weights" : " " + wl);  // q8, q4
            vs.push_back(std::move(v));
        }
    return vs;
}

// The table, and the figures as JSON.
static nlohmann::json report(const std::vector<Variant>& vs, long n_windows, int W, std::ostream& out) {
    char line[256];
    const double n = double(n_windows) * W;
    nlohmann::json results = nlohmann::json::array();
    std::snprintf(line, sizeof line, "%-22s %12s %11s %10s %16s %15s\n", "variant", "loss (nats)", "perplexity",
                  "top-1 acc", "top-1 agreement", "mean KL (nats)");
    out << line;
    for (auto& v : vs) {
        double loss = v.nll / n;
        std::snprintf(line, sizeof line, "%-22s %12.5f %11.3f %9.2f%% %15.2f%% %15.2e\n", v.label.c_str(), loss,
                      std::exp(loss), 100.0 * double(v.correct) / n, 100.0 * double(v.agree) / n, v.kl / n);
        out << line;
        const Engine& e = v.gen->engine();
        results.push_back({{"variant", v.label}, {"tier", tier_name(e.tier())},
                           {"q8_weights", e.q8_weights()}, {"weights", tier_name(e.weights())}, {"loss", loss}, {"perplexity", std::exp(loss)},
                           {"top1_accuracy", double(v.correct) / n}, {"top1_agreement_with_first", double(v.agree) / n},
                           {"mean_kl_from_first", v.kl / n}});
    }
    out << "on " << vs[0].gen->caps().renderer << "\n";
    return {{"renderer", vs[0].gen->caps().renderer}, {"windows", n_windows}, {"window", W}, {"predictions", long(n)},
            {"variants", results}};
}

nlohmann::json run_accuracy(const std::shared_ptr<const Gpt2Weights>& model, const AccuracyOptions& o,
                            std::ostream& out, gl::Context* context) {
    const Gpt2Weights& w = *model;
    const int V = w.cfg.vocab_size;
    const int W = std::min(o.window, w.cfg.n_positions);
    if (W < 1) throw std::runtime_error("accuracy: the window must be at least 1 token");
    const long n_windows = (long(o.tokens.size()) - 1) / W;  // each window's last position predicts the next token
    if (n_windows < 1)
        throw std::runtime_error("accuracy: " + std::to_string(o.tokens.size()) + " tokens are too few for one window of " +
                                 std::to_string(W) + " and the token after it");
    for (int t : o.tokens)
        if (t < 0 || t >= V) throw std::runtime_error("accuracy: token id " + std::to_string(t) + " is outside the vocabulary");

    std::unique_ptr<gl::Context> own;  // one context; a Generator per variant on it
    if (!context) own = gl::create_headless_context(), context = own.get();
    std::vector<Variant> vs = make_variants(*context, model, o, W);

    char line[256];
    std::snprintf(line, sizeof line, "%ld windows of %d tokens: %ld predictions; %zu variants\n", n_windows, W, n_windows * W,
                  vs.size());
    out << line;
    // the first variant's log-probabilities, probabilities and top-1 per position of the window
    std::vector<float> lp_base(size_t(W) * V), p_base(size_t(W) * V), lp;
    std::vector<int> top_base(static_cast<size_t>(W));
    for (long k = 0; k < n_windows; ++k) {
        const int* ids = o.tokens.data() + k * W;
        for (size_t i = 0; i < vs.size(); ++i) {
            Variant& v = vs[i];
            Gpt2& m = v.gen->model();  // the model itself: every position's logits, not the next token's
            m.reset();
            m.forward(ids, W);
            std::vector<float> logits = m.logits_all();  // (W, V)
            for (int t = 0; t < W; ++t) {
                const float* z = logits.data() + size_t(t) * V;
                log_softmax(z, V, lp);
                v.nll -= lp[size_t(ids[t + 1])];
                int top = argmax_row(z, V);
                v.correct += top == ids[t + 1];
                float* lpb = lp_base.data() + size_t(t) * V;
                float* pb = p_base.data() + size_t(t) * V;
                if (i == 0) {
                    std::copy(lp.begin(), lp.end(), lpb);
                    for (int c = 0; c < V; ++c) pb[c] = std::exp(lpb[c]);
                    top_base[size_t(t)] = top;
                }
                v.agree += top == top_base[size_t(t)];
                if (i == 0) continue;  // KL from itself: 0
                double kl = 0;  // KL(first || this) = sum p_first (log p_first - log p_this)
                for (int c = 0; c < V; ++c) kl += double(pb[c] * (lpb[c] - lp[size_t(c)]));
                v.kl += kl;
            }
        }
        if ((k + 1) % 16 == 0 || k + 1 == n_windows) {
            std::snprintf(line, sizeof line, "  %ld/%ld windows\n", k + 1, n_windows);
            out << line;
            out.flush();
        }
    }

    return report(vs, n_windows, W, out);
}

}  // namespace gpt2gl
