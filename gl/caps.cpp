// gl/caps.cpp — the capability probe. Float formats count only if a 4x1 texture of that format can be
// created, sampled, rendered into and read back (glReadPixels RGBA/FLOAT) with every value exact.
#include "gl/caps.h"

#include "gl/shaders.h"

#include <glm/gtc/packing.hpp>

#include <algorithm>
#include <cstring>
#include <sstream>

namespace gl {

bool Caps::has(const std::string& ext) const {
    for (auto& e : extensions)
        if (e == ext) return true;
    return false;
}

static std::string str(GLenum name) {
    const GLubyte* s = glGetString(name);
    return s ? reinterpret_cast<const char*>(s) : "";
}

static const char* kCopyFragment =
    "#version 100\n"
    "precision highp float;\n"
    "precision highp sampler2D;\n"
    "uniform sampler2D u_src;\n"
    "void main() { gl_FragColor = texture2D(u_src, vec2((gl_FragCoord.x) / 4.0, 0.5)); }\n";

// Renders src -> dst through a copy shader (with additive blending onto dst's initial values if `initial` is set)
// and reads dst back as floats into out16. Empty string on success.
static std::string render_read(const TexFormat& f, const float* src16, const float* initial, const Program& copy,
                               const Quad& quad, float* out16) {
    while (glGetError() != GL_NO_ERROR) {}
    auto texels = [&](const float* v, std::vector<unsigned short>& halves) -> const void* {
        if (!v || f.type == GL_FLOAT) return v;
        halves.resize(16);
        for (int i = 0; i < 16; ++i) halves[size_t(i)] = glm::packHalf1x16(v[i]);
        return halves.data();
    };
    try {
        std::vector<unsigned short> h_src, h_dst;
        Texture src({4, 1, f, texels(src16, h_src), "probe source"});
        Texture dst({4, 1, f, texels(initial, h_dst), "probe target"});
        Framebuffer fb(dst, "probe framebuffer");
        fb.bind();
        glViewport(0, 0, 4, 1);
        copy.use();
        src.bind(0);
        copy.set_int("u_src", 0);
        quad.bind();
        blend_add(initial != nullptr);
        quad.draw();
        blend_add(false);
        std::memset(out16, 0, 16 * sizeof(float));
        glReadPixels(0, 0, 4, 1, GL_RGBA, f.read_type, out16);
        GLenum err = glGetError();
        bind_framebuffer(0);
        if (err != GL_NO_ERROR) return std::string("glReadPixels(RGBA, ") + (f.read_type == GL_FLOAT ? "FLOAT" : "HALF") +
                                       "): " + error_name(err);
        if (f.read_type != GL_FLOAT) {  // halves came back: widen in place, from the end
            const unsigned short* h = reinterpret_cast<const unsigned short*>(out16);
            for (int i = 15; i >= 0; --i) out16[i] = glm::unpackHalf1x16(h[i]);
        }
        return "";
    } catch (const Error& e) {
        blend_add(false);
        bind_framebuffer(0);
        return e.what();
    }
}

static std::string compare(const float* got, const float* want) {
    for (int i = 0; i < 16; ++i)
        if (got[i] != want[i]) {
            std::ostringstream s;
            s << "read back " << got[i] << " for " << want[i] << " (value " << i << ")";
            return s.str();
        }
    return "";
}

static std::string try_format(const TexFormat& f, const float* values16, const Program& copy, const Quad& quad) {
    float out[16];
    std::string err = render_read(f, values16, nullptr, copy, quad, out);
    return err.empty() ? compare(out, values16) : err;
}

// Additive blending onto a float target at the format's own precision, with no clamping: what split-K matmuls need.
// The sums are exact in the format; fp32's include 1 + 2^-20 (not a half) and values outside [0, 1].
static std::string try_blend(const TexFormat& f, const Program& copy, const Quad& quad) {
    bool full = f.type == GL_FLOAT;
    float a[16], b[16], sum[16];
    for (int i = 0; i < 16; ++i) {
        a[i] = float(i) - 7.5f;
        b[i] = 100.25f * float(i % 3 == 0 ? -1 : 1);
        if (full && i == 5) a[i] = 1.0f, b[i] = 9.5367431640625e-07f;  // 2^-20
        sum[i] = a[i] + b[i];
    }
    float out[16];
    std::string err = render_read(f, b, a, copy, quad, out);
    return err.empty() ? compare(out, sum) : err;
}

// Which of 1 + 2^-k (k = 8 + 4x + lane, for texel x of 4) this precision tells apart from 1, as 0/1 in an RGBA8
// target. u_one is 1 at run time, so no compiler can fold the sums away.
static const char* kMantissaFragment =
    "#version 100\n"
    "precision PRECISION float;\n"
    "uniform float u_one;\n"
    "void main() {\n"
    "    vec4 e = exp2(-(8.0 + 4.0 * floor(gl_FragCoord.x) + vec4(0.0, 1.0, 2.0, 3.0)));\n"
    "    gl_FragColor = vec4(notEqual((u_one + e) * u_one, vec4(u_one)));\n"
    "}\n";

// The mantissa bits fragment arithmetic keeps at `precision` (highp, mediump): the largest k such that every
// 1 + 2^-j, j = 8 .. k, came out apart from 1; 0 when even 2^-8 was lost or the pass failed.
static int measure_mantissa(const std::string& precision, const TexFormat& rgba8, const Quad& quad) {
    try {
        std::string src = kMantissaFragment;
        src.replace(src.find("PRECISION"), 9, precision);
        Program p({quad_vertex_source(), src, "mantissa probe (" + precision + ")"});
        Texture t({4, 1, rgba8, nullptr, "mantissa probe target"});
        Framebuffer fb(t, "mantissa probe framebuffer");
        fb.bind();
        glViewport(0, 0, 4, 1);
        p.use();
        const float one = 1.0f;
        p.set(p.uniform("u_one"), 1, &one);
        quad.bind();
        blend_add(false);
        quad.draw();
        unsigned char got[16] = {};
        glReadPixels(0, 0, 4, 1, GL_RGBA, GL_UNSIGNED_BYTE, got);
        bind_framebuffer(0);
        int bits = 0;
        for (int i = 0; i < 16 && got[i] > 127; ++i) bits = 8 + i;
        return bits;
    } catch (const Error&) {
        bind_framebuffer(0);
        return 0;
    }
}

// How many textures a GLSL ES 1.00 pass writes at once: the extension's limit (at most 8), if a pass writing byte
// i + 1 into target i of that many RGBA8 targets reads back right from each. `ext`: the extension the shader names.
static int try_draw_buffers(const Caps& c, const std::string& ext, int n, const Quad& quad, std::string* why) {
    try {
        std::string src = "#version 100\n#extension " + ext + " : require\nprecision mediump float;\nvoid main() {\n";
        for (int i = 0; i < n; ++i)
            src += "    gl_FragData[" + std::to_string(i) + "] = vec4(" + std::to_string(i + 1) + ".0 / 255.0);\n";
        Program p({quad_vertex_source(), src + "}\n", "draw buffers probe"});
        std::vector<Texture> targets;
        std::vector<const Texture*> colors;
        for (int i = 0; i < n; ++i) targets.emplace_back(TextureDesc{4, 1, c.rgba8, nullptr, "draw buffers probe target"});
        for (auto& t : targets) colors.push_back(&t);
        Framebuffer fb(colors, "draw buffers probe framebuffer");
        fb.bind();
        glViewport(0, 0, 4, 1);
        p.use();
        quad.bind();
        blend_add(false);
        quad.draw();
        for (int i = 0; i < n; ++i) {
            Framebuffer one(targets[size_t(i)], "draw buffers probe readback");
            one.bind();
            unsigned char got[16] = {};
            glReadPixels(0, 0, 4, 1, GL_RGBA, GL_UNSIGNED_BYTE, got);
            for (unsigned char b : got)
                if (b != i + 1) {
                    bind_framebuffer(0);
                    *why = ext + ": target " + std::to_string(i) + " of " + std::to_string(n) + " read back " +
                           std::to_string(int(b)) + " for " + std::to_string(i + 1);
                    return 1;
                }
        }
        bind_framebuffer(0);
        *why = std::to_string(n) + " targets written and read back (" + ext + ")";
        return n;
    } catch (const Error& e) {
        bind_framebuffer(0);
        *why = ext + ": " + e.what();
        return 1;
    }
}

static void probe_draw_buffers(Caps& c, const Quad& quad) {
    GLint most = 0, attachments = 0;
    glGetIntegerv(0x8824, &most);         // MAX_DRAW_BUFFERS
    glGetIntegerv(0x8CDF, &attachments);  // MAX_COLOR_ATTACHMENTS
    while (glGetError() != GL_NO_ERROR) {}
    const int n = std::min(8, std::min(int(most), int(attachments)));
    // the extension a shader names, and whether the context lists it (WebGL's name maps to EXT's in shaders)
    const std::pair<const char*, bool> exts[] = {
        {"GL_EXT_draw_buffers", c.has("GL_EXT_draw_buffers") || c.has("WEBGL_draw_buffers") || c.has("GL_WEBGL_draw_buffers")},
        {"GL_NV_draw_buffers", c.has("GL_NV_draw_buffers")}};  // NVIDIA's ES contexts list only this one
    c.draw_buffers_why = !exts[0].second && !exts[1].second ? "no EXT_draw_buffers or NV_draw_buffers"
                                                            : "the GL allows " + std::to_string(n);
    for (auto [name, listed] : exts) {
        if (!listed || n < 2) continue;
        c.draw_buffers = try_draw_buffers(c, name, n, quad, &c.draw_buffers_why);
        if (c.draw_buffers > 1) {
            c.draw_buffers_ext = name;
            return;
        }
    }
}

static FloatSupport probe_float(const std::vector<TexFormat>& candidates, const float* values, const Program& copy,
                                const Quad& quad) {
    FloatSupport s;
    for (auto& f : candidates) {
        std::string err = try_format(f, values, copy, quad);
        if (err.empty()) {
            s.ok = true;
            s.format = f;
            s.why = std::string(f.name) + ": rendered, sampled and read back exactly";
            return s;
        }
        s.why += (s.why.empty() ? "" : "; ") + std::string(f.name) + ": " + err;
    }
    if (candidates.empty()) s.why = "no extension offers it";
    return s;
}

Caps probe_caps(const std::string& backend) {
    forget_bindings();  // a new context may be current
    Caps c;
    c.backend = backend;
    c.version = str(GL_VERSION);
    c.glsl_version = str(GL_SHADING_LANGUAGE_VERSION);
    c.renderer = str(GL_RENDERER);
    c.vendor = str(GL_VENDOR);
    c.es3 = c.version.find("OpenGL ES 3") != std::string::npos;
    std::istringstream ext(str(GL_EXTENSIONS));
    for (std::string e; ext >> e;) c.extensions.push_back(e);
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &c.max_texture_size);
    glGetIntegerv(GL_MAX_TEXTURE_IMAGE_UNITS, &c.max_texture_units);
    GLint vp[2] = {0, 0};
    glGetIntegerv(GL_MAX_VIEWPORT_DIMS, vp);
    c.max_viewport = vp[0] < vp[1] ? vp[0] : vp[1];
    GLint range[2] = {0, 0}, precision = 0;
    glGetShaderPrecisionFormat(GL_FRAGMENT_SHADER, GL_HIGH_FLOAT, range, &precision);
    c.highp_float_bits = precision;
    glGetShaderPrecisionFormat(GL_FRAGMENT_SHADER, GL_HIGH_INT, range, &precision);
    c.highp_int_bits = range[1];
    glGetShaderPrecisionFormat(GL_FRAGMENT_SHADER, GL_MEDIUM_FLOAT, range, &precision);
    c.mediump_float_bits = precision;
    c.timer_query = c.has("GL_EXT_disjoint_timer_query");
    while (glGetError() != GL_NO_ERROR) {}

    Quad quad;
    Program copy({quad_vertex_source(), kCopyFragment, "capability probe"});

    // fp32: 1+2^-23 and 3e-38 need a true 32-bit float; 1e30 overflows half.
    const float f32[16] = {1.0f + 1.1920929e-7f, -3.0e-38f, 1.0e30f, 3.14159265f, -2.5f, 0.1f,  7.0f,   -1e-7f,
                           123456.789f,          0.0f,      -0.0f,   1.0f,        2.0f,  0.75f, -0.33f, 65504.0f};
    // fp16: values a half holds exactly.
    const float f16[16] = {1.0009765625f, -2.5f, 0.25f, 2048.0f, -0.0009765625f, 0.0f, 1.0f, -7.0f,
                           0.5f,          3.0f,  -1.0f, 65504.0f, 0.125f,        6.0f, 9.0f, -100.0f};
    if (c.es3) c.rgba8 = {GL_RGBA8_OES, GL_RGBA, GL_UNSIGNED_BYTE, "RGBA8", GL_UNSIGNED_BYTE};
    std::vector<TexFormat> f32_candidates, f16_candidates;
    // Half framebuffers are read back as floats where the driver allows it (ES 3, WebGL), else as halves.
    if (c.es3) {
        f32_candidates.push_back({GL_RGBA32F, GL_RGBA, GL_FLOAT, "RGBA32F", GL_FLOAT});
        f16_candidates.push_back({GL_RGBA16F, GL_RGBA, GL_HALF_FLOAT, "RGBA16F", GL_FLOAT});
    }
    if (c.has("GL_OES_texture_float") || c.has("OES_texture_float"))
        f32_candidates.push_back({GL_RGBA, GL_RGBA, GL_FLOAT, "RGBA/FLOAT", GL_FLOAT});
    if (c.has("GL_OES_texture_half_float") || c.has("OES_texture_half_float")) {
        f16_candidates.push_back({GL_RGBA, GL_RGBA, GL_HALF_FLOAT_OES, "RGBA/HALF_FLOAT_OES", GL_FLOAT});
        f16_candidates.push_back({GL_RGBA, GL_RGBA, GL_HALF_FLOAT_OES, "RGBA/HALF_FLOAT_OES read as half",
                                  GL_HALF_FLOAT_OES});
    }
    if (c.highp_float_bits > 0) c.highp_bits_computed = measure_mantissa("highp", c.rgba8, quad);
    c.mediump_bits_computed = measure_mantissa("mediump", c.rgba8, quad);
    c.fp32 = probe_float(f32_candidates, f32, copy, quad);
    c.fp16 = probe_float(f16_candidates, f16, copy, quad);
    for (FloatSupport* fs : {&c.fp32, &c.fp16})
        if (fs->ok) {
            std::string err = try_blend(fs->format, copy, quad);
            fs->blend = err.empty();
            fs->blend_why = fs->blend ? "additive blending exact" : err;
        }
    probe_draw_buffers(c, quad);
    while (glGetError() != GL_NO_ERROR) {}
    return c;
}

}  // namespace gl
