// gl/context.h — where the GL context comes from. One interface, three back ends:
//   headless EGL (gl/context_egl.cpp: Mesa's surfaceless platform, or the EGL device platform on NVIDIA),
//   a GLFW window (the viewer), and Emscripten WebGL 1.0 (web/). Only what the engine needs: a current context.
#pragma once
#include <memory>
#include <string>

namespace gl {

class Context {
public:
    virtual ~Context() = default;
    virtual std::string backend() const = 0;  // e.g. "EGL surfaceless (Mesa)"
    virtual void make_current() = 0;
};

// A current OpenGL ES context with no window. Throws gl::Error saying what failed, with a hint.
std::unique_ptr<Context> create_headless_context();
// A current WebGL 1.0 context on the canvas with this CSS selector (web build only).
std::unique_ptr<Context> create_web_context(const std::string& canvas);

}  // namespace gl
