// passes/engine.h — runs passes: picks the storage tier from the capability probe, compiles and caches one program
// per (op, shape constants), binds a pass's inputs and draws its output region. Knows passes, not GPT-2.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gl/caps.h"
#include "gl/gl.h"
#include "passes/tensor.h"

namespace gpt2gl {

struct EngineOptions {
    std::string precision = "auto";  // auto | fp32 | fp16 | rgba8
    int max_texture_size = 0;        // 0: the driver's; else a lower limit (tests force 256)
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
    int row0 = 0, row1 = 0, col0 = 0, col1 = 0;  // output region: rows [row0, row1) x cols [col0, col1), col0 % 4 == 0
    std::string scope;                           // the engine's scope when it ran (pass lists group by it)

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
};

class Engine {
public:
    Engine(const gl::Caps& caps, const EngineOptions& options);  // throws gl::Error if the tier cannot be had
    ~Engine();

    const gl::Caps& caps() const { return caps_; }
    const Storage& storage() const { return storage_; }
    Tier tier() const { return storage_.tier; }
    const std::string& tier_reason() const { return tier_reason_; }

    Tensor tensor(const std::string& name, int rows, int cols) const { return Tensor(storage_, name, rows, cols); }
    SplitTensor split(const std::string& name, int rows, int cols, const float* data) const {
        return SplitTensor(storage_, name, rows, cols, data);
    }

    void run(const Pass& pass);
    // Labels the passes that follow (the model sets "embed", "h.3", "ln_f", "lm_head"), for pass lists.
    void set_scope(std::string s) { scope_ = std::move(s); }
    const std::string& scope() const { return scope_; }
    // While set, run() appends each pass to *record instead of drawing it; replay() draws one later (step mode).
    std::vector<Pass>* record = nullptr;
    void replay(const Pass& pass);
    const gl::Program& program(const std::string& op, const std::string& defines);
    std::string fragment_source(const std::string& op, const std::string& defines) const;  // as compiled

    long draw_calls() const { return draw_calls_; }
    void invalidate_state() { state_ok_ = false; }  // after foreign GL code (the viewer) touched GL state
    std::function<void(const Pass&)> on_pass;      // observer after each draw (pass lists, profiling); see scope()

private:
    void check_rgba8_codec();

    gl::Caps caps_;
    Storage storage_;
    std::string tier_reason_;
    gl::Quad quad_;
    std::map<std::string, std::unique_ptr<gl::Program>> programs_;
    long draw_calls_ = 0;
    bool state_ok_ = false;
    std::string scope_;
};

// The full fragment shader of an op as the engine compiles it: version, tier switch, defines, prelude, op.
std::string compose_fragment(Tier tier, const std::string& op, const std::string& defines);

// GLSL sources embedded at build time from glsl/ (GPT2GL_GLSL_DIR, if set, reads them from disk instead).
std::string glsl_source(const std::string& file);
std::vector<std::string> glsl_files();

}  // namespace gpt2gl
