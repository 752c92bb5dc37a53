// gl/context_glfw.cpp — GLFW window with an OpenGL ES 2.0 context (EGL first, then the native API).
#include "gl/context_glfw.h"

#include <GLFW/glfw3.h>

#include "gl/gl.h"

namespace gl {
namespace {

std::string g_glfw_error;
void on_glfw_error(int, const char* what) { g_glfw_error = what; }

class GlfwContext : public WindowContext {
public:
    GlfwContext(int width, int height, const std::string& title, bool visible) {
        glfwSetErrorCallback(on_glfw_error);
        if (!glfwInit())
            throw Error("GLFW could not start (" + g_glfw_error +
                        ")\nHINT: a window needs a display; without one, run the program under Xvfb (xvfb-run -a ...)");
        glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 2);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
        glfwWindowHint(GLFW_VISIBLE, visible ? GLFW_TRUE : GLFW_FALSE);
        for (int api : {GLFW_EGL_CONTEXT_API, GLFW_NATIVE_CONTEXT_API}) {
            glfwWindowHint(GLFW_CONTEXT_CREATION_API, api);
            window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
            if (window_) {
                backend_ = std::string("GLFW window (") + (api == GLFW_EGL_CONTEXT_API ? "EGL" : "native") + " context)";
                break;
            }
        }
        if (!window_) {
            glfwTerminate();
            throw Error("no OpenGL ES 2.0 window could be created (" + g_glfw_error + ")");
        }
        glfwMakeContextCurrent(window_);
        gl::set_proc_loader([](const char* n) { return reinterpret_cast<void*>(glfwGetProcAddress(n)); });
        glfwSwapInterval(1);
    }
    ~GlfwContext() override {
        glfwDestroyWindow(window_);
        glfwTerminate();
    }
    std::string backend() const override { return backend_; }
    void make_current() override { glfwMakeContextCurrent(window_); gl::forget_bindings(); }
    GLFWwindow* window() const override { return window_; }
    bool should_close() const override { return glfwWindowShouldClose(window_); }
    void swap() override { glfwSwapBuffers(window_); }
    void framebuffer_size(int* w, int* h) const override { glfwGetFramebufferSize(window_, w, h); }

private:
    GLFWwindow* window_ = nullptr;
    std::string backend_;
};

}  // namespace

std::unique_ptr<WindowContext> create_window_context(int width, int height, const std::string& title, bool visible) {
    return std::make_unique<GlfwContext>(width, height, title, visible);
}

}  // namespace gl
