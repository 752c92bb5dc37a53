// cli/main.cpp — the gpt2gl command line: a thin main over model/ and passes/.
//   gpt2gl generate | logits | tokenize | detokenize | bench | probe | accuracy | view | info
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include "bench/accuracy.h"
#include "bench/bench.h"
#include "bench/probe.h"
#include "gl/caps.h"
#include "gl/context.h"
#include "model/gpt2.h"
#include "model/sampler.h"
#include "model/tokenizer.h"
#include "model/weights.h"
#include "passes/engine.h"
#include "viewer/app.h"

using namespace gpt2gl;
using Clock = std::chrono::steady_clock;

static double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

static std::string default_model() {
    std::ifstream f(std::string(GPT2GL_DEFAULT_MODEL) + "/config.json");
    return f ? GPT2GL_DEFAULT_MODEL : GPT2GL_INSTALLED_MODEL;
}

static std::vector<int> parse_ids(const std::string& s) {
    std::vector<int> ids;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ',')) {
        size_t a = item.find_first_not_of(" []"), b = item.find_last_not_of(" []");
        if (a == std::string::npos) continue;
        try {
            size_t used = 0;
            ids.push_back(std::stoi(item.substr(a, b - a + 1), &used));
            if (used != b - a + 1) throw std::invalid_argument(item);
        } catch (const std::exception&) {
            throw std::runtime_error("--ids: '" + item + "' is not an integer (expected a list like 1,2,3)");
        }
    }
    if (ids.empty()) throw std::runtime_error("--ids: no token ids given");
    return ids;
}

static void print_caps(const gl::Caps& c, const Engine& e) {
    std::printf("backend        %s\n", c.backend.c_str());
    std::printf("GL_VERSION     %s\n", c.version.c_str());
    std::printf("GLSL           %s\n", c.glsl_version.c_str());
    std::printf("GL_RENDERER    %s (%s)\n", c.renderer.c_str(), c.vendor.c_str());
    std::printf("context        %s\n", c.es3 ? "OpenGL ES 3.x" : "OpenGL ES 2.0 / WebGL 1.0");
    std::printf("max texture    %d (using %d)\n", c.max_texture_size, e.storage().max_size);
    std::printf("texture units  %d\n", c.max_texture_units);
    std::printf("highp          float %d bits, int %d bits\n", c.highp_float_bits, c.highp_int_bits);
    std::printf("fp32 target    %s: %s\n", c.fp32.ok ? "yes" : "no", c.fp32.why.c_str());
    std::printf("fp16 target    %s: %s\n", c.fp16.ok ? "yes" : "no", c.fp16.why.c_str());
    for (auto [name, f] : {std::pair<const char*, const gl::FloatSupport*>{"fp32", &c.fp32}, {"fp16", &c.fp16}})
        if (f->ok) std::printf("%s blending  %s: %s\n", name, f->blend ? "yes" : "no", f->blend_why.c_str());
    std::printf("timer query    %s\n", c.timer_query ? "yes" : "no");
    std::printf("tier           %s (%s; texels %s)\n", tier_name(e.tier()), e.tier_reason().c_str(),
                e.storage().format.name);
    std::printf("weights        %s (texels %s)\n",
                e.q8_weights() ? "q8: 8-bit, per-row scales" : e.weights_label().empty() ? "as the tier" : "fp16",
                e.q8_weights() ? e.storage().bytes.name : e.weights_label().empty() ? e.storage().format.name : e.storage().half.name);
}

// [SECTION] the engine and model, made once per command

struct Session {
    std::unique_ptr<gl::Context> ctx;
    gl::Caps caps;
    std::unique_ptr<Engine> engine;
    Gpt2Weights weights;
    std::unique_ptr<Gpt2> model;

    Session(const EngineOptions& eo, const std::string& model_path, bool load_model, int n_ctx = 0) {
        ctx = gl::create_headless_context();
        caps = gl::probe_caps(ctx->backend());
        engine = std::make_unique<Engine>(caps, eo);
        if (!load_model) return;
        auto t0 = Clock::now();
        std::string warn;
        // progress on a terminal only: "what: 42%" rewritten in place
        Progress progress = nullptr;
        if (isatty(2))
            progress = [](const std::string& what, double done, double total) {
                std::fprintf(stderr, "\r%s: %3.0f%%%s", what.c_str(), 100.0 * done / total, done >= total ? "\n" : "");
            };
        weights = load_weights(model_path, &warn, progress);
        if (!warn.empty()) std::fprintf(stderr, "%s", warn.c_str());
        std::fprintf(stderr, "model: %s (%s, %.1f M params)\n", model_path.c_str(), weights.cfg.describe().c_str(),
                     double(weights.count_params()) / 1e6);
        model = std::make_unique<Gpt2>(*engine, weights, n_ctx, false, progress);
        std::fprintf(stderr, "loaded in %.0f ms; tier %s\n", ms_since(t0), tier_name(engine->tier()));
    }
};

int main(int argc, char** argv) {
    CLI::App app{"gpt2gl: GPT-2 through the OpenGL ES 2.0 / WebGL 1.0 graphics pipeline"};
    app.require_subcommand(1);
    EngineOptions eo;
    std::string model = default_model(), prompt, ids_text, out_path, text;
    int n_tokens = 64, n_ctx = 0;
    bool print_ids = false;
    SamplerOptions so;
    auto engine_flags = [&](CLI::App* s) {
        s->add_option("--precision", eo.precision, "Storage tier: auto, fp32, fp16 or rgba8")
            ->check(CLI::IsMember({"auto", "fp32", "fp16", "rgba8"}));
        s->add_option("--max-texture-size", eo.max_texture_size, "Use textures of at most this size");
        s->add_option("--split-k", eo.split_k, "Matmul K splits: -1 auto (fp32 with exact blending), 0 none, n at most n")
            ->check(CLI::Range(-1, 64));
        s->add_option("--weights", eo.weights, "Weight matrices: tier (stored as every tensor), fp16 (half textures beside fp32) or q8 (8-bit, per-row scales)")
            ->check(CLI::IsMember({"tier", "fp16", "q8"}));
    };
    auto model_flag = [&](CLI::App* s) {
        s->add_option("-m,--model", model, "HF GPT-2 directory, .safetensors or llm.c .bin (default: the embedded model)");
    };

    CLI::App* gen = app.add_subcommand("generate", "Generate text, streaming tokens as they come");
    model_flag(gen);
    auto* p_opt = gen->add_option("-p,--prompt", prompt, "Prompt text");
    gen->add_option("--ids", ids_text, "Prompt as token ids, e.g. 1,2,3")->excludes(p_opt);
    gen->add_option("-n,--n-predict", n_tokens, "Tokens to generate")->check(CLI::Range(0, 1 << 20));
    gen->add_option("--temp", so.temperature, "Temperature (0: greedy)")->check(CLI::Range(0.0, 100.0));
    gen->add_option("--top-k", so.top_k, "Sample from the k most likely tokens (0: all)")->check(CLI::Range(0, 1 << 24));
    gen->add_option("--top-p", so.top_p, "Sample from the smallest set with this probability mass")->check(CLI::Range(0.0, 1.0));
    gen->add_option("--seed", so.seed, "Random seed");
    gen->add_option("--ctx", n_ctx, "Context length to allocate (default: the model's)");
    gen->add_flag("--print-ids", print_ids, "Print the generated token ids after the text");
    engine_flags(gen);

    CLI::App* lg = app.add_subcommand("logits", "Write the logits of every position of one prefill as float32 .npy [T, vocab]");
    model_flag(lg);
    lg->add_option("--ids", ids_text, "Token ids, e.g. 1,2,3")->required();
    lg->add_option("-o,--output", out_path, "Output .npy file (must not exist)")->required();
    engine_flags(lg);

    CLI::App* tok = app.add_subcommand("tokenize", "Print the token ids of a text as a JSON list");
    model_flag(tok);
    tok->add_option("--text", text, "Text to tokenize")->required();
    CLI::App* detok = app.add_subcommand("detokenize", "Print the text of token ids");
    model_flag(detok);
    detok->add_option("--ids", ids_text, "Token ids, e.g. 1,2,3")->required();

    CLI::App* bench = app.add_subcommand("bench", "Time prefill and decode per context length, model size and tier");
    BenchOptions bo;
    std::string json_path;
    bench->add_option("-m,--model", bo.models,
                      "Models: default, GPT-2 shapes with random weights (124M 355M 774M 1.5B), or paths")
        ->delimiter(',');
    bench->add_option("--precision", bo.tiers, "Tiers to time: auto fp32 fp16 rgba8")->delimiter(',');
    bench->add_option("--contexts", bo.contexts, "Context lengths, e.g. 16,64,256,1024")->delimiter(',');
    bench->add_option("--steps", bo.decode_steps, "Timed decode steps per context")->check(CLI::Range(1, 10000));
    bench->add_option("--max-texture-size", bo.max_texture_size, "Use textures of at most this size");
    bench->add_option("--split-k", bo.split_k, "Matmul K splits to time each tier with: -1 auto, 0 none, n at most n")
        ->delimiter(',');
    bench->add_option("--weights", bo.weights, "Weight storage to time each tier with: tier, fp16, q8")
        ->delimiter(',')->check(CLI::IsMember({"tier", "fp16", "q8"}));
    bench->add_flag("!--no-cpu", bo.cpu, "Skip timing the CPU reference");
    bench->add_option("--json", json_path, "Also write every figure as JSON to this file (must not exist)");

    CLI::App* probe = app.add_subcommand("probe", "Measure the fragment pipeline's ceilings: GFLOP/s, cached fetches, GB/s");
    std::string probe_json;
    engine_flags(probe);
    probe->add_option("--json", probe_json, "Also write the figures as JSON to this file (must not exist)");

    CLI::App* acc = app.add_subcommand("accuracy", "Loss, perplexity and top-1 agreement of tiers and q8 weights on a text");
    AccuracyOptions ao;
    std::string acc_text, acc_tokens;
    long acc_max = 0;
    model_flag(acc);
    auto* acc_text_opt = acc->add_option("--text", acc_text, "A text file to tokenize and predict");
    acc->add_option("--tokens", acc_tokens, "An llm.c token file (.bin, e.g. tiny_shakespeare_val.bin)")
        ->excludes(acc_text_opt);
    acc->add_option("--window", ao.window, "Tokens per forward (non-overlapping windows)")->check(CLI::Range(1, 1 << 16));
    acc->add_option("--max-tokens", acc_max, "Use at most this many tokens of the stream")->check(CLI::Range(2L, 1L << 40));
    acc->add_option("--precision", ao.tiers, "Tiers: auto fp32 fp16 rgba8 (the first variant is the baseline)")
        ->delimiter(',')->check(CLI::IsMember({"auto", "fp32", "fp16", "rgba8"}));
    acc->add_option("--weights", ao.weights, "Weight storage per tier: tier, fp16, q8")
        ->delimiter(',')->check(CLI::IsMember({"tier", "fp16", "q8"}));
    acc->add_option("--max-texture-size", ao.max_texture_size, "Use textures of at most this size");
    acc->add_option("--json", json_path, "Also write the figures as JSON to this file (must not exist)");
    acc->add_option("--split-k", ao.split_k, "Matmul K splits: -1 auto, 0 none, n at most n")->check(CLI::Range(-1, 64));

    CLI::App* view = app.add_subcommand("view", "Open the viewer: watch GPT-2 run and step through its render passes");
    ViewerOptions vo;
    view->add_option("-m,--model", vo.model, "Model (default: the embedded one)");
    view->add_option("-p,--prompt", vo.prompt, "Prompt");
    view->add_option("--ctx", vo.n_ctx, "Context length to allocate")->check(CLI::Range(1, 1 << 16));
    view->add_option("--temp", vo.sampling.temperature, "Temperature (0: greedy)");
    view->add_option("--top-k", vo.sampling.top_k, "Top-k (0: off)");
    view->add_option("--top-p", vo.sampling.top_p, "Top-p (1: off)");
    view->add_option("--seed", vo.sampling.seed, "Random seed");
    view->add_option("--size", vo.width, "Window width")->check(CLI::Range(320, 8192));
    view->add_option("--height", vo.height, "Window height")->check(CLI::Range(240, 8192));
    view->add_option("--show", vo.show, "Only one panel, full window: attention:LAYER:HEAD, residual:LAYER, logits, atlas, passes, caps");
    view->add_option("--screenshot", vo.screenshot, "Render once, write this PNG and exit (no window shown)");
    view->add_option("--layout", vo.layout, "With --screenshot: write what the attention panel drew where (JSON)");
    view->add_option("-n,--n-predict", vo.generate, "With --screenshot: tokens to generate first");
    engine_flags(view);

    CLI::App* info = app.add_subcommand("info", "GL context, capability probe, tier, and the model's textures");
    auto* info_model = info->add_option("-m,--model", model, "Also load a model and list its textures");
    engine_flags(info);
    CLI11_PARSE(app, argc, argv);

    try {
        if (*view) {
            if (vo.model.empty()) vo.model = model;
            vo.engine = eo;
            return run_viewer(vo);
        }
        if (*tok || *detok) {
            Tokenizer t = tokenizer_for(model);
            if (*tok) {
                auto ids = t.encode(text);
                std::printf("[");
                for (size_t i = 0; i < ids.size(); ++i) std::printf("%s%d", i ? ", " : "", ids[i]);
                std::printf("]\n");
            } else {
                std::printf("%s\n", t.decode(parse_ids(ids_text)).c_str());
            }
            return 0;
        }
        if (*bench) {
            if (!json_path.empty() && std::ifstream(json_path)) throw std::runtime_error(json_path + " exists; not overwriting it");
            auto ctx = gl::create_headless_context();
            gl::Caps caps = gl::probe_caps(ctx->backend());
            std::printf("gpt2gl bench on %s (%s)\n", caps.renderer.c_str(), caps.version.c_str());
            run_bench(caps, bo, std::cout, [&](const nlohmann::json& so_far) {
                if (!json_path.empty()) std::ofstream(json_path) << so_far.dump(1) << "\n";
            });
            return 0;
        }
        if (*probe) {
            if (!probe_json.empty() && std::ifstream(probe_json)) throw std::runtime_error(probe_json + " exists; not overwriting it");
            auto ctx = gl::create_headless_context();
            gl::Caps caps = gl::probe_caps(ctx->backend());
            Engine e(caps, eo);
            std::printf("gpt2gl probe on %s (%s)\n", caps.renderer.c_str(), caps.version.c_str());
            auto r = run_probe(e, std::cout);
            if (!probe_json.empty()) std::ofstream(probe_json) << r.dump(1) << "\n";
            return 0;
        }
        if (*acc) {
            if (acc_text.empty() == acc_tokens.empty()) throw std::runtime_error("accuracy: give --text FILE or --tokens FILE");
            if (!acc_tokens.empty()) {
                ao.tokens = load_llmc_tokens(acc_tokens);
            } else {
                std::ifstream f(acc_text, std::ios::binary);
                if (!f) throw std::runtime_error(acc_text + ": cannot open");
                std::stringstream ss;
                ss << f.rdbuf();
                ao.tokens = tokenizer_for(model).encode(ss.str());
            }
            if (acc_max > 0 && long(ao.tokens.size()) > acc_max) ao.tokens.resize(size_t(acc_max));
            if (!json_path.empty() && std::ifstream(json_path)) throw std::runtime_error(json_path + " exists; not overwriting it");
            auto ctx = gl::create_headless_context();
            gl::Caps caps = gl::probe_caps(ctx->backend());
            std::string warn;
            Gpt2Weights w = load_weights(model, &warn);
            if (!warn.empty()) std::fprintf(stderr, "%s", warn.c_str());
            std::printf("gpt2gl accuracy of %s on %s (%zu tokens), %s\n", model.c_str(),
                        (acc_tokens.empty() ? acc_text : acc_tokens).c_str(), ao.tokens.size(), caps.renderer.c_str());
            nlohmann::json r = run_accuracy(caps, w, ao, std::cout);
            if (!json_path.empty()) std::ofstream(json_path) << r.dump(1) << "\n";
            return 0;
        }
        if (*info) {
            Session s(eo, model, info_model->count() > 0);
            print_caps(s.caps, *s.engine);
            if (s.model) {
                long total = 0;
                std::printf("\n%-28s %12s %12s %10s\n", "texture", "tensor", "texels", "bytes");
                for (auto& t : s.model->tensors()) {
                    std::printf("%-28s %5dx%-6d %5dx%-6d %10ld\n", t.name.c_str(), t.rows, t.cols, t.width, t.height, t.bytes);
                    total += t.bytes;
                }
                std::printf("GPU memory for textures: %.1f MiB\n", double(total) / (1 << 20));
            }
            return 0;
        }
        if (*lg) {
            std::vector<int> ids = parse_ids(ids_text);
            if (std::ifstream(out_path)) throw std::runtime_error(out_path + " exists; not overwriting it");
            Session s(eo, model, true, int(ids.size()));
            s.model->forward(ids.data(), int(ids.size()));
            auto logits = s.model->logits_all();
            int V = s.weights.cfg.vocab_size;
            std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(ids.size()) +
                                 ", " + std::to_string(V) + "), }";
            while ((10 + header.size() + 1) % 64) header += ' ';
            header += '\n';
            std::ofstream f(out_path, std::ios::binary);
            if (!f) throw std::runtime_error("cannot write " + out_path);
            f.write("\x93NUMPY\x01\x00", 8);
            uint16_t len = uint16_t(header.size());
            f.write(reinterpret_cast<const char*>(&len), 2);
            f << header;
            f.write(reinterpret_cast<const char*>(logits.data()), std::streamsize(logits.size() * 4));
            std::fprintf(stderr, "wrote %s: float32 [%zu, %d]\n", out_path.c_str(), ids.size(), V);
            return 0;
        }
        // generate
        Tokenizer t = tokenizer_for(model);
        std::vector<int> ids = ids_text.empty() ? t.encode(prompt) : parse_ids(ids_text);
        if (ids.empty()) ids.push_back(t.eot() >= 0 ? t.eot() : 0);  // no prompt: start from <|endoftext|>
        Session s(eo, model, true, n_ctx);
        if (int(ids.size()) > s.model->n_ctx())
            throw std::runtime_error("the prompt is " + std::to_string(ids.size()) + " tokens, longer than the " +
                                     std::to_string(s.model->n_ctx()) + "-token context");
        Sampler sampler(so);
        std::fputs(prompt.c_str(), stdout);
        std::fflush(stdout);
        auto t0 = Clock::now();
        s.model->forward(ids.data(), int(ids.size()));
        auto logits = s.model->logits_last();
        double prefill_ms = ms_since(t0);
        std::vector<int> out;
        auto t1 = Clock::now();
        for (int i = 0; i < n_tokens; ++i) {
            int next = sampler.sample(logits);
            out.push_back(next);
            std::fputs(t.token(next).c_str(), stdout);
            std::fflush(stdout);
            if (i + 1 == n_tokens) break;
            if (s.model->pos() >= s.model->n_ctx()) {
                std::fprintf(stderr, "\n[stopped: the %d-token context is full]\n", s.model->n_ctx());
                break;
            }
            s.model->forward(&next, 1);
            logits = s.model->logits_last();
        }
        double decode_ms = ms_since(t1);
        std::printf("\n");
        std::fflush(stdout);
        if (print_ids) {
            std::printf("[");
            for (size_t i = 0; i < out.size(); ++i) std::printf("%s%d", i ? ", " : "", out[i]);
            std::printf("]\n");
        }
        std::fprintf(stderr, "prefill: %zu tokens in %.1f ms (%.1f tokens/s); decode: %zu tokens, %.2f ms/token; tier %s\n",
                     ids.size(), prefill_ms, ids.size() * 1000.0 / prefill_ms, out.size(),
                     out.size() > 1 ? decode_ms / double(out.size() - 1) : 0.0, tier_name(s.engine->tier()));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gpt2gl: %s\n", e.what());
        return 1;
    }
    return 0;
}
