// passes/engine.cpp — tier choice, program cache, pass execution. See engine.h.
#include "passes/engine.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace gpt2gl {

// [SECTION] Pass builders

Pass& Pass::define(const std::string& name, int value) {
    defines += "#define " + name + " " + std::to_string(value) + "\n";
    return *this;
}
Pass& Pass::define(const std::string& name) {
    defines += "#define " + name + "\n";
    return *this;
}
Pass& Pass::in(const std::string& name, const Tensor& t) {
    inputs.push_back({name, &t});
    return *this;
}
Pass& Pass::tex(const std::string& name, const gl::Texture& t) {
    textures.push_back({name, &t});
    return *this;
}
Pass& Pass::set(const std::string& name, float x) {
    uniforms.push_back({name, 1, {x, 0, 0, 0}});
    return *this;
}
Pass& Pass::set(const std::string& name, float x, float y) {
    uniforms.push_back({name, 2, {x, y, 0, 0}});
    return *this;
}
Pass& Pass::set(const std::string& name, float x, float y, float z) {
    uniforms.push_back({name, 3, {x, y, z, 0}});
    return *this;
}
Pass& Pass::set(const std::string& name, float x, float y, float z, float w) {
    uniforms.push_back({name, 4, {x, y, z, w}});
    return *this;
}
Pass& Pass::out(Tensor& t, int r0, int r1, int c0, int c1) {
    output = &t;
    row0 = r0;
    row1 = r1;
    col0 = c0;
    col1 = c1;
    return *this;
}

// [SECTION] Engine

Engine::Engine(const gl::Caps& caps, const EngineOptions& opt) : caps_(caps) {
    if (!caps.highp())
        throw gl::Error("this GPU's fragment shaders have no highp float/int (highp float mantissa " +
                        std::to_string(caps.highp_float_bits) + " bits): gpt2gl's shaders need highp for exact "
                        "texel addressing and fp32 arithmetic");
    int limit = std::min(caps.max_texture_size, caps.max_viewport > 0 ? caps.max_viewport : caps.max_texture_size);
    if (opt.max_texture_size > 0) {
        if (opt.max_texture_size > limit)
            throw gl::Error("--max-texture-size " + std::to_string(opt.max_texture_size) +
                            " is above this GPU's limit of " + std::to_string(limit));
        if (opt.max_texture_size < 16) throw gl::Error("--max-texture-size must be at least 16");
        limit = opt.max_texture_size;
    }
    storage_.max_size = limit;

    Tier tier;
    if (opt.precision == "auto") {
        tier = caps.fp32.ok ? Tier::fp32 : caps.fp16.ok ? Tier::fp16 : Tier::rgba8;
        tier_reason_ = caps.fp32.ok   ? "auto: fp32 render targets work (" + caps.fp32.why + ")"
                       : caps.fp16.ok ? "auto: no fp32 render target (" + caps.fp32.why + "); half float works"
                                      : "auto: no float render target (fp32: " + caps.fp32.why +
                                            "; fp16: " + caps.fp16.why + "); fp32 values packed in RGBA8";
    } else if (!parse_tier(opt.precision, &tier)) {
        throw gl::Error("unknown precision '" + opt.precision + "' (expected auto, fp32, fp16 or rgba8)");
    } else {
        tier_reason_ = "forced by --precision " + opt.precision;
    }
    if (tier == Tier::fp32 && !caps.fp32.ok)
        throw gl::Error("precision fp32 is not available on this GL context: " + caps.fp32.why +
                        "\nHINT: use --precision auto, fp16 or rgba8");
    if (tier == Tier::fp16 && !caps.fp16.ok)
        throw gl::Error("precision fp16 is not available on this GL context: " + caps.fp16.why +
                        "\nHINT: use --precision auto, fp32 or rgba8");
    storage_.tier = tier;
    storage_.format = tier == Tier::fp32   ? caps.fp32.format
                      : tier == Tier::fp16 ? caps.fp16.format
                                           : gl::TexFormat{GL_RGBA, GL_RGBA, GL_UNSIGNED_BYTE, "RGBA8 (packed fp32)", GL_UNSIGNED_BYTE};
    if (tier == Tier::rgba8) check_rgba8_codec();
}

Engine::~Engine() = default;

// The rgba8 tier is only right if the shader codec is bit-exact here: copy floats across the exponent range.
void Engine::check_rgba8_codec() {
    std::vector<float> v;
    for (int e = -126; e <= 127; e += 3)
        for (float m : {1.0f, 1.1920929e-7f + 1.0f, 1.5f, 1.9999999f, 1.3333334f})
            v.push_back((e % 2 ? -1.0f : 1.0f) * std::ldexp(m, e));
    int n = int(v.size());
    Tensor a(storage_, "rgba8 codec check input", 1, n), b(storage_, "rgba8 codec check output", 1, n);
    a.upload(v.data());
    run(Pass("copy").in("X", a).out(b, 0, 1, 0, n));
    std::vector<float> got = b.download();
    for (int i = 0; i < n; ++i)
        if (std::memcmp(&got[i], &v[i], 4) != 0) {
            std::ostringstream s;
            s << "the rgba8 tier's float codec is not exact on this GPU: " << v[i] << " came back as " << got[i]
              << "\nHINT: use --precision fp32 or fp16 if available";
            throw gl::Error(s.str());
        }
}

std::string compose_fragment(Tier tier, const std::string& op, const std::string& defines) {
    return "#version 100\n" + std::string(tier == Tier::rgba8 ? "#define TIER_RGBA8\n" : "") + defines +
           glsl_source("prelude.glsl") + glsl_source(op + ".frag") + glsl_source("pass_main.glsl");
}

std::string Engine::fragment_source(const std::string& op, const std::string& defines) const {
    return compose_fragment(storage_.tier, op, defines);
}

const gl::Program& Engine::program(const std::string& op, const std::string& defines) {
    std::string key = op + "\n" + defines;
    auto it = programs_.find(key);
    if (it != programs_.end()) return *it->second;
    auto p = std::make_unique<gl::Program>(
        gl::ProgramDesc{gl::quad_vertex_source(), fragment_source(op, defines), "glsl/" + op + ".frag"});
    return *programs_.emplace(key, std::move(p)).first->second;
}

void Engine::run(const Pass& p) {
    if (record) {
        record->push_back(p);
        record->back().scope = scope_;
        return;
    }
    replay(p);
}

void Engine::replay(const Pass& p) {
    if (!p.scope.empty()) scope_ = p.scope;  // a recorded pass carries the scope it was made in
    const gl::Program& prog = program(p.op, p.defines);
    prog.use();
    if (!state_ok_) {  // the only fixed-function state passes rely on; dithering would alter RGBA8 bytes
        glDisable(GL_BLEND);
        glDisable(GL_DEPTH_TEST);
        glDisable(GL_STENCIL_TEST);
        glDisable(GL_SCISSOR_TEST);
        glDisable(GL_CULL_FACE);
        glDisable(GL_DITHER);
        glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
        state_ok_ = true;
    }
    int unit = 0;
    for (auto& in : p.inputs) {
        const Layout& l = in.tensor->layout();
        in.tensor->texture().bind(unit);
        prog.set_int(in.name, unit++);
        prog.set(in.name + "_geo", float(l.rows), float(l.seg_w), float(l.band_h), float(l.cols));
        prog.set(in.name + "_inv", 1.0f / float(l.width), 1.0f / float(l.height));
    }
    for (auto& t : p.textures) {
        t.texture->bind(unit);
        prog.set_int(t.name, unit++);
    }
    for (auto& u : p.uniforms) {
        GLint loc = prog.uniform(u.name);
        if (u.n == 1) glUniform1f(loc, u.v[0]);
        else if (u.n == 2) glUniform2f(loc, u.v[0], u.v[1]);
        else if (u.n == 3) glUniform3f(loc, u.v[0], u.v[1], u.v[2]);
        else glUniform4f(loc, u.v[0], u.v[1], u.v[2], u.v[3]);
    }
    const Layout& o = p.output->layout();
    prog.set("u_out_geo", float(o.rows), float(o.seg_w), float(o.band_h), float(o.cols));
    p.output->framebuffer().bind();
    int tc0 = p.col0 / o.texel_elems, tc1 = (p.col1 + o.texel_elems - 1) / o.texel_elems;
    GLint rect = prog.uniform("u_rect");
    for (const Rect& r : o.rects(p.row0, p.row1, tc0, tc1)) {
        glViewport(r.x, r.y, r.w, r.h);
        glUniform4f(rect, float(r.x), float(r.y), float(r.w), float(r.h));
        quad_.draw();
        ++draw_calls_;
    }
    if (gl::debug_enabled()) gl::check(("pass " + p.op + " -> " + p.output->name()).c_str());
    if (on_pass) on_pass(p);
}

// [SECTION] GLSL sources

const std::map<std::string, const char*>& embedded_glsl();  // generated by CMake from glsl/

std::string glsl_source(const std::string& file) {
    if (const char* dir = std::getenv("GPT2GL_GLSL_DIR")) {
        std::ifstream f(std::string(dir) + "/" + file);
        if (f) {
            std::stringstream s;
            s << f.rdbuf();
            return s.str();
        }
    }
    auto& m = embedded_glsl();
    auto it = m.find(file);
    if (it == m.end()) throw gl::Error("no shader glsl/" + file + " was built in");
    return it->second;
}

std::vector<std::string> glsl_files() {
    std::vector<std::string> out;
    for (auto& kv : embedded_glsl()) out.push_back(kv.first);
    return out;
}

}  // namespace gpt2gl
