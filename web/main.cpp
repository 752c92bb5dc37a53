// web/main.cpp — the engine in the browser: a small C API over the Generator (the same engine, model, sampler and
// display code as the native build), called from web/app.js. The page is HTML for controls and text; heatmaps are
// drawn by viewer/display.cpp into the top-left corner of the WebGL 1.0 canvas the engine computes in, and the page
// copies them into its panels. Errors come back as -1 with gpt2gl_error() saying why; JSON for anything structured.
#include <emscripten.h>
#include <emscripten/html5.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>

#include "gl/context.h"
#include "gl/shaders.h"
#include "runtime/generator.h"
#include "viewer/captions.h"
#include "viewer/display.h"

using namespace gpt2gl;

// GPT-2's pre-tokenizer on the browser's RegExp (u flag, Unicode property classes). PCRE2's \s with UCP is Unicode
// White_Space, which JavaScript's \s is not (it adds U+FEFF, lacks U+0085): the class W is spelled out to match.
// The pattern is built from character codes: EM_JS passes its body through a minifier that drops backslashes.
// Returns "begin,end,begin,end,..." byte offsets into the UTF-8 text.
EM_JS(char*, js_pretokenize, (const char* text), {
    if (!Module.gpt2Pattern) {
        const B = String.fromCharCode(92);
        const codes = [9, 10, 11, 12, 13, 32, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000];
        for (let c = 0x2000; c <= 0x200A; c++) codes.push(c);
        const W = String.fromCharCode.apply(null, codes);
        const L = B + "p{L}", N = B + "p{N}";
        Module.gpt2Pattern = new RegExp("'s|'t|'re|'ve|'m|'ll|'d| ?" + L + "+| ?" + N + "+| ?[^" + W + L + N + "]+|[" + W +
                                        "]+(?![^" + W + "])|[" + W + "]+", "gu");
    }
    const s = UTF8ToString(text);
    const out = [];
    let last = 0, at = 0;
    for (const m of s.matchAll(Module.gpt2Pattern)) {
        at += lengthBytesUTF8(s.slice(last, m.index));
        const n = lengthBytesUTF8(m[0]);
        out.push(at, at + n);
        at += n;
        last = m.index + m[0].length;
    }
    return allocateUTF8(out.join(","));
});

static std::vector<std::pair<size_t, size_t>> web_pretokenize(const std::string& text) {
    char* r = js_pretokenize(text.c_str());
    std::vector<std::pair<size_t, size_t>> out;
    std::stringstream s(r);
    std::free(r);
    std::string a, b;
    while (std::getline(s, a, ',') && std::getline(s, b, ',')) out.push_back({std::stoul(a), std::stoul(b)});
    return out;
}

namespace {
struct State {
    std::unique_ptr<gl::Context> ctx;
    EngineOptions engine;  // from gpt2gl_init, for every model loaded
    std::unique_ptr<Generator> g;
    std::unique_ptr<Display> display;
    long forwards = 0;             // forwards run (start, step, a finished step-mode token)
    bool capturing = false;        // the passes drawn now are listed
    bool new_list = false;         // the list is replaced at the first pass drawn (none drawn: it stays)
    std::vector<Pass> passes;      // of the latest forward, with their scopes
    std::vector<Pass> pending;     // step mode: the next token's passes, not drawn yet
    size_t next_pass = 0;
    std::string error, text;  // the last error; the last string handed to JS
};
State g;

const char* hand(const std::string& s) {
    g.text = s;
    return g.text.c_str();
}

// f's result, or on an exception (a bad input, a lost WebGL context) `fallback` with the message kept for
// gpt2gl_error: a C++ exception must never reach JavaScript, where it is a bare number.
template <class T, class F>
T guarded_or(T fallback, F f) {
    try {
        return f();
    } catch (const std::exception& e) {
        g.error = e.what();
        return fallback;
    }
}

template <class F>
int guarded(F f) {
    return guarded_or(-1, f);
}

// Runs f with the passes it draws listed (gpt2gl_passes).
template <class F>
void capture(F f) {
    g.new_list = true;
    g.capturing = true;
    try {
        f();
    } catch (...) {
        g.capturing = false;
        throw;
    }
    g.capturing = false;
    ++g.forwards;
}

nlohmann::json tensor_json(const Engine& e, const Tensor& t) {
    const Layout& l = t.layout();
    return {{"name", t.name()}, {"rows", l.rows}, {"cols", l.cols}, {"width", l.width}, {"height", l.height},
            {"format", e.format_name(t)}};
}

std::vector<int> bytes_of(int id) {
    std::string t = g.g->tokenizer().token(id);
    return std::vector<int>(t.begin(), t.end());
}
}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* gpt2gl_error() { return g.error.c_str(); }

// Creates the WebGL 1.0 context on #canvas and chooses the tier (auto, fp32, fp16, rgba8 or half), how the weights are
// stored (auto, tier, fp16, q8, q8-packed or q4-packed: EngineOptions::weights), an old GPU to emulate ("": none) and whether
// matmuls are tuned on this GPU (EngineOptions::tune) for the models loaded after.
EMSCRIPTEN_KEEPALIVE int gpt2gl_init(const char* precision, const char* weights, const char* profile, int tune) {
    return guarded([&] {
        set_pretokenizer(web_pretokenize);
        g.ctx = gl::create_web_context("#canvas");
        g.engine.precision = precision;
        g.engine.weights = weights;
        g.engine.gpu_profile = profile;
        g.engine.tune = tune != 0;
        return 0;
    });
}

// Loads a model from the in-memory file system (a directory of HF files, or an llm.c .bin) on the canvas's context.
EMSCRIPTEN_KEEPALIVE int gpt2gl_load(const char* path, int n_ctx) {
    return guarded([&] {
        g.display.reset();
        g.g.reset();
        g.passes.clear(), g.pending.clear();
        GeneratorOptions o;
        o.model = path, o.engine = g.engine, o.n_ctx = n_ctx, o.inspect = true;
        g.g = std::make_unique<Generator>(o, g.ctx.get());
        g.display = std::make_unique<Display>(g.g->engine());
        g.g->engine().observe([](const Pass& p) {
            if (!g.capturing) return;
            if (g.new_list) g.passes.clear(), g.new_list = false;
            g.passes.push_back(p);
            g.passes.back().scope = g.g->engine().scope();
        });
        if (!g.g->warnings().empty()) g.error = g.g->warnings();
        return 0;
    });
}

EMSCRIPTEN_KEEPALIVE const char* gpt2gl_info() {
    nlohmann::json j;
    if (g.g) {
        const gl::Caps& c = g.g->caps();
        const Engine& e = g.g->engine();
        const Engine::Tiles timed = prefill_tiles_timed(e);  // packed weights' prefill tile timed per shape, or 1 x 1
        j = {{"version", c.version}, {"renderer", c.renderer}, {"vendor", c.vendor}, {"glsl", c.glsl_version},
             {"max_texture_size", c.max_texture_size}, {"texture_units", c.max_texture_units},
             {"highp_float_bits", c.highp_float_bits}, {"mediump_bits_computed", c.mediump_bits_computed},
             {"fp32", c.fp32.ok}, {"fp32_why", c.fp32.why},
             {"fp16", c.fp16.ok}, {"fp16_why", c.fp16.why}, {"extensions", c.extensions},
             {"draw_buffers", c.draw_buffers}, {"draw_buffers_why", c.draw_buffers_why},
             {"tile", {e.prefill_tiles().rows, e.prefill_tiles().cols}},
             {"tile_texel_outputs", e.prefill_tiles().texel_outputs},
             {"tile_timed", {timed.rows, timed.cols}},
             {"tier", tier_name(e.tier())}, {"reason", e.tier_reason()},
             {"tier_asked", e.options().precision != "auto"},
             {"weights", e.weights_label().empty() ? "tier" : e.weights_label()},
             {"weights_reason", e.weights_reason()}, {"tune", e.options().tune}};
        nlohmann::json tuned = nlohmann::json::array();  // the ways timed so far (Engine::tuned)
        for (const Engine::Tuning& t : e.tunings())
            tuned.push_back({{"key", t.key}, {"ways", t.ways}, {"ms", t.ms}, {"chosen", t.chosen},
                             {"gpu_timed", t.gpu_timed}, {"caches_flushed", t.flushed}});
        j["tunings"] = tuned;
        const Gpt2Weights& w = g.g->weights();
        const Gpt2Config& cfg = w.cfg;
        j["model"] = cfg.describe(), j["n_ctx"] = g.g->model().n_ctx(), j["params"] = w.count_params();
        j["layers"] = cfg.n_layer, j["heads"] = cfg.n_head, j["channels"] = cfg.n_embd, j["vocab"] = cfg.vocab_size;
        double sum = 0, wte = 0;  // checksums of the weights as loaded (diagnostics)
        for (float x : w.wte) wte += x;
        sum += wte;
        for (auto& l : w.layers) for (float x : l.c_fc_w) sum += x;
        j["checksum_wte"] = wte, j["checksum"] = sum;
    }
    return hand(j.dump());
}

EMSCRIPTEN_KEEPALIVE const char* gpt2gl_encode(const char* text) {
    return hand(guarded_or<std::string>("null", [&] { return nlohmann::json(g.g->encode(text)).dump(); }));
}

// Resets the KV cache and prefills ids (a JSON list) in one batched pass; sampling from then on with these settings.
EMSCRIPTEN_KEEPALIVE int gpt2gl_start(const char* ids_json, float temperature, int top_k, float top_p, double seed) {
    return guarded([&] {
        SamplerOptions o;
        o.temperature = temperature, o.top_k = top_k, o.top_p = top_p, o.seed = uint64_t(seed);
        g.g->set_sampling(o);
        g.pending.clear();
        auto ids = nlohmann::json::parse(ids_json).get<std::vector<int>>();
        capture([&] { g.g->start(ids); });
        return 0;
    });
}

// Temperature, top-k and top-p for the next tokens (the logits on display follow at once; nothing is run).
EMSCRIPTEN_KEEPALIVE void gpt2gl_set_sampling(float temperature, int top_k, float top_p) {
    if (!g.g) return;
    SamplerOptions o = g.g->sampling();
    o.temperature = temperature, o.top_k = top_k, o.top_p = top_p;
    g.g->set_sampling(o);
}

// Samples the next token, runs it through the model and returns its id; -2 when the context is full, -3 when the
// model ended the text (<|endoftext|>, not run).
EMSCRIPTEN_KEEPALIVE int gpt2gl_step() {
    return guarded([&] {
        if (g.g->context_full()) return -2;
        int id = 0;
        capture([&] { id = g.g->step(); });
        return id == Generator::kEndOfText ? -3 : id;
    });
}

// Step mode: samples the next token and records its passes; returns how many (0: <|endoftext|>, -2: context full).
EMSCRIPTEN_KEEPALIVE int gpt2gl_step_record() {
    return guarded([&] {
        if (g.g->context_full()) return -2;
        g.pending = g.g->record_step();
        g.next_pass = 0;
        g.passes.clear();
        return int(g.pending.size());
    });
}

// Step mode: draws the next recorded pass; returns how many are drawn (all of them: the token is finished).
EMSCRIPTEN_KEEPALIVE int gpt2gl_step_draw() {
    return guarded([&] {
        if (g.next_pass >= g.pending.size()) return int(g.next_pass);
        g.capturing = true;
        g.g->engine().draw(g.pending[g.next_pass++]);
        g.capturing = false;
        int drawn = int(g.next_pass);
        if (g.next_pass == g.pending.size()) {
            g.g->finish_step();
            g.pending.clear();
            ++g.forwards;
        }
        return drawn;
    });
}

// Step mode: draws the next recorded pass and the rest of its scope (a layer, the LM head); returns how many are drawn.
EMSCRIPTEN_KEEPALIVE int gpt2gl_step_draw_layer() {
    if (g.next_pass >= g.pending.size()) return int(g.next_pass);
    const std::string scope = g.pending[g.next_pass].scope;
    int drawn = 0;
    while (drawn >= 0 && !g.pending.empty() && g.pending[g.next_pass].scope == scope) drawn = gpt2gl_step_draw();
    return drawn;
}

EMSCRIPTEN_KEEPALIVE int gpt2gl_step_pending() { return int(g.pending.size()); }
EMSCRIPTEN_KEEPALIVE int gpt2gl_forwards() { return int(g.forwards); }

// The raw bytes of a token, as a JSON list (tokens may split a UTF-8 character; the page decodes the stream).
EMSCRIPTEN_KEEPALIVE const char* gpt2gl_token_bytes(int id) {
    return hand(nlohmann::json(g.g ? bytes_of(id) : std::vector<int>{}).dump());
}

// Every token so far: {"ids": [...], "bytes": [[...], ...], "prompt": n, "eot": id}.
EMSCRIPTEN_KEEPALIVE const char* gpt2gl_tokens() {
    if (!g.g) return hand("null");
    nlohmann::json bytes = nlohmann::json::array();
    for (int id : g.g->tokens()) bytes.push_back(bytes_of(id));
    return hand(nlohmann::json({{"ids", g.g->tokens()}, {"bytes", bytes}, {"prompt", g.g->prompt_tokens()},
                                {"eot", g.g->tokenizer().eot()}}).dump());
}

EMSCRIPTEN_KEEPALIVE int gpt2gl_pos() { return g.g ? g.g->model().pos() : 0; }
EMSCRIPTEN_KEEPALIVE int gpt2gl_layers() { return g.g ? g.g->config().n_layer : 0; }
EMSCRIPTEN_KEEPALIVE int gpt2gl_heads() { return g.g ? g.g->config().n_head : 0; }

// The k most likely next tokens under these sampling settings: {"kept": n, "rows": [{id, bytes, logit, p, kept,
// chance}]}: p = softmax(logit / temperature); kept: in the set sampling draws from (top-k, then top-p); chance:
// its probability of being drawn. Computed from the logits held: nothing is run.
EMSCRIPTEN_KEEPALIVE const char* gpt2gl_logits_view(int k, float temperature, int top_k, float top_p) {
    if (!g.g || g.g->logits().empty()) return hand("null");
    const std::vector<float>& logits = g.g->logits();
    SamplerOptions o = g.g->sampling();
    o.temperature = temperature, o.top_k = top_k, o.top_p = top_p;
    auto p = Sampler::probabilities(logits, temperature);
    Sampler::Candidates c = Sampler::candidates(logits, o);
    nlohmann::json rows = nlohmann::json::array();
    for (int id : top_ids(logits, k)) {
        auto it = std::find(c.ids.begin(), c.ids.end(), id);
        double chance = it == c.ids.end() ? 0.0 : c.weights[size_t(it - c.ids.begin())] / c.sum;
        rows.push_back({{"id", id}, {"bytes", bytes_of(id)}, {"logit", logits[size_t(id)]}, {"p", p[size_t(id)]},
                        {"kept", it != c.ids.end()}, {"chance", chance}});
    }
    return hand(nlohmann::json({{"kept", c.ids.size()}, {"rows", rows}}).dump());
}

// Draws a heatmap of the engine's textures into the canvas's top-left w x h pixels, for the page to copy:
//   kind 0: attention probabilities of (layer a, head b), queries [row0, row0 + rows) x keys [col0, col0 + rows)
//           (square: cols is rows);
//   kind 1: the residual stream after block a (b: 0 the output, 1 the attention's part, 2 the MLP's part), every
//           token and channel, each token scaled by its largest |value|.
EMSCRIPTEN_KEEPALIVE void gpt2gl_heatmap(int kind, int a, int b, int row0, int col0, int rows, int cols, int w, int h) {
    if (!g.g || rows <= 0 || cols <= 0) return;
    guarded([&] {
        const Gpt2& m = g.g->model();
        int W = 0, H = 0;
        emscripten_get_canvas_element_size("#canvas", &W, &H);
        const Heatmap hm = kind == 0 ? attention_map(m, a, b, row0, col0, rows) : residual_map(m, a, b);
        g.display->draw_to_screen(hm, 0, H - h, w, h);
        return 0;
    });
}

// One head's attention matrix, S x S (S = the tokens so far), as JSON rows (the head view's lines).
EMSCRIPTEN_KEEPALIVE const char* gpt2gl_head_probs(int layer, int head) {
    if (!g.g) return hand("null");
    return hand(guarded_or<std::string>("null", [&] {
        const Gpt2& m = g.g->model();
        const int S = m.pos(), n_ctx = m.n_ctx();
        std::vector<float> all = m.probs(layer).download();
        nlohmann::json rows = nlohmann::json::array();
        for (int t = 0; t < S; ++t) {
            const float* r = all.data() + size_t(head * n_ctx + t) * size_t(n_ctx);
            rows.push_back(std::vector<float>(r, r + S));
        }
        return rows.dump();
    }));
}

// Each token's L2 norm in the residual view (block, mode as gpt2gl_heatmap's kind 1).
EMSCRIPTEN_KEEPALIVE const char* gpt2gl_norms(int layer, int mode) {
    if (!g.g) return hand("null");
    return hand(guarded_or<std::string>("null", [&] {
        const Heatmap hm = residual_map(g.g->model(), layer, mode);
        std::vector<float> a = hm.tensor->download(), b;
        if (hm.minus) b = hm.minus->download();
        return nlohmann::json(row_norms(a, hm.minus ? &b : nullptr, hm.rows, hm.cols)).dump();
    }));
}

// One attention probability, read from the engine's texture (the hover readout: a 1x1 read).
EMSCRIPTEN_KEEPALIVE float gpt2gl_attention(int layer, int head, int t, int s) {
    if (!g.g) return 0.0f;
    return guarded_or(0.0f, [&] { return g.g->model().probs(layer).read(head * g.g->model().n_ctx() + t, s); });
}
// One value of the residual view (block, mode as gpt2gl_heatmap's kind 1), token t, channel c.
EMSCRIPTEN_KEEPALIVE float gpt2gl_residual(int layer, int mode, int t, int c) {
    if (!g.g) return 0.0f;
    return guarded_or(0.0f, [&] {
        const Heatmap hm = residual_map(g.g->model(), layer, mode);
        return hm.tensor->read(t, c) - (hm.minus ? hm.minus->read(t, c) : 0.0f);
    });
}

// The passes of the latest forward (or of step mode so far): [{scope, op, defines, layers, accumulate, output,
// draw_buffers, region, inputs: [{name, tensor}]}], tensors as {name, rows, cols, width, height, format}.
EMSCRIPTEN_KEEPALIVE const char* gpt2gl_passes() {
    nlohmann::json out = nlohmann::json::array();
    if (!g.g) return hand(out.dump());
    const Engine& e = g.g->engine();
    for (const Pass& p : g.passes) {
        nlohmann::json inputs = nlohmann::json::array();
        for (auto& in : p.inputs) inputs.push_back({{"name", in.name}, {"tensor", tensor_json(e, *in.tensor)}});
        out.push_back({{"scope", p.scope}, {"op", p.op}, {"defines", p.defines}, {"layers", p.layers},
                       {"accumulate", p.accumulate}, {"output", tensor_json(e, *p.output)},
                       {"draw_buffers", p.group ? p.group->tensors.size() : 1},
                       {"region", {p.row0, p.row1, p.col0, p.col1}}, {"inputs", inputs}});
    }
    return hand(out.dump());
}

// A shader file as built in ("matmul.frag", "prelude.glsl", ...), and what an op's fragment computes.
EMSCRIPTEN_KEEPALIVE const char* gpt2gl_shader(const char* file) {
    try {
        return hand(gl::shader_source(file));
    } catch (const std::exception&) {
        return hand("");
    }
}
EMSCRIPTEN_KEEPALIVE const char* gpt2gl_caption(const char* op) { return op_caption(op); }

}  // extern "C"

int main() { return 0; }
