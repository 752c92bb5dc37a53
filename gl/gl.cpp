// gl/gl.cpp — RAII GL objects and error reporting. See gl.h.
#include "gl/gl.h"

#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>  // glDrawBuffers
#endif

#include <cstdlib>
#include <cstring>
#include <sstream>
#include <vector>

namespace gl {

static Counts g_counts;
Counts live_counts() { return g_counts; }

bool debug_enabled() {
    static const bool on = [] {
        const char* v = std::getenv("GPT2GL_GL_DEBUG");
        return v && *v && *v != '0';
    }();
    return on;
}

const char* error_name(GLenum err) {
    switch (err) {
        case GL_NO_ERROR: return "GL_NO_ERROR";
        case GL_INVALID_ENUM: return "GL_INVALID_ENUM";
        case GL_INVALID_VALUE: return "GL_INVALID_VALUE";
        case GL_INVALID_OPERATION: return "GL_INVALID_OPERATION";
        case GL_INVALID_FRAMEBUFFER_OPERATION: return "GL_INVALID_FRAMEBUFFER_OPERATION";
        case GL_OUT_OF_MEMORY: return "GL_OUT_OF_MEMORY";
        default: return "unknown GL error";
    }
}

const char* framebuffer_status_name(GLenum status) {
    switch (status) {
        case GL_FRAMEBUFFER_COMPLETE: return "GL_FRAMEBUFFER_COMPLETE";
        case GL_FRAMEBUFFER_INCOMPLETE_ATTACHMENT: return "GL_FRAMEBUFFER_INCOMPLETE_ATTACHMENT";
        case GL_FRAMEBUFFER_INCOMPLETE_MISSING_ATTACHMENT: return "GL_FRAMEBUFFER_INCOMPLETE_MISSING_ATTACHMENT";
        case GL_FRAMEBUFFER_INCOMPLETE_DIMENSIONS: return "GL_FRAMEBUFFER_INCOMPLETE_DIMENSIONS";
        case GL_FRAMEBUFFER_UNSUPPORTED: return "GL_FRAMEBUFFER_UNSUPPORTED";
        default: return "unknown framebuffer status";
    }
}

void check(const char* what) {
    GLenum err = glGetError();
    if (err == GL_NO_ERROR) return;
    std::string msg = std::string(what) + ": " + error_name(err);
    while ((err = glGetError()) != GL_NO_ERROR) msg += std::string(", ") + error_name(err);
    if (msg.find("GL_OUT_OF_MEMORY") != std::string::npos)
        msg += "\nHINT: the GPU ran out of memory; try a smaller model, q8 weights or precision fp16";
    throw Error(msg);
}

// [SECTION] Binding cache
// What this thread's current context has bound, so that binding it again costs no GL call. kUnknown after
// forget_bindings(): code outside gl/ (ImGui, the viewer's state saving, context switches) may have changed it.

namespace {
constexpr GLuint kUnknown = ~0u;
constexpr int kUnits = 32;
struct Bindings {
    GLuint program = kUnknown, framebuffer = kUnknown, quad = kUnknown;  // quad: the VBO behind attribute 0
    GLuint texture[kUnits];
    int active_unit = -1;
    int blend = -1;  // -1 unknown, 0 off, 1 additive
    Bindings() { forget(); }
    void forget() {
        program = framebuffer = quad = kUnknown;
        for (GLuint& t : texture) t = kUnknown;
        active_unit = -1;
        blend = -1;
    }
};
thread_local Bindings g_bound;

void bind_texture(int unit, GLuint id) {
    if (unit < kUnits && g_bound.texture[unit] == id) return;
    if (g_bound.active_unit != unit) {
        glActiveTexture(GLenum(GL_TEXTURE0 + unit));
        g_bound.active_unit = unit;
    }
    glBindTexture(GL_TEXTURE_2D, id);
    if (unit < kUnits) g_bound.texture[unit] = id;
}
}  // namespace

void forget_bindings() { g_bound.forget(); }

void blend_add(bool on) {
    if (g_bound.blend == int(on)) return;
    if (on) {
        glEnable(GL_BLEND);
        glBlendEquation(GL_FUNC_ADD);
        glBlendFunc(GL_ONE, GL_ONE);
    } else {
        glDisable(GL_BLEND);
    }
    g_bound.blend = int(on);
}

void bind_framebuffer(GLuint id) {
    if (g_bound.framebuffer == id) return;
    glBindFramebuffer(GL_FRAMEBUFFER, id);
    g_bound.framebuffer = id;
}

// [SECTION] Texture

Texture::Texture(const TextureDesc& d) : width_(d.width), height_(d.height), format_(d.format) {
    if (d.width <= 0 || d.height <= 0)
        throw Error(std::string(d.label) + ": bad texture size " + std::to_string(d.width) + "x" +
                    std::to_string(d.height));
    while (glGetError() != GL_NO_ERROR) {}
    glGenTextures(1, &id_);
    ++g_counts.textures;
    bind_texture(0, id_);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    std::vector<unsigned char> zeros;
    const void* data = d.data;
    if (!data) {  // defined contents: zeros (padding texels are read as zeros by the passes)
        size_t bytes_per_texel = d.format.type == GL_FLOAT ? 16 : d.format.type == GL_UNSIGNED_BYTE ? 4 : 8;
        zeros.assign(size_t(d.width) * d.height * bytes_per_texel, 0);
        data = zeros.data();
    }
    glTexImage2D(GL_TEXTURE_2D, 0, d.format.internal, d.width, d.height, 0, d.format.format, d.format.type, data);
    GLenum err = glGetError();
    if (err != GL_NO_ERROR) {
        std::string msg = std::string(d.label) + ": glTexImage2D " + std::to_string(d.width) + "x" +
                          std::to_string(d.height) + " " + d.format.name + " failed: " + error_name(err);
        release();
        if (err == GL_OUT_OF_MEMORY) msg += "\nHINT: the GPU ran out of memory; try a smaller model, q8 weights or precision fp16";
        throw Error(msg);
    }
}

// A deleted texture is unbound from every unit (and GL may hand its name out again).
void Texture::release() {
    if (!id_) return;
    glDeleteTextures(1, &id_);
    --g_counts.textures;
    for (GLuint& t : g_bound.texture)
        if (t == id_) t = 0;
    id_ = 0;
}

Texture::~Texture() { release(); }

Texture& Texture::operator=(Texture&& o) noexcept {
    if (this != &o) {
        release();
        id_ = std::exchange(o.id_, 0);
        width_ = o.width_;
        height_ = o.height_;
        format_ = o.format_;
    }
    return *this;
}

void Texture::upload(const void* data) {
    bind_texture(0, id_);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width_, height_, format_.format, format_.type, data);
}

void Texture::bind(int unit) const { bind_texture(unit, id_); }

// [SECTION] Framebuffer

Framebuffer::Framebuffer(const std::vector<const Texture*>& colors, const char* label) {
    glGenFramebuffers(1, &id_);
    ++g_counts.framebuffers;
    bind_framebuffer(id_);
    std::vector<GLenum> buffers;
    for (size_t i = 0; i < colors.size(); ++i) {
        buffers.push_back(GLenum(GL_COLOR_ATTACHMENT0 + i));
        glFramebufferTexture2D(GL_FRAMEBUFFER, buffers.back(), GL_TEXTURE_2D, colors[i]->id(), 0);
    }
    const Texture& color = *colors[0];
    if (colors.size() > 1) {
        DrawBuffersProc draw_buffers = draw_buffers_proc();
        if (!draw_buffers) {
            release();
            throw Error(std::string(label) + ": " + std::to_string(colors.size()) +
                        " colour attachments need glDrawBuffers (ES 3.0 or EXT_draw_buffers), which is missing");
        }
        draw_buffers(GLsizei(buffers.size()), buffers.data());
    }
    GLenum s = status();
    if (s != GL_FRAMEBUFFER_COMPLETE) {
        release();
        std::string what = colors.size() == 1 ? "a" : std::to_string(colors.size());
        throw Error(std::string(label) + ": framebuffer over " + what + " " + std::to_string(color.width()) + "x" +
                    std::to_string(color.height()) + " " + color.format().name +
                    (colors.size() == 1 ? " texture" : " textures") + " is incomplete: " + framebuffer_status_name(s));
    }
}

// Deleting the bound framebuffer binds the default one.
void Framebuffer::release() {
    if (!id_) return;
    glDeleteFramebuffers(1, &id_);
    --g_counts.framebuffers;
    if (g_bound.framebuffer == id_) g_bound.framebuffer = 0;
    id_ = 0;
}

Framebuffer::~Framebuffer() { release(); }

Framebuffer& Framebuffer::operator=(Framebuffer&& o) noexcept {
    if (this != &o) {
        release();
        id_ = std::exchange(o.id_, 0);
    }
    return *this;
}

void Framebuffer::bind() const { bind_framebuffer(id_); }

GLenum Framebuffer::status() const {
    bind_framebuffer(id_);
    return glCheckFramebufferStatus(GL_FRAMEBUFFER);
}

// [SECTION] Program

std::string numbered(const std::string& source) {
    std::ostringstream out;
    std::istringstream in(source);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) out << (n < 10 ? "   " : n < 100 ? "  " : n < 1000 ? " " : "") << n
                                                      << "  " << line << "\n";
    return out.str();
}

static GLuint compile(GLenum type, const std::string& src, const std::string& label) {
    GLuint s = glCreateShader(type);
    const char* p = src.c_str();
    glShaderSource(s, 1, &p, nullptr);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        GLint n = 0;
        glGetShaderiv(s, GL_INFO_LOG_LENGTH, &n);
        std::string log(size_t(n > 1 ? n : 1), '\0');
        glGetShaderInfoLog(s, n, nullptr, &log[0]);
        glDeleteShader(s);
        throw Error(label + ": " + (type == GL_VERTEX_SHADER ? "vertex" : "fragment") +
                    " shader failed to compile:\n" + log.c_str() + "\n" + numbered(src));
    }
    return s;
}

Program::Program(const ProgramDesc& d) : label_(d.label) {
    GLuint vs = compile(GL_VERTEX_SHADER, d.vertex_source, d.label);
    GLuint fs = 0;
    try {
        fs = compile(GL_FRAGMENT_SHADER, d.fragment_source, d.label);
    } catch (...) {
        glDeleteShader(vs);
        throw;
    }
    id_ = glCreateProgram();
    ++g_counts.programs;
    glAttachShader(id_, vs);
    glAttachShader(id_, fs);
    glBindAttribLocation(id_, 0, "a_pos");
    glLinkProgram(id_);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint ok = 0;
    glGetProgramiv(id_, GL_LINK_STATUS, &ok);
    if (!ok) {
        GLint n = 0;
        glGetProgramiv(id_, GL_INFO_LOG_LENGTH, &n);
        std::string log(size_t(n > 1 ? n : 1), '\0');
        glGetProgramInfoLog(id_, n, nullptr, &log[0]);
        glDeleteProgram(id_);
        --g_counts.programs;
        id_ = 0;
        throw Error(d.label + ": program failed to link:\n" + log.c_str() + "\n" + numbered(d.fragment_source));
    }
}

// A deleted program stays in use until another is used, under a name GL may give out again: forget it.
void Program::release() {
    if (!id_) return;
    glDeleteProgram(id_);
    --g_counts.programs;
    if (g_bound.program == id_) g_bound.program = kUnknown;
    id_ = 0;
}

Program::~Program() { release(); }

Program& Program::operator=(Program&& o) noexcept {
    if (this != &o) {
        release();
        id_ = std::exchange(o.id_, 0);
        label_ = std::move(o.label_);
        uniforms_ = std::move(o.uniforms_);
        values_ = std::move(o.values_);
    }
    return *this;
}

void Program::use() const {
    if (g_bound.program == id_) return;
    glUseProgram(id_);
    g_bound.program = id_;
}

GLint Program::uniform(const std::string& name) const {
    auto it = uniforms_.find(name);
    if (it != uniforms_.end()) return it->second;
    GLint loc = glGetUniformLocation(id_, name.c_str());
    uniforms_.emplace(name, loc);
    return loc;
}

void Program::set(const std::string& n, float x) const { set(uniform(n), 1, &x); }
void Program::set(const std::string& n, float x, float y) const {
    const float v[2] = {x, y};
    set(uniform(n), 2, v);
}
void Program::set(const std::string& n, float x, float y, float z, float w) const {
    const float v[4] = {x, y, z, w};
    set(uniform(n), 4, v);
}
void Program::set_int(const std::string& n, int v) const { set_int(uniform(n), v); }

// Needs this program in use. Values are compared bitwise (NaN-safe); a sampler's unit is kept as a float.
void Program::set(GLint loc, int n, const float* v) const {
    if (loc < 0) return;
    std::array<float, 4> a{0, 0, 0, 0};
    std::memcpy(a.data(), v, sizeof(float) * size_t(n));
    auto it = values_.find(loc);
    if (it != values_.end() && std::memcmp(it->second.data(), a.data(), sizeof a) == 0) return;
    values_[loc] = a;
    if (n == 1) glUniform1f(loc, a[0]);
    else if (n == 2) glUniform2f(loc, a[0], a[1]);
    else if (n == 3) glUniform3f(loc, a[0], a[1], a[2]);
    else glUniform4f(loc, a[0], a[1], a[2], a[3]);
}

void Program::set_int(GLint loc, int v) const {
    if (loc < 0) return;
    std::array<float, 4> a{float(v), -1, -1, -1};  // never equal to a float uniform's cached value at this location
    auto it = values_.find(loc);
    if (it != values_.end() && it->second == a) return;
    values_[loc] = a;
    glUniform1i(loc, v);
}

// [SECTION] Quad

Quad::Quad() {
    const float corners[6][2] = {{-1, -1}, {1, -1}, {-1, 1}, {-1, 1}, {1, -1}, {1, 1}};
    std::vector<float> v;
    for (int layer = 0; layer < kMaxLayers; ++layer)
        for (auto& c : corners) v.insert(v.end(), {c[0], c[1], float(layer)});
    glGenBuffers(1, &vbo_);
    ++g_counts.buffers;
    glBindBuffer(GL_ARRAY_BUFFER, vbo_);
    glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(v.size() * sizeof(float)), v.data(), GL_STATIC_DRAW);
}

Quad::~Quad() {
    if (vbo_) {
        glDeleteBuffers(1, &vbo_);
        --g_counts.buffers;
        if (g_bound.quad == vbo_) g_bound.quad = kUnknown;
    }
}

Quad& Quad::operator=(Quad&& o) noexcept {
    if (this != &o) {
        if (vbo_) {
            glDeleteBuffers(1, &vbo_);
            --g_counts.buffers;
            if (g_bound.quad == vbo_) g_bound.quad = kUnknown;
        }
        vbo_ = std::exchange(o.vbo_, 0);
    }
    return *this;
}

void Quad::bind() const {
    if (g_bound.quad == vbo_) return;
    g_bound.quad = vbo_;
    glBindBuffer(GL_ARRAY_BUFFER, vbo_);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 0, nullptr);
}

void Quad::draw(int layers) const { glDrawArrays(GL_TRIANGLES, 0, 6 * layers); }


// [SECTION] Extension entry points and timer queries

static ProcLoader g_loader = nullptr;
void set_proc_loader(ProcLoader loader) { g_loader = loader; }
void* proc(const char* name) { return g_loader ? g_loader(name) : nullptr; }

DrawBuffersProc draw_buffers_proc() {
#ifdef __EMSCRIPTEN__
    return glDrawBuffers;  // Emscripten routes it to WEBGL_draw_buffers once the page enabled that extension
#else
    static DrawBuffersProc p = nullptr;
    if (!p) p = reinterpret_cast<DrawBuffersProc>(proc("glDrawBuffers"));
    if (!p) p = reinterpret_cast<DrawBuffersProc>(proc("glDrawBuffersEXT"));
    return p;
#endif
}

namespace {
constexpr GLenum kTimeElapsed = 0x88BF, kQueryResult = 0x8866, kGpuDisjoint = 0x8FBB;  // EXT_disjoint_timer_query
struct TimerProcs {
    void (*gen)(GLsizei, GLuint*) = nullptr;
    void (*del)(GLsizei, const GLuint*) = nullptr;
    void (*begin)(GLenum, GLuint) = nullptr;
    void (*end)(GLenum) = nullptr;
    void (*result64)(GLuint, GLenum, unsigned long long*) = nullptr;
    bool load() {
        gen = reinterpret_cast<decltype(gen)>(proc("glGenQueriesEXT"));
        del = reinterpret_cast<decltype(del)>(proc("glDeleteQueriesEXT"));
        begin = reinterpret_cast<decltype(begin)>(proc("glBeginQueryEXT"));
        end = reinterpret_cast<decltype(end)>(proc("glEndQueryEXT"));
        result64 = reinterpret_cast<decltype(result64)>(proc("glGetQueryObjectui64vEXT"));
        return gen && del && begin && end && result64;
    }
};
TimerProcs g_timer;
}  // namespace

SpanTimer::SpanTimer(bool listed) : ok_(listed && g_timer.load()) {}

SpanTimer::~SpanTimer() {
    if (!queries_.empty()) g_timer.del(GLsizei(queries_.size()), queries_.data());
}

void SpanTimer::begin() {
    if (used_ == queries_.size()) {
        queries_.push_back(0);
        g_timer.gen(1, &queries_.back());
    }
    g_timer.begin(kTimeElapsed, queries_[used_++]);
}

void SpanTimer::start() {
    if (!ok_) return;
    GLint disjoint = 0;
    glGetIntegerv(kGpuDisjoint, &disjoint);  // reading clears the flag
    used_ = 0;
    begin();
}

void SpanTimer::next() {
    if (!ok_) return;
    g_timer.end(kTimeElapsed);
    begin();
}

std::vector<double> SpanTimer::stop() {
    std::vector<double> ms;
    if (!ok_) return ms;
    g_timer.end(kTimeElapsed);
    for (size_t i = 0; i < used_; ++i) {
        unsigned long long ns = 0;
        g_timer.result64(queries_[i], kQueryResult, &ns);  // waits for the GPU
        ms.push_back(double(ns) / 1e6);
    }
    GLint disjoint = 0;
    glGetIntegerv(kGpuDisjoint, &disjoint);
    if (disjoint) ms.clear();
    return ms;
}

}  // namespace gl
