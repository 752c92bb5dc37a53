// gl/gl.h — move-only RAII over OpenGL ES 2.0 objects: textures, framebuffers, programs, buffers.
// Knows nothing of tensors or GPT-2. Creation takes a desc struct; failures throw gl::Error naming the object.
#pragma once
#include <GLES2/gl2.h>
#include <GLES2/gl2ext.h>

#include <array>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

// ES 3.0 tokens: used only when the capability probe found an ES 3 context.
#ifndef GL_RGBA32F
#define GL_RGBA32F 0x8814
#endif
#ifndef GL_RGBA16F
#define GL_RGBA16F 0x881A
#endif
#ifndef GL_HALF_FLOAT
#define GL_HALF_FLOAT 0x140B
#endif

namespace gl {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throws gl::Error if glGetError reports something; `what` names the operation.
// Called only at object creation and in debug mode, never per pass in release (sokol, imgui).
void check(const char* what);
const char* error_name(GLenum err);
const char* framebuffer_status_name(GLenum status);

// Bindings made through this layer (program, framebuffer, texture per unit) are cached per thread, so binding what
// is already bound costs no GL call. Code that binds through raw GL calls or switches contexts calls
// forget_bindings() afterwards. bind_framebuffer(0) binds the default framebuffer.
void forget_bindings();
void bind_framebuffer(GLuint id);
void blend_add(bool on);  // additive blending (ONE, ONE) on or off; cached like the bindings

// Debug switch: when on, Engine checks glGetError after every pass (GPT2GL_GL_DEBUG=1).
bool debug_enabled();

// How texels are stored: internal format, format and type as glTexImage2D takes them.
struct TexFormat {
    GLint internal = GL_RGBA;
    GLenum format = GL_RGBA;
    GLenum type = GL_UNSIGNED_BYTE;
    const char* name = "RGBA8";
    GLenum read_type = GL_UNSIGNED_BYTE;  // glReadPixels(GL_RGBA, read_type) of a framebuffer over it
};

struct TextureDesc {
    int width = 0, height = 0;
    TexFormat format;
    const void* data = nullptr;  // width*height texels of `format`, or null for zeros
    const char* label = "texture";
};

// NEAREST filtering, CLAMP_TO_EDGE, no mipmaps: what NPOT textures in ES 2.0 allow, and what exact texel fetches need.
class Texture {
public:
    Texture() = default;
    explicit Texture(const TextureDesc& desc);
    ~Texture();
    Texture(Texture&& o) noexcept { *this = std::move(o); }
    Texture& operator=(Texture&& o) noexcept;
    Texture(const Texture&) = delete;
    Texture& operator=(const Texture&) = delete;

    void upload(const void* data);  // whole image, same format as created
    void bind(int unit) const;
    int width() const { return width_; }
    int height() const { return height_; }
    const TexFormat& format() const { return format_; }
    GLuint id() const { return id_; }  // for framebuffer attachment and the viewer's display shaders
    explicit operator bool() const { return id_ != 0; }

private:
    void release();
    GLuint id_ = 0;
    int width_ = 0, height_ = 0;
    TexFormat format_;
};

// Colour attachments, attached once at creation; status checked and reported by name. Several (all one size):
// draw buffers 0 .. n-1, a pass writing gl_FragData[i] into colors[i] (ES 3.0, EXT_draw_buffers, WEBGL_draw_buffers).
class Framebuffer {
public:
    Framebuffer() = default;
    Framebuffer(const Texture& color, const char* label) : Framebuffer(std::vector<const Texture*>{&color}, label) {}
    Framebuffer(const std::vector<const Texture*>& colors, const char* label);
    ~Framebuffer();
    Framebuffer(Framebuffer&& o) noexcept { *this = std::move(o); }
    Framebuffer& operator=(Framebuffer&& o) noexcept;
    Framebuffer(const Framebuffer&) = delete;
    Framebuffer& operator=(const Framebuffer&) = delete;

    void bind() const;
    GLenum status() const;  // GL_FRAMEBUFFER_COMPLETE or why not (probe uses this without throwing)
    explicit operator bool() const { return id_ != 0; }

private:
    void release();
    GLuint id_ = 0;
};

struct ProgramDesc {
    std::string vertex_source;
    std::string fragment_source;
    std::string label = "program";
};

// Vertex attribute 0 is bound to "a_pos" before linking. Compile/link errors throw with the numbered source.
class Program {
public:
    Program() = default;
    explicit Program(const ProgramDesc& desc);
    ~Program();
    Program(Program&& o) noexcept { *this = std::move(o); }
    Program& operator=(Program&& o) noexcept;
    Program(const Program&) = delete;
    Program& operator=(const Program&) = delete;

    void use() const;
    GLint uniform(const std::string& name) const;  // -1 if absent or optimized away (cached)
    void set(const std::string& name, float x) const;
    void set(const std::string& name, float x, float y) const;
    void set(const std::string& name, float x, float y, float z, float w) const;
    void set_int(const std::string& name, int v) const;
    // By location, skipping the GL call when the uniform already holds these values (no driver revalidation).
    void set(GLint loc, int n, const float* v) const;
    void set_int(GLint loc, int v) const;
    const std::string& label() const { return label_; }
    explicit operator bool() const { return id_ != 0; }

private:
    void release();
    GLuint id_ = 0;
    std::string label_;
    mutable std::map<std::string, GLint> uniforms_;
    mutable std::map<GLint, std::array<float, 4>> values_;  // last values set, per location
};

// Source with line numbers, for compile errors.
std::string numbered(const std::string& source);

// The full-screen quad as `kMaxLayers` identical layers from one static VBO: vertex (x, y, layer), two triangles
// covering NDC [-1,1]² per layer. draw(n) draws layers 0..n-1 in order: with additive blending, n partial results
// of one pass land on the same texels in one draw call (split-K matmul).
class Quad {
public:
    static constexpr int kMaxLayers = 64;
    Quad();
    ~Quad();
    Quad(Quad&& o) noexcept { *this = std::move(o); }
    Quad& operator=(Quad&& o) noexcept;
    Quad(const Quad&) = delete;
    Quad& operator=(const Quad&) = delete;
    void bind() const;             // the VBO as vertex attribute 0 (vec3 a_pos); draw() needs it bound
    void draw(int layers = 1) const;

private:
    GLuint vbo_ = 0;
};

// GPU time of consecutive spans of GL work, by EXT_disjoint_timer_query (TIME_ELAPSED): start() begins span 0,
// next() ends the current span and begins another, stop() ends the last and waits for every result. `listed`: the
// context lists the extension (Caps::timer_query); its entry points come through the context back end's loader
// (set_proc_loader). ok() is false without either.
class SpanTimer {
public:
    explicit SpanTimer(bool listed);
    ~SpanTimer();
    SpanTimer(const SpanTimer&) = delete;
    SpanTimer& operator=(const SpanTimer&) = delete;
    bool ok() const { return ok_; }
    void start();
    void next();
    std::vector<double> stop();  // ms per span; empty if the GPU reported a disjoint event (results invalid)

private:
    void begin();
    bool ok_ = false;
    std::vector<GLuint> queries_;
    size_t used_ = 0;
};

// glDrawBuffers (ES 3.0) or glDrawBuffersEXT (EXT_draw_buffers): null where neither is there.
using DrawBuffersProc = void (*)(GLsizei n, const GLenum* bufs);
DrawBuffersProc draw_buffers_proc();

// Extension entry points: each context back end installs its loader (eglGetProcAddress, glfwGetProcAddress).
using ProcLoader = void* (*)(const char* name);
void set_proc_loader(ProcLoader loader);
void* proc(const char* name);  // null without a loader or without that function

// Live GL object counts (created minus deleted), for leak checks.
struct Counts {
    int textures = 0, framebuffers = 0, programs = 0, buffers = 0;
};
Counts live_counts();

}  // namespace gl
