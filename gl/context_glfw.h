// gl/context_glfw.h — a window with an OpenGL ES 2.0 context, through GLFW (the viewer's back end).
#pragma once
#include <memory>
#include <string>

#include "gl/context.h"

struct GLFWwindow;

namespace gl {

class WindowContext : public Context {
public:
    virtual GLFWwindow* window() const = 0;
    virtual bool should_close() const = 0;
    virtual void swap() = 0;
    virtual void framebuffer_size(int* w, int* h) const = 0;
};

// visible = false makes a hidden window (screenshots under Xvfb). Throws gl::Error with a hint when no display.
std::unique_ptr<WindowContext> create_window_context(int width, int height, const std::string& title, bool visible);

}  // namespace gl
