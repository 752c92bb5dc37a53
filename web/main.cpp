// web/main.cpp — the engine in the browser: a small C API over the same engine, model, sampler and display code,
// called from web/app.js. The page is HTML for controls and text; the heatmaps are drawn by viewer/display.cpp
// onto the WebGL 1.0 canvas the engine computes in. Errors come back as -1 with gpt2gl_error() saying why.
#include <emscripten.h>
#include <emscripten/html5.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>

#include "gl/context.h"
#include "runtime/generator.h"
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
    std::string error, text;  // the last error; the last string handed to JS
};
State g;

const char* hand(const std::string& s) {
    g.text = s;
    return g.text.c_str();
}

template <class F>
int guarded(F f) {
    try {
        return f();
    } catch (const std::exception& e) {
        g.error = e.what();
        return -1;
    }
}
}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* gpt2gl_error() { return g.error.c_str(); }

// Creates the WebGL 1.0 context on #canvas and chooses the tier (auto, fp32, fp16 or rgba8) and how the weights are
// stored (tier, fp16 or q8: EngineOptions::weights) for the models loaded after.
EMSCRIPTEN_KEEPALIVE int gpt2gl_init(const char* precision, const char* weights) {
    return guarded([&] {
        set_pretokenizer(web_pretokenize);
        g.ctx = gl::create_web_context("#canvas");
        g.engine.precision = precision;
        g.engine.weights = weights;
        return 0;
    });
}

// Loads a model from the in-memory file system (a directory of HF files, or an llm.c .bin) on the canvas's context.
EMSCRIPTEN_KEEPALIVE int gpt2gl_load(const char* path, int n_ctx) {
    return guarded([&] {
        g.display.reset();
        g.g.reset();
        GeneratorOptions o;
        o.model = path, o.engine = g.engine, o.n_ctx = n_ctx, o.inspect = true;
        g.g = std::make_unique<Generator>(o, g.ctx.get());
        g.display = std::make_unique<Display>(g.g->engine());
        if (!g.g->warnings().empty()) g.error = g.g->warnings();
        return 0;
    });
}

EMSCRIPTEN_KEEPALIVE const char* gpt2gl_info() {
    nlohmann::json j;
    if (g.g) {
        const gl::Caps& c = g.g->caps();
        const Engine& e = g.g->engine();
        j = {{"version", c.version}, {"renderer", c.renderer}, {"glsl", c.glsl_version},
             {"max_texture_size", c.max_texture_size}, {"fp32", c.fp32.why}, {"fp16", c.fp16.why},
             {"tier", tier_name(e.tier())}, {"reason", e.tier_reason()},
             {"weights", e.weights_label().empty() ? "tier" : tier_name(e.weights())}};
        const Gpt2Weights& w = g.g->weights();
        j["model"] = w.cfg.describe(), j["n_ctx"] = g.g->model().n_ctx(), j["params"] = w.count_params();
        double sum = 0, wte = 0;  // checksums of the weights as loaded (diagnostics)
        for (float x : w.wte) wte += x;
        sum += wte;
        for (auto& l : w.layers) for (float x : l.c_fc_w) sum += x;
        j["checksum_wte"] = wte, j["checksum"] = sum;
    }
    return hand(j.dump());
}

EMSCRIPTEN_KEEPALIVE const char* gpt2gl_encode(const char* text) {
    try {
        return hand(nlohmann::json(g.g->encode(text)).dump());
    } catch (const std::exception& e) {
        g.error = e.what();
        return hand("null");
    }
}

// Resets the KV cache and prefills ids (a JSON list) in one batched pass; sampling from then on with these settings.
EMSCRIPTEN_KEEPALIVE int gpt2gl_start(const char* ids_json, float temperature, int top_k, float top_p, double seed) {
    return guarded([&] {
        SamplerOptions o;
        o.temperature = temperature, o.top_k = top_k, o.top_p = top_p, o.seed = uint64_t(seed);
        g.g->set_sampling(o);
        g.g->start(nlohmann::json::parse(ids_json).get<std::vector<int>>());
        return 0;
    });
}

// Samples the next token, runs it through the model and returns its id; -2 when the context is full, -3 when the
// model ended the text (<|endoftext|>, not run).
EMSCRIPTEN_KEEPALIVE int gpt2gl_step() {
    return guarded([&] {
        if (g.g->context_full()) return -2;
        int id = g.g->step();
        return id == Generator::kEndOfText ? -3 : id;
    });
}

// The raw bytes of a token, as a JSON list (tokens may split a UTF-8 character; the page decodes the stream).
EMSCRIPTEN_KEEPALIVE const char* gpt2gl_token_bytes(int id) {
    std::string t = g.g ? g.g->tokenizer().token(id) : "";
    return hand(nlohmann::json(std::vector<int>(t.begin(), t.end())).dump());
}

EMSCRIPTEN_KEEPALIVE int gpt2gl_pos() { return g.g ? g.g->model().pos() : 0; }
EMSCRIPTEN_KEEPALIVE int gpt2gl_layers() { return g.g ? g.g->config().n_layer : 0; }
EMSCRIPTEN_KEEPALIVE int gpt2gl_heads() { return g.g ? g.g->config().n_head : 0; }

// The k most likely next tokens: [[id, logit, probability after temperature], ...].
EMSCRIPTEN_KEEPALIVE const char* gpt2gl_top_logits(int k, float temperature) {
    if (!g.g || g.g->logits().empty()) return hand("[]");
    const std::vector<float>& logits = g.g->logits();
    auto p = Sampler::probabilities(logits, temperature);
    nlohmann::json out = nlohmann::json::array();
    for (int id : top_ids(logits, k)) out.push_back({id, logits[size_t(id)], p[size_t(id)]});
    return hand(out.dump());
}

// Draws the attention matrix of (layer, head) in the canvas rect (x, y, size, size), y from the top, and the
// residual stream after block `res_layer` (scaled per token) in (rx, y, rw, size).
EMSCRIPTEN_KEEPALIVE void gpt2gl_draw(int layer, int head, int x, int y, int size, int res_layer, int rx, int rw) {
    if (!g.g) return;
    const Gpt2& m = g.g->model();
    int S = m.pos(), W = 0, H = 0;
    emscripten_get_canvas_element_size("#canvas", &W, &H);
    gl::bind_framebuffer(0);
    glClearColor(0.1f, 0.1f, 0.12f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    Heatmap a;
    a.tensor = &m.probs(layer), a.row0 = head * m.n_ctx(), a.rows = S, a.cols = S;
    a.sequential = true, a.causal = true;
    g.display->draw_to_screen(a, x, H - y - size, size, size);
    Heatmap r;
    r.tensor = &m.block_output(res_layer), r.rows = S, r.cols = g.g->config().n_embd, r.per_row = true;
    g.display->draw_to_screen(r, rx, H - y - size, rw, size);
}

// One attention probability, read from the engine's texture (the hover readout: a 1x1 read).
EMSCRIPTEN_KEEPALIVE float gpt2gl_attention(int layer, int head, int t, int s) {
    return g.g ? g.g->model().probs(layer).read(head * g.g->model().n_ctx() + t, s) : 0.0f;
}
EMSCRIPTEN_KEEPALIVE float gpt2gl_residual(int layer, int t, int c) {
    return g.g ? g.g->model().block_output(layer).read(t, c) : 0.0f;
}

}  // extern "C"

int main() { return 0; }
