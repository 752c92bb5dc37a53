// passes/engine.h — runs passes: picks the storage tier from the capability probe, compiles and caches one program
// per (op, shape constants), binds a pass's inputs and draws its output region. Knows passes, not GPT-2.
#pragma once
#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "gl/caps.h"
#include "gl/gl.h"
#include "passes/tensor.h"

namespace gpt2gl {

struct EngineOptions {
    std::string precision = "auto";  // auto | fp32 | fp16 | rgba8 | half
    int max_texture_size = 0;        // 0: the driver's; else a lower limit (tests force 256)
    int split_k = -1;                // matmul K splits: -1 auto (where the tier sums them: Engine::split_k), 0/1
                                     // never, n: up to n
    std::string weights = "tier";    // weight matrices: "tier" (as every tensor), "fp16" (half textures beside the
                                     // fp32 tier), "q8" or "q8-rgba8" (8-bit, per-row scales, 4 to an RGBA8
                                     // texel), "q8-packed" (the same, 12 to an RGBA32F texel), "q4-packed"
                                     // (the layers' matrices 4-bit, a scale per 24 inputs, 24 to an RGBA32F
                                     // texel; the embedding and LM head q8-packed) or "auto" (the
                                     // tier's unless the model is big: Engine::fit_weights)
    double auto_weights_bytes = 256e6;  // "auto": the most bytes of weights (as the tier stores them) kept exact
    int draw_buffers = -1;           // prefill matmuls' outputs per fragment, one draw buffer each: -1 auto (the
                                     // probe's count, at most 8, on the float tiers), 0/1 never, n: at most n
    int tile_cols = -1;              // of which side by side in a row (the rest in a column): -1 auto, n: n
    std::string gpu_profile;         // emulate a named old GPU's limits (gl/profiles.h); "": this GPU's own
    bool tune = true;                // decode matmuls time their ways on this GPU and keep the fastest (Engine::tuned);
                                     // false: the fixed rule's way (the same passes on every GPU)
};

// One draw: a declarative description of a fragment-shader pass (TF.js GPGPUProgram; sokol desc structs).
struct Pass {
    struct Input {
        std::string name;  // sampler name in the shader; its layout goes to NAME_geo and NAME_inv
        const Tensor* tensor;
    };
    struct Texture {
        std::string name;
        const gl::Texture* texture;
    };
    struct Uniform {
        std::string name;
        int n;
        float v[4];
    };
    std::string op;       // glsl/<op>.frag
    std::string defines;  // shape constants and switches, e.g. "#define K4 192\n#define GELU\n"
    std::vector<Input> inputs;
    std::vector<Texture> textures;
    std::vector<Uniform> uniforms;
    Tensor* output = nullptr;
    const TensorGroup* group = nullptr;  // draw buffers: the pass writes all of its tensors (output: the first)
    int row0 = 0, row1 = 0, col0 = 0, col1 = 0;  // output region: rows [row0, row1) x cols [col0, col1), col0 % 4 == 0
    // Summing passes (need Engine::can_accumulate): `layers` > 1 draws the quad that many times in one draw call,
    // the shader telling layers apart by v_layer, and adds them up by blending, onto zeros; `accumulate` adds the
    // pass onto what the output region holds instead (y += ..., in place).
    int layers = 1;
    bool accumulate = false;
    std::string scope;                           // the engine's scope when it ran (pass lists group by it)
    // A view pass draws into a framebuffer that holds no tensor (null: the default one, a window or a canvas) at a
    // pixel rectangle, instead of a tensor region: the viewer's display shaders. Its op has its own main().
    bool view = false;
    const gl::Framebuffer* view_target = nullptr;
    Rect view_rect;

    Pass(std::string op_name) : op(std::move(op_name)) {}
    Pass& define(const std::string& name, int value);
    Pass& define(const std::string& name);
    Pass& in(const std::string& name, const Tensor& t);
    Pass& tex(const std::string& name, const gl::Texture& t);
    Pass& set(const std::string& name, float x);
    Pass& set(const std::string& name, float x, float y);
    Pass& set(const std::string& name, float x, float y, float z);
    Pass& set(const std::string& name, float x, float y, float z, float w);
    Pass& out(Tensor& t, int r0, int r1, int c0, int c1);
    // Draw buffers: gl_FragData[i] into group.tensors[i] over the same region (defines DRAW_BUFFERS n).
    Pass& out(TensorGroup& group, int r0, int r1, int c0, int c1);
    Pass& sum_layers(int n);
    Pass& add_to_output();
    Pass& to_view(const gl::Framebuffer* target, Rect r);
};

class Engine {
public:
    Engine(const gl::Caps& caps, const EngineOptions& options);  // throws gl::Error if the tier cannot be had
    ~Engine();

    const gl::Caps& caps() const { return caps_; }
    const EngineOptions& options() const { return options_; }
    const Storage& storage() const { return storage_; }
    Tier tier() const { return storage_.tier; }
    const std::string& tier_reason() const { return tier_reason_; }
    // Whether the tier's render target blends additively and exactly (Pass::layers, Pass::accumulate).
    bool can_accumulate() const;
    // Whether slices (matmul's of K, attn_values' of the context) are summed by a pass of their own instead of by
    // blending: each slice's sums go into a scratch tensor, and glsl/ksum.frag adds them up (passes/ops.h
    // sum_slices): rgba8, and fp32 where float targets do not blend. (matmul also sums packed weights' K slices so
    // where the tier blends: passes/matmul.cpp ksum_slices.)
    bool k_partials() const;
    // How many K slices a matmul of `rows` x `n4` output fragments over `k4` input texels is cut into (1: no split):
    // summed by blending (can_accumulate) or by a ksum pass (k_partials); fp16 and half do not split. `tiled`: its
    // fragments make prefill tiles.
    int split_k(int rows, int n4, int k4, bool tiled = false) const;

    Tensor tensor(const std::string& name, int rows, int cols) const { return Tensor(storage_, name, rows, cols); }
    // A weight matrix (out, in), stored as the engine's weights are (weights()); the embedding (also the LM head)
    // with weights q4p as q8p: the embedding reads it by tokens, and the LM head's logits are what sampling sees.
    SplitTensor split(const std::string& name, int rows, int cols, const float* data, bool embedding = false) const {
        return SplitTensor(storage_, name, rows, cols, data, embedding && weights_ == Tier::q4p ? Tier::q8p : weights_);
    }
    // Whether row statistics (layer norm's moments, softmax's max and sum) are worth a pass of their own, stored
    // between passes: where the tier stores fp32 exactly (fp32, rgba8). On fp16, rounding the stored statistics to
    // half would cost accuracy, so each output texel there walks its row itself.
    // The half tier keeps none either: FP16 moments of GPT-2's outlier channels would overflow between passes.
    bool row_stats() const { return storage_.tier != Tier::fp16 && storage_.tier != Tier::half; }
    // The tile of output texels one fragment of a matmul of `rows` rows makes, one per draw buffer (1 x 1: none):
    // prefill, on the float tiers, where Caps::draw_buffers allows (decode: one-row tiles where asked for, or where
    // tuned so: passes/matmul.cpp). The rgba8 tier, whose fragments keep one output, one-row tiles only (prefill: 1 x
    // draw buffers); the half tier none.
    struct Tiles {
        int rows = 1, cols = 1;
        int texel_outputs = 4;  // outputs a texel of the tile holds: 4, or 1 on the coded tiers (one value a texel)
        int count() const { return rows * cols; }
    };
    Tiles tiles(int rows) const;
    // The tile a long prefill takes: what the front ends (info, bench, the page) report as this engine's tile.
    Tiles prefill_tiles() const { return tiles(1 << 20); }
    // The engine's own group of n tensors [rows, cols] for draw-buffer passes: made on first use, kept (rows rounded
    // up to a power of two, so that prompts of other lengths mostly share them).
    TensorGroup& group(int n, int rows, int cols);
    // The engine's own tensor [rows, cols] named `name`, made on first use and kept (rows rounded up to a power of
    // two): scratch space a pass writes and the next reads (the slices' sums of k_partials).
    Tensor& scratch(const std::string& name, int rows, int cols);
    // The most slices, up to `slices` and halving, whose sums of `rows` rows each fit a scratch tensor (k_partials).
    int fitting_slices(int slices, int rows, int cols) const;
    // Key-texel slices for a pass over a context of s4 key texels, summed by blending or by a ksum pass (1: none);
    // slices of `slice4`.
    int context_slices(int s4, int slice4) const;
    // Tuning (EngineOptions::tune): the index of the fastest of `n` ways to draw the same output, `draw(i)` drawing way
    // i, `wait()` reading a value of its output back (so that it returns when the GPU is done: a browser's glFinish
    // returns at once), `name(i)` naming it for tunings(). On first use of `key` the ways are drawn in rounds for
    // 300 ms (30 within 200 ms of the last tuning), compiling them and bringing the GPU's clock up, then timed draw by
    // draw from an idle GPU (its caches flushed first where the model's weights are more than they hold), the ways
    // alternating: by GPU timer queries where the driver has them and they see the
    // draws (the draw alone), else from the draw's issue to the end of wait() (its readback's latency too). The best
    // of 3 to 21 draws counts, the rule's way (0) stays unless another is 5% faster, and the choice is kept for the
    // key. 0 where tuning is off or there is one way. Trial draws are drawn while recording too, and are neither
    // recorded, counted (draw_calls) nor observed; the scratch tensors and groups they make are let go after them.
    int tuned(const std::string& key, int n, const std::function<std::string(int)>& name,
              const std::function<void(int)>& draw, const std::function<void()>& wait);
    // What tuned(key, n, ...) returns, without tuning: -1 where it would still time the ways.
    int tuned_way(const std::string& key, int n) const;
    struct Tuning {
        std::string key;
        std::vector<std::string> ways;
        std::vector<double> ms;  // per way, its best draw's
        int chosen;
        bool gpu_timed;  // ms by GPU timer queries (the draw alone), else readback included
        bool flushed;    // the GPU's caches flushed before each timed draw (flush_caches)
    };
    const std::vector<Tuning>& tunings() const { return tunings_; }  // what each tuned key measured, in order
    // What tuned() draws before each timed trial where the model's weights are more than a GPU's cache holds: 64 MB
    // of ones streamed through it, each fragment summing a strip of 64 (glsl/probe.frag STREAM); returns the sums
    // (every value 64). Its tensors are the engine's scratch (tuned() lets them go after its trials). tuned() flushes
    // where one flush takes at most 5 ms (a GPU's memory, not a CPU rasterizer's): flush_ms() (-1: not timed yet).
    const Tensor& flush_caches();
    double flush_ms() const { return flush_ms_; }
    Tier weights() const { return weights_; }  // the tier's, fp16, q8, q8p or q4p
    // Called by the model before it stores any weight, with their count: weights "auto" keeps the tier's own where
    // they take at most EngineOptions::auto_weights_bytes as the tier stores them, else 8-bit ones (packed on the
    // float tiers where float textures sample exactly, else RGBA8): 4x less memory, and faster. Every choice: notes
    // the bytes they take (tuned() flushes a GPU's caches before its trials when they are more than a cache holds).
    // `embedding`: of those values, the embedding's and the LM head's (q8p where the layers' are q4p: Engine::split).
    void fit_weights(double values, double embedding = 0);
    const std::string& weights_reason() const { return weights_reason_; }  // why "auto" chose what it did ("": none)
    // The texel format of a tensor of this engine, for labels: the tier's, or the weights' own.
    const char* format_name(const Tensor& t) const;
    bool q8_weights() const { return weights_ == Tier::q8 || weights_ == Tier::q8p; }
    bool quantized_weights() const { return q8_weights() || weights_ == Tier::q4p; }
    // What the weights are stored as, for labels: "" (as the tier), "q8", "q8 packed", "q4 packed" or "fp16 weights".
    std::string weights_label() const;
    // Readies a pass that unpacks packed weights (glsl/prelude.glsl rint4): its u_rint, and RINT_FLOOR where this GPU's
    // adds were found not to round to integers as rint4 needs. Checked on first use (packed_weights_exact, drawn
    // aside as tuned()'s trials).
    void unpacking(Pass& p);
    // How packed weights are unpacked here, for reports: "adds", "floor" (the check failed) or "" (not checked yet).
    const char* unpacking_way() const { return rint_ == Rint::adds ? "adds" : rint_ == Rint::floor ? "floor" : ""; }

    void run(const Pass& pass);
    // Labels the passes that follow (the model sets "embed", "h.3", "ln_f", "lm_head"), for pass lists.
    void set_scope(std::string s) { scope_ = std::move(s); }
    const std::string& scope() const { return scope_; }
    // Step mode: between begin_recording() and end_recording(), run() keeps each pass instead of drawing it, to be
    // drawn later by draw(). Passes name tensors, not textures' contents: the model must keep each tensor object
    // in place for as long as its recorded passes may be drawn.
    void begin_recording();
    std::vector<Pass> end_recording();
    bool recording() const { return recording_; }
    // Draws a pass now, recording or not: a recorded one (step mode) or a view pass.
    void draw(const Pass& pass);
    // Called after each tensor pass is drawn, with the scope it ran in (pass lists, profiling); nullptr to stop.
    void observe(std::function<void(const Pass&)> observer) { observer_ = std::move(observer); }
    std::string fragment_source(const Pass& p) const;  // as compiled

    long draw_calls() const { return draw_calls_; }
    // After foreign GL code (the viewer, ImGui) touched GL state or bindings.
    void invalidate_state() {
        state_ok_ = false;
        gl::forget_bindings();
    }

private:
    // A compiled program and where its pass's inputs and uniforms live, looked up on first use.
    struct Compiled {
        std::unique_ptr<gl::Program> program;
        std::vector<std::string> names;  // inputs, textures, uniforms in pass order: the slots below belong to them
        std::vector<GLint> slots;        // per input: sampler, _geo, _inv; per texture: sampler; per uniform: one
        GLint out_geo = -1, rect = -1, cell = -1, center = -1;
    };
    Compiled& compiled(const Pass& p);
    void draw_view(const Pass& p, Compiled& c);
    void bind_slots(Compiled& c, const Pass& p);
    void check_codec();
    struct Aside;  // draws made aside: neither recorded, counted nor observed (tuned(), unpacking())
    enum class Rint { unchecked, adds, floor } rint_ = Rint::unchecked;

    gl::Caps caps_;
    EngineOptions options_;
    Storage storage_;
    std::string tier_reason_;
    Tier weights_ = Tier::fp32;
    bool auto_weights_ = false;
    std::string weights_reason_;
    gl::Quad quad_;
    std::map<std::string, std::map<std::string, Compiled>> programs_;  // op -> defines -> program
    std::map<std::array<int, 3>, std::unique_ptr<TensorGroup>> groups_;  // (n, rows, cols) -> group
    std::map<std::tuple<std::string, int, int>, Tensor> scratch_;         // (name, rows, cols) -> tensor
    std::map<std::pair<std::string, int>, int> tuned_;                     // key, way count -> the way chosen
    std::vector<Tuning> tunings_;
    std::chrono::steady_clock::time_point tuned_at_;  // when the last shape was tuned (the GPU's clock is up after)
    double weight_bytes_ = 0;                         // the model's weights as stored (fit_weights)
    double flush_ms_ = -1;                            // one flush_caches() to its sums read back (-1: not yet)
    long draw_calls_ = 0;
    bool state_ok_ = false;
    std::string scope_;
    bool recording_ = false;
    std::vector<Pass> recorded_;
    std::function<void(const Pass&)> observer_;
};

// The full fragment shader of an op as the engine compiles it: version, tier switch, defines, prelude, op, and
// (tensor passes) glsl/pass_main.glsl. A pass into draw buffers names `draw_buffers_ext` (Caps::draw_buffers_ext).
std::string compose_fragment(Tier tier, const std::string& op, const std::string& defines, bool view = false,
                             const std::string& draw_buffers_ext = "GL_EXT_draw_buffers");

}  // namespace gpt2gl
