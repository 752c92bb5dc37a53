// lessons/lesson.cpp — see lesson.h.
#include "lessons/lesson.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "gl/shaders.h"

namespace lesson {

static int g_exercise = 0, g_failed = 0, g_checks = 0;
static std::string g_frag;  // --frag FILE: the student's shader, used in place of the lesson's

void begin(const char* title, int argc, char** argv) {
    for (int i = 1; i + 1 < argc; ++i) {
        if (!std::strcmp(argv[i], "--exercise")) g_exercise = std::atoi(argv[i + 1]);
        if (!std::strcmp(argv[i], "--frag")) g_frag = argv[i + 1];
    }
    std::printf("== %s\n", title);
    if (g_exercise) std::printf("exercise %d%s\n", g_exercise, g_frag.empty() ? "" : (", shader " + g_frag).c_str());
}

Gpu start(const char* title, int argc, char** argv) {
    begin(title, argc, argv);
    Gpu g;
    g.context = context();
    g.caps = gl::probe_caps(g.context->backend());
    std::printf("GPU: %s, %s\n", g.caps.renderer.c_str(), g.caps.version.c_str());
    if (!g.caps.fp32.ok) throw gl::Error("this lesson needs a float render target: " + g.caps.fp32.why);
    g.f32 = g.caps.fp32.format;
    return g;
}

int exercise() { return g_exercise; }

gl::Context* context() {
#ifdef __EMSCRIPTEN__
    static gl::Context* c = gl::create_web_context("#canvas").release();
#else
    static gl::Context* c = gl::create_headless_context().release();
#endif
    return c;
}

static std::string read_text(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw gl::Error(path + ": cannot open");
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::string source(const std::string& lesson_dir, const std::string& file) { return read_text(lesson_dir + "/" + file); }

std::string student_source(const std::string& lesson_dir, const std::string& file) {
    return g_frag.empty() ? source(lesson_dir, file) : read_text(g_frag);
}

gl::Program program(const std::string& fragment, const std::string& label) {
    return gl::Program({gl::quad_vertex_source(), fragment, label});
}

Target float_target(const Gpu& gpu, int w, int h, const float* data) {
    Target t;
    t.texture = gl::Texture({w, h, gpu.f32, data, "lesson texture"});
    t.framebuffer = gl::Framebuffer(t.texture, "lesson framebuffer");
    return t;
}

void draw(const gl::Program& p, const Target& out, int x, int y, int w, int h) {
    static gl::Quad* quad = new gl::Quad();  // one for the whole program
    out.framebuffer.bind();
    p.use();
    p.set("u_rect", float(x), float(y), float(w), float(h));
    glViewport(x, y, w, h);
    quad->bind();
    quad->draw();
}

std::vector<float> read(const Target& t, int w, int h) {
    std::vector<float> px(size_t(w) * h * 4);
    t.framebuffer.bind();
    glReadPixels(0, 0, w, h, GL_RGBA, GL_FLOAT, px.data());
    return px;
}

bool check(const std::string& what, const std::vector<float>& got, const std::vector<float>& want, double tol) {
    double worst = 0;
    size_t at = 0;
    bool ok = got.size() == want.size();
    for (size_t i = 0; ok && i < got.size(); ++i) {
        double d = std::fabs(double(got[i]) - double(want[i]));
        if (std::isnan(d)) d = INFINITY;  // NaN: as far off as can be
        if (d > worst) worst = d, at = i;
    }
    ok = ok && worst <= tol;
    ++g_checks;
    if (!ok) ++g_failed;
    std::printf("check %-52s %s  (largest difference %.3g at [%zu]: GPU %.7g, CPU %.7g; tolerance %.3g)\n", what.c_str(),
                ok ? "PASS" : "FAIL", worst, at, got.empty() ? 0.0 : double(got[at]), want.empty() ? 0.0 : double(want[at]), tol);
    return ok;
}

int finish() {
    if (g_failed) std::printf("%d of %d checks failed\n", g_failed, g_checks);
    else std::printf("all %d checks passed\n", g_checks);
    std::fflush(stdout);
    return g_failed ? 1 : 0;
}

}  // namespace lesson
