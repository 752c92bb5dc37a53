// gl/context_web.cpp — a WebGL 1.0 context on an HTML canvas (Emscripten). Float-texture extensions are enabled
// here; whether they work is still decided by the capability probe, by rendering.
#include <emscripten/html5.h>

#include "gl/context.h"
#include "gl/gl.h"

namespace gl {
namespace {

class WebContext : public Context {
public:
    explicit WebContext(const std::string& canvas) {
        EmscriptenWebGLContextAttributes a;
        emscripten_webgl_init_context_attributes(&a);
        a.majorVersion = 1;
        a.minorVersion = 0;
        a.alpha = false;
        a.depth = false;
        a.stencil = false;
        a.antialias = false;
        a.preserveDrawingBuffer = true;  // the page reads the canvas back (screenshots, tests)
        ctx_ = emscripten_webgl_create_context(canvas.c_str(), &a);
        if (ctx_ <= 0)
            throw Error("WebGL 1.0 is not available in this browser (emscripten_webgl_create_context: " +
                        std::to_string(int(ctx_)) + ")\nHINT: enable hardware acceleration or WebGL in the browser");
        emscripten_webgl_make_context_current(ctx_);
        for (const char* ext : {"OES_texture_float", "OES_texture_half_float", "WEBGL_color_buffer_float",
                                "EXT_color_buffer_half_float", "EXT_color_buffer_float", "EXT_disjoint_timer_query",
                                "WEBGL_draw_buffers"})
            emscripten_webgl_enable_extension(ctx_, ext);
    }
    ~WebContext() override { emscripten_webgl_destroy_context(ctx_); }
    std::string backend() const override { return "WebGL 1.0 (Emscripten)"; }
    void make_current() override { emscripten_webgl_make_context_current(ctx_); gl::forget_bindings(); }

private:
    EMSCRIPTEN_WEBGL_CONTEXT_HANDLE ctx_ = 0;
};

}  // namespace

std::unique_ptr<Context> create_web_context(const std::string& canvas) { return std::make_unique<WebContext>(canvas); }

// A page has no headless context: its canvas's WebGL context is the one (create_web_context).
std::unique_ptr<Context> create_headless_context() {
    throw Error("no headless GL context in the browser: make the canvas's with create_web_context");
}

}  // namespace gl
