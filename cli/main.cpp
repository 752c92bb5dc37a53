// cli/main.cpp — the gpt2gl command line: a thin main over runtime/Generator (and bench/, viewer/).
// One function per subcommand; the flags each takes are declared beside it.
//
// Index: [SECTION] shared flags  [SECTION] subcommands  [SECTION] flags per subcommand  [SECTION] main
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
#include "cli/npy.h"
#include "runtime/generator.h"
#include "viewer/app.h"

using namespace gpt2gl;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// [SECTION] shared flags

// "1,2,3" or "[1, 2, 3]" -> ids, each in [0, vocab) when vocab > 0.
std::vector<int> parse_ids(const std::string& s, int vocab) {
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
        if (vocab > 0 && (ids.back() < 0 || ids.back() >= vocab))
            throw std::runtime_error("--ids: token id " + std::to_string(ids.back()) + " is outside the vocabulary (0 to " +
                                     std::to_string(vocab - 1) + ")");
    }
    if (ids.empty()) throw std::runtime_error("--ids: no token ids given");
    return ids;
}

void print_ids(const std::vector<int>& ids) {
    std::printf("[");
    for (size_t i = 0; i < ids.size(); ++i) std::printf("%s%d", i ? ", " : "", ids[i]);
    std::printf("]\n");
}

// Options every model-running subcommand shares.
struct RunFlags {
    GeneratorOptions gen;
    std::string ids;
};

void add_model_flag(CLI::App* s, std::string& model) {
    s->add_option("-m,--model", model, "HF GPT-2 directory, .safetensors, llm.c .bin or minGPT .json (default: the "
                                       "embedded model)");
}

void add_engine_flags(CLI::App* s, EngineOptions& eo) {
    s->add_option("--precision", eo.precision,
                  "Storage tier: auto (the best this GPU renders), fp32, fp16, rgba8 or half (FP16 shaders)")
        ->check(CLI::IsMember({"auto", "fp32", "fp16", "rgba8", "half"}));
    s->add_option("--weights", eo.weights,
                  "Weight matrices: tier (stored as every tensor), fp16 (half textures beside fp32), q8 (8-bit, "
                  "per-row scales), q8-packed (the same, 12 to a float texel: fastest on a GPU), q4-packed (the "
                  "layers' matrices 4-bit, a scale per 24 inputs, 24 to a float texel: faster still, less exact) or "
                  "auto (the tier's, 8-bit for a model over 256 MB as the tier stores it)")
        ->check(CLI::IsMember({"tier", "auto", "fp16", "q8", "q8-packed", "q8-rgba8", "q4-packed"}));
    s->add_option("--max-texture-size", eo.max_texture_size, "Use textures of at most this size (0: the GPU's)");
    s->add_option("--gpu-profile", eo.gpu_profile, "Emulate an old GPU's limits: videocore-iv, mali-400, mali-t720, "
                                                   "adreno-306, powervr-sgx544, webgl-min, no-float-blend (README: GPUs by family)");
    s->add_option("--split-k", eo.split_k, "Matmul K splits: -1 auto (fp32 with exact blending), 0 none, n at most n")
        ->check(CLI::Range(-1, 64));
    s->add_option("--draw-buffers", eo.draw_buffers,
                  "Prefill matmul output texels per fragment, one draw buffer each: -1 auto (as many as the GPU allows, "
                  "up to 8), 0 or 1 none, n at most n")
        ->check(CLI::Range(-1, 8));
    s->add_option("--tile-cols", eo.tile_cols, "Of those, output texels side by side in a row: -1 auto, n")
        ->check(CLI::Range(-1, 8));
    s->add_flag("!--no-tune", eo.tune, "Draw every matmul the rule's way, not the way timed fastest on this GPU at "
                                        "first use (the same passes and sums on every run and GPU)");
}

void add_sampling_flags(CLI::App* s, SamplerOptions& so) {
    s->add_option("--temp", so.temperature, "Temperature (0: greedy)")->check(CLI::Range(0.0, 100.0));
    s->add_option("--top-k", so.top_k, "Sample from the k most likely tokens (0: all)")->check(CLI::Range(0, 1 << 24));
    s->add_option("--top-p", so.top_p, "Sample from the smallest set with this probability mass (1: all)")
        ->check(CLI::Range(0.0, 1.0));
    s->add_option("--seed", so.seed, "Random seed");
}

// Progress on a terminal only: "what: 42%" rewritten in place.
Progress terminal_progress() {
    if (!isatty(2)) return nullptr;
    return [](const std::string& what, double done, double total) {
        std::fprintf(stderr, "\r%s: %3.0f%%%s", what.c_str(), 100.0 * done / total, done >= total ? "\n" : "");
    };
}

// Loads the model (with progress), saying on stderr what was loaded and how.
std::unique_ptr<Generator> load(GeneratorOptions o) {
    auto t0 = Clock::now();
    o.progress = terminal_progress();
    auto g = std::make_unique<Generator>(o);
    if (!g->warnings().empty()) std::fprintf(stderr, "%s", g->warnings().c_str());
    const Engine& e = g->engine();
    std::fprintf(stderr, "model: %s (%s, %.1f M params); loaded in %.0f ms; tier %s%s%s\n", g->model_path().c_str(),
                 g->config().describe().c_str(), double(g->weights().count_params()) / 1e6, ms_since(t0),
                 tier_name(e.tier()), e.weights_label().empty() ? "" : (", " + e.weights_label()).c_str(),
                 e.weights_reason().empty() ? "" : ("; " + e.weights_reason()).c_str());
    return g;
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error(path + ": cannot open");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void refuse_existing(const std::string& path) {
    if (!path.empty() && std::ifstream(path)) throw std::runtime_error(path + " exists; not overwriting it");
}

// [SECTION] subcommands

struct GenerateFlags : RunFlags {
    std::string prompt;
    int n = 64;
    bool print_ids = false, ignore_eot = false;
};

// Streams the prompt, then each token as it is sampled; stops after n tokens, at <|endoftext|> (unless told to go
// on) or when the context is full. Timings on stderr.
int cmd_generate(GenerateFlags f) {
    f.gen.stop_at_eot = !f.ignore_eot;
    auto g = load(f.gen);
    std::vector<int> ids = f.ids.empty() ? g->encode(f.prompt) : parse_ids(f.ids, g->config().vocab_size);
    auto t0 = Clock::now();
    g->start(ids);
    double prefill_ms = ms_since(t0);
    std::fputs(f.ids.empty() ? f.prompt.c_str() : g->tokenizer().decode(ids).c_str(), stdout);
    std::fflush(stdout);
    std::vector<int> out;
    const char* stop = nullptr;
    auto t1 = Clock::now();
    for (int i = 0; i < f.n; ++i) {
        if (g->context_full()) {
            stop = "[stopped: the context is full]";
            break;
        }
        int next = g->step();
        if (next == Generator::kEndOfText) {
            stop = "[end of text]";
            break;
        }
        out.push_back(next);
        std::fputs(g->tokenizer().token(next).c_str(), stdout);
        std::fflush(stdout);
    }
    double decode_ms = ms_since(t1);
    std::printf("\n");
    std::fflush(stdout);
    if (stop) std::fprintf(stderr, "%s\n", stop);
    if (f.print_ids) print_ids(out);
    std::fprintf(stderr, "prefill: %zu tokens in %.1f ms (%.1f tokens/s); decode: %zu tokens, %.2f ms/token\n",
                 ids.size(), prefill_ms, double(ids.size()) * 1000.0 / prefill_ms, out.size(),
                 out.empty() ? 0.0 : decode_ms / double(out.size()));
    return 0;
}

struct LogitsFlags : RunFlags {
    std::string out;
};

int cmd_logits(LogitsFlags f) {
    refuse_existing(f.out);
    std::vector<int> ids = parse_ids(f.ids, 0);  // the model checks them against its vocabulary
    f.gen.n_ctx = int(ids.size());
    auto g = load(f.gen);
    g->start(ids);
    write_npy(f.out, g->logits_all(), int(ids.size()), g->config().vocab_size);
    std::fprintf(stderr, "wrote %s: float32 [%zu, %d]\n", f.out.c_str(), ids.size(), g->config().vocab_size);
    return 0;
}

int cmd_tokenize(const std::string& model, const std::string& text) {
    print_ids(tokenizer_for(model.empty() ? default_model() : model).encode(text));
    return 0;
}

int cmd_detokenize(const std::string& model, const std::string& ids) {
    Tokenizer t = tokenizer_for(model.empty() ? default_model() : model);
    std::printf("%s\n", t.decode(parse_ids(ids, t.size())).c_str());
    return 0;
}

void print_caps(const Generator& g) {
    const gl::Caps& c = g.caps();
    const Engine& e = g.engine();
    std::printf("backend        %s\n", c.backend.c_str());
    std::printf("GL_VERSION     %s\n", c.version.c_str());
    std::printf("GLSL           %s\n", c.glsl_version.c_str());
    std::printf("GL_RENDERER    %s (%s)\n", c.renderer.c_str(), c.vendor.c_str());
    std::printf("context        %s\n", c.es3 ? "OpenGL ES 3.x" : "OpenGL ES 2.0 / WebGL 1.0");
    std::printf("max texture    %d (using %d)\n", c.max_texture_size, e.storage().max_size);
    std::printf("texture units  %d\n", c.max_texture_units);
    std::printf("highp          float %d bits, int %d bits\n", c.highp_float_bits, c.highp_int_bits);
    auto kept = [](int bits) {
        return bits == 0 ? std::string("under 8 (or not measured)") :
               std::to_string(bits) + (bits == 23 ? " (fp32)" : bits == 10 ? " (FP16)" : "");
    };
    std::printf("mediump        float %d bits reported; arithmetic keeps %s, highp %s\n", c.mediump_float_bits,
                kept(c.mediump_bits_computed).c_str(), kept(c.highp_bits_computed).c_str());
    std::printf("fp32 target    %s: %s\n", c.fp32.ok ? "yes" : "no", c.fp32.why.c_str());
    std::printf("fp16 target    %s: %s\n", c.fp16.ok ? "yes" : "no", c.fp16.why.c_str());
    for (auto [name, f] : {std::pair<const char*, const gl::FloatSupport*>{"fp32", &c.fp32}, {"fp16", &c.fp16}})
        if (f->ok) std::printf("%s blending  %s: %s\n", name, f->blend ? "yes" : "no", f->blend_why.c_str());
    std::printf("timer query    %s\n", c.timer_query ? "yes" : "no");
    const Engine::Tiles t = e.prefill_tiles(), timed = prefill_tiles_timed(e);
    std::printf("draw buffers   %d (%s); prefill matmul tiles: %s\n", c.draw_buffers, c.draw_buffers_why.c_str(),
                t.count() == 1 ? "none"
                               : (std::to_string(t.rows) + (t.rows > 1 ? " rows x " : " row x ") +
                                  std::to_string(t.cols * t.texel_outputs) + " outputs a fragment" +
                                  (timed.count() > 1 ? " (or " + std::to_string(timed.rows) + " rows x " +
                                                           std::to_string(timed.cols * timed.texel_outputs) +
                                                           " outputs, timed per shape)"
                                                     : ""))
                                     .c_str());
    std::printf("tier           %s (%s; texels %s)\n", tier_name(e.tier()), e.tier_reason().c_str(),
                e.storage().format.name);
    const bool as_tier = e.weights_label().empty();
    std::printf("weights        %s (texels %s)\n",
                e.weights() == Tier::q4p   ? "q4: the layers' 4-bit, a scale per 24 inputs, 24 per texel; the "
                                             "embedding and LM head q8, 12 per texel"
                : e.weights() == Tier::q8p ? "q8: 8-bit, per-row scales, 12 per texel"
                : e.q8_weights()           ? "q8: 8-bit, per-row scales, 4 per texel"
                : as_tier                  ? "as the tier"
                                           : "fp16",
                e.weights() == Tier::q4p   ? "RGBA32F (24 x int4, 12 x int8)"
                : e.weights() == Tier::q8p ? "RGBA32F (12 x int8)"
                : e.q8_weights()           ? e.storage().bytes.name
                : as_tier                  ? e.storage().format.name
                                           : e.storage().half.name);
}

int cmd_info(GeneratorOptions gen, bool list_textures) {
    gen.tokenizer_optional = true;  // the GPU and the model's textures need none
    auto g = load(gen);
    print_caps(*g);
    if (!list_textures) return 0;
    long total = 0;
    std::printf("\n%-28s %12s %12s %10s\n", "texture", "tensor", "texels", "bytes");
    for (auto& t : g->model().tensors()) {
        std::printf("%-28s %5dx%-6d %5dx%-6d %10ld\n", t.name.c_str(), t.rows, t.cols, t.width, t.height, t.bytes);
        total += t.bytes;
    }
    std::printf("GPU memory for textures: %.1f MiB\n", double(total) / (1 << 20));
    return 0;
}

int cmd_bench(const BenchOptions& o, const std::string& json_path) {
    refuse_existing(json_path);
    run_bench(o, std::cout, [&](const nlohmann::json& so_far) {
        if (!json_path.empty()) std::ofstream(json_path) << so_far.dump(1) << "\n";
    });
    return 0;
}

int cmd_probe(const EngineOptions& eo, const std::string& json_path) {
    refuse_existing(json_path);
    auto ctx = gl::create_headless_context();
    gl::Caps caps = gl::probe_caps(ctx->backend());
    Engine e(caps, eo);
    std::printf("gpt2gl probe on %s (%s)\n", caps.renderer.c_str(), caps.version.c_str());
    auto r = run_probe(e, std::cout);
    if (!json_path.empty()) std::ofstream(json_path) << r.dump(1) << "\n";
    return 0;
}

struct AccuracyFlags {
    AccuracyOptions o;
    std::string model, text, tokens, json;
    long max_tokens = 0;
};

int cmd_accuracy(AccuracyFlags f) {
    if (f.text.empty() == f.tokens.empty()) throw std::runtime_error("accuracy: give --text FILE or --tokens FILE");
    refuse_existing(f.json);
    std::string model = f.model.empty() ? default_model() : f.model;
    f.o.tokens = f.tokens.empty() ? tokenizer_for(model).encode(read_file(f.text)) : load_llmc_tokens(f.tokens);
    if (f.max_tokens > 0 && long(f.o.tokens.size()) > f.max_tokens) f.o.tokens.resize(size_t(f.max_tokens));
    std::string warn;
    auto w = std::make_shared<const Gpt2Weights>(load_weights(model, &warn));
    if (!warn.empty()) std::fprintf(stderr, "%s", warn.c_str());
    std::printf("gpt2gl accuracy of %s on %s (%zu tokens)\n", model.c_str(),
                (f.tokens.empty() ? f.text : f.tokens).c_str(), f.o.tokens.size());
    nlohmann::json r = run_accuracy(w, f.o, std::cout);
    if (!f.json.empty()) std::ofstream(f.json) << r.dump(1) << "\n";
    return 0;
}

// [SECTION] flags per subcommand

CLI::App* add_generate(CLI::App& app, GenerateFlags& f) {
    CLI::App* c = app.add_subcommand("generate", "Generate text, streaming tokens as they come");
    add_model_flag(c, f.gen.model);
    auto* prompt = c->add_option("-p,--prompt", f.prompt, "Prompt text (none: start from <|endoftext|>)");
    c->add_option("--ids", f.ids, "Prompt as token ids, e.g. 1,2,3")->excludes(prompt);
    c->add_option("-n,--n-predict", f.n, "Tokens to generate")->check(CLI::Range(0, 1 << 20));
    add_sampling_flags(c, f.gen.sampling);
    c->add_option("--ctx", f.gen.n_ctx, "Context length to allocate (0: the model's)");
    c->add_flag("--ignore-eot", f.ignore_eot, "Go on past <|endoftext|> instead of stopping there");
    c->add_flag("--print-ids", f.print_ids, "Print the generated token ids after the text");
    add_engine_flags(c, f.gen.engine);
    return c;
}

CLI::App* add_logits(CLI::App& app, LogitsFlags& f) {
    CLI::App* c = app.add_subcommand("logits", "Write the logits of every position of one prefill as float32 .npy [T, vocab]");
    add_model_flag(c, f.gen.model);
    c->add_option("--ids", f.ids, "Token ids, e.g. 1,2,3")->required();
    c->add_option("-o,--output", f.out, "Output .npy file (must not exist)")->required();
    add_engine_flags(c, f.gen.engine);
    return c;
}

CLI::App* add_view(CLI::App& app, ViewerOptions& vo) {
    CLI::App* c = app.add_subcommand("view", "Open the viewer: watch GPT-2 run and step through its render passes");
    add_model_flag(c, vo.model);
    c->add_option("-p,--prompt", vo.prompt, "Prompt");
    c->add_option("--ctx", vo.n_ctx, "Context length to allocate")->check(CLI::Range(1, 1 << 16));
    add_sampling_flags(c, vo.sampling);
    c->add_flag("--ignore-eot", vo.ignore_eot, "Go on past <|endoftext|> instead of stopping there");
    c->add_option("--size", vo.width, "Window width")->check(CLI::Range(320, 8192));
    c->add_option("--height", vo.height, "Window height")->check(CLI::Range(240, 8192));
    c->add_option("--show", vo.show, "Only one window, full size: attention:LAYER:HEAD, headview:LAYER:HEAD, "
                                     "residual:LAYER, logits, atlas, passes or passes:N (pass N selected), caps, text");
    c->add_option("--screenshot", vo.screenshot, "Render once, write this PNG and exit (no window shown)");
    c->add_option("--layout", vo.layout, "With --screenshot: write what the attention panel drew where (JSON)");
    c->add_option("-n,--n-predict", vo.generate, "With --screenshot: tokens to generate first");
    c->add_option("--mouse", vo.mouse, "With --screenshot: the mouse at X,Y (window pixels), for hover readouts")
        ->delimiter(',')->expected(2);
    c->add_option("--step-passes", vo.step_passes, "With --screenshot: step mode, this many passes of the next token drawn");
    add_engine_flags(c, vo.engine);
    return c;
}

CLI::App* add_bench(CLI::App& app, BenchOptions& bo, std::string& json_path) {
    CLI::App* c = app.add_subcommand("bench", "Time prefill and decode per context length, model size and tier");
    c->add_option("-m,--model", bo.models, "Models: default, GPT-2 shapes with random weights (124M 355M 774M 1.5B), or paths")
        ->delimiter(',');
    c->add_option("--precision", bo.tiers, "Tiers to time: auto fp32 fp16 rgba8 half")->delimiter(',');
    c->add_option("--contexts", bo.contexts, "Context lengths, e.g. 16,64,256,1024")->delimiter(',');
    c->add_option("--steps", bo.decode_steps, "Timed decode steps per context")->check(CLI::Range(1, 10000));
    c->add_option("--max-texture-size", bo.max_texture_size, "Use textures of at most this size (0: the GPU's)");
    c->add_option("--split-k", bo.split_k, "Matmul K splits to time each tier with: -1 auto, 0 none, n at most n")
        ->delimiter(',');
    c->add_option("--draw-buffers", bo.draw_buffers,
                  "Prefill matmul outputs per fragment to time each tier with: -1 auto, 0 or 1 none, n at most n")
        ->delimiter(',')->check(CLI::Range(-1, 8));
    c->add_option("--tile-cols", bo.tile_cols, "Of those, output texels side by side in a row: -1 auto, n")
        ->delimiter(',')->check(CLI::Range(-1, 8));
    c->add_option("--weights", bo.weights, "Weight storage to time each tier with: tier, fp16, q8, q8-packed, q8-rgba8, q4-packed")
        ->delimiter(',')->check(CLI::IsMember({"tier", "auto", "fp16", "q8", "q8-packed", "q8-rgba8", "q4-packed"}));
    c->add_option("--gpu-profile", bo.gpu_profiles,
                  "Emulated GPUs to time each tier as (gl/profiles.h; 'none': this GPU as it is), e.g. none,no-float-blend")
        ->delimiter(',');
    c->add_option("--tune", bo.tune, "Time each tier with its matmuls tuned on this GPU (1) and by the rule (0)")
        ->delimiter(',')->check(CLI::Range(0, 1));
    c->add_flag("!--no-cpu", bo.cpu, "Skip timing the CPU reference");
    c->add_option("--json", json_path, "Also write every figure as JSON to this file (must not exist)");
    return c;
}

CLI::App* add_accuracy(CLI::App& app, AccuracyFlags& f) {
    CLI::App* c = app.add_subcommand("accuracy", "Loss, perplexity and top-1 agreement of tiers and quantized weights on a text");
    add_model_flag(c, f.model);
    auto* text = c->add_option("--text", f.text, "A text file to tokenize and predict");
    c->add_option("--tokens", f.tokens, "An llm.c token file (.bin, e.g. tiny_shakespeare_val.bin)")->excludes(text);
    c->add_option("--window", f.o.window, "Tokens per forward (non-overlapping windows)")->check(CLI::Range(1, 1 << 16));
    c->add_option("--max-tokens", f.max_tokens, "Use at most this many tokens of the stream (0: all)")
        ->check(CLI::Range(0L, 1L << 40));
    c->add_option("--precision", f.o.tiers, "Tiers: auto fp32 fp16 rgba8 half (the first variant is the baseline)")
        ->delimiter(',')->check(CLI::IsMember({"auto", "fp32", "fp16", "rgba8", "half"}));
    c->add_option("--weights", f.o.weights, "Weight storage per tier: tier, fp16, q8, q8-packed, q8-rgba8, q4-packed")
        ->delimiter(',')->check(CLI::IsMember({"tier", "auto", "fp16", "q8", "q8-packed", "q8-rgba8", "q4-packed"}));
    c->add_option("--max-texture-size", f.o.max_texture_size, "Use textures of at most this size (0: the GPU's)");
    c->add_option("--split-k", f.o.split_k, "Matmul K splits: -1 auto, 0 none, n at most n")->check(CLI::Range(-1, 64));
    c->add_option("--json", f.json, "Also write the figures as JSON to this file (must not exist)");
    return c;
}

const char* kExamples = R"(
Examples:
  gpt2gl generate -p "ROMEO:" -n 100                 text from the embedded model, streamed
  gpt2gl generate -m gpt2 -p "Hello" --temp 0.8 --top-k 40 --seed 1
  gpt2gl view -p "The cat sat on the mat"            the viewer (attention, residual stream, render passes)
  gpt2gl info -m gpt2                                this GPU's limits, the tier chosen and why, the model's textures
  gpt2gl logits --ids 464,3797 -o logits.npy         every position's logits as a NumPy array
  gpt2gl bench -m default,124M --contexts 16,64      prefill and decode speed per tier
Run `gpt2gl COMMAND --help` for a command's options.)";

}  // namespace

// [SECTION] main

int main(int argc, char** argv) {
    CLI::App app{"gpt2gl: GPT-2 through the OpenGL ES 2.0 / WebGL 1.0 graphics pipeline"};
    app.option_defaults()->always_capture_default();
    app.set_version_flag("--version", std::string("gpt2gl ") + GPT2GL_VERSION);
    app.require_subcommand(0, 1);
    app.footer(kExamples);

    GenerateFlags gf;
    LogitsFlags lf;
    std::string model, text, ids, json_path;
    GeneratorOptions info_gen;
    EngineOptions probe_eo;
    ViewerOptions vo;
    BenchOptions bo;
    AccuracyFlags af;
    CLI::App* gen = add_generate(app, gf);
    CLI::App* lg = add_logits(app, lf);
    CLI::App* tok = app.add_subcommand("tokenize", "Print the token ids of a text as a JSON list");
    add_model_flag(tok, model);
    tok->add_option("--text", text, "Text to tokenize")->required();
    CLI::App* detok = app.add_subcommand("detokenize", "Print the text of token ids");
    add_model_flag(detok, model);
    detok->add_option("--ids", ids, "Token ids, e.g. 1,2,3")->required();
    CLI::App* info = app.add_subcommand("info", "GL context, capability probe, the tier chosen and why, the model's textures");
    auto* info_model = info->add_option("-m,--model", info_gen.model, "Also list this model's textures");
    add_engine_flags(info, info_gen.engine);
    CLI::App* view = add_view(app, vo);
    CLI::App* bench = add_bench(app, bo, json_path);
    CLI::App* probe = app.add_subcommand("probe", "Measure the fragment pipeline's ceilings: GFLOP/s, cached fetches, "
                                                  "GB/s, us per dependent pass");
    add_engine_flags(probe, probe_eo);
    probe->add_option("--json", json_path, "Also write the figures as JSON to this file (must not exist)");
    CLI::App* acc = add_accuracy(app, af);
    CLI::App* help = app.add_subcommand("help", "Show this list of commands");
    // make_help, not app.help(): after `help` is parsed, app.help() would describe the `help` subcommand
    auto commands = [&] { return app.get_formatter()->make_help(&app, "gpt2gl", CLI::AppFormatMode::Normal); };

    try {
        app.parse(argc, argv);
    } catch (const CLI::ExtrasError& e) {  // an unknown command: say so, and list the real ones
        std::string what = e.what();
        std::fprintf(stderr, "gpt2gl: '%s' is not a command or option here\n\n%s", what.substr(what.find(": ") + 2).c_str(),
                     commands().c_str());
        return 1;
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        if (*gen) return cmd_generate(gf);
        if (*lg) return cmd_logits(lf);
        if (*tok) return cmd_tokenize(model, text);
        if (*detok) return cmd_detokenize(model, ids);
        if (*info) return cmd_info(info_gen, info_model->count() > 0);
        if (*view) return run_viewer(vo);
        if (*bench) return cmd_bench(bo, json_path);
        if (*probe) return cmd_probe(probe_eo, json_path);
        if (*acc) return cmd_accuracy(af);
        std::printf("%s", commands().c_str());  // `gpt2gl` or `gpt2gl help`
        return *help ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gpt2gl: %s\n", e.what());
        return 1;
    }
}
