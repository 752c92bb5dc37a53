// gl/context_egl.cpp — headless OpenGL ES through EGL, no window and no surface.
// Tries Mesa's surfaceless platform, then the EGL device platform (NVIDIA), then the default display.
#include <EGL/egl.h>
#include <EGL/eglext.h>

#include <string>

#include "gl/context.h"
#include "gl/gl.h"

namespace gl {
namespace {

class EglContext : public Context {
public:
    EglContext() {
        auto get_platform_display = (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
        std::string tried;
        if (get_platform_display) {
            display_ = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
            if (try_init("EGL surfaceless", tried)) return;
            auto query_devices = (PFNEGLQUERYDEVICESEXTPROC)eglGetProcAddress("eglQueryDevicesEXT");
            EGLDeviceEXT devices[8];
            EGLint n = 0;
            if (query_devices && query_devices(8, devices, &n)) {
                for (EGLint i = 0; i < n; ++i) {
                    display_ = get_platform_display(EGL_PLATFORM_DEVICE_EXT, devices[i], nullptr);
                    if (try_init("EGL device " + std::to_string(i), tried)) return;
                }
            }
        }
        display_ = eglGetDisplay(EGL_DEFAULT_DISPLAY);
        if (try_init("EGL default display", tried)) return;
        throw Error("no headless OpenGL ES context could be created (tried: " + tried +
                    ")\nHINT: install Mesa's EGL (apt-get install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri), "
                    "or point __EGL_VENDOR_LIBRARY_FILENAMES at your driver's EGL vendor json");
    }

    ~EglContext() override {
        if (display_ != EGL_NO_DISPLAY) {
            eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
            if (context_ != EGL_NO_CONTEXT) eglDestroyContext(display_, context_);
            if (surface_ != EGL_NO_SURFACE) eglDestroySurface(display_, surface_);
            eglTerminate(display_);
        }
    }

    std::string backend() const override { return backend_; }
    void make_current() override { eglMakeCurrent(display_, surface_, surface_, context_); gl::forget_bindings(); }

private:
    bool try_init(const std::string& name, std::string& tried) {
        if (!tried.empty()) tried += ", ";
        tried += name;
        if (display_ == EGL_NO_DISPLAY) return fail(tried, "no display");
        EGLint major = 0, minor = 0;
        if (!eglInitialize(display_, &major, &minor)) return fail(tried, "eglInitialize failed");
        if (!eglBindAPI(EGL_OPENGL_ES_API)) return fail(tried, "no OpenGL ES API");
        const EGLint config_attribs[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE, EGL_OPENGL_ES2_BIT,
                                         EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_ALPHA_SIZE, 8,
                                         EGL_NONE};
        EGLConfig config = nullptr;
        EGLint count = 0;
        if (!eglChooseConfig(display_, config_attribs, &config, 1, &count) || count == 0)
            return fail(tried, "no pbuffer RGBA8 ES2 config");
        const EGLint context_attribs[] = {EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE};
        context_ = eglCreateContext(display_, config, EGL_NO_CONTEXT, context_attribs);
        if (context_ == EGL_NO_CONTEXT) return fail(tried, "eglCreateContext failed");
        // Surfaceless when the driver allows it (we only ever render into framebuffer objects).
        const char* ext = eglQueryString(display_, EGL_EXTENSIONS);
        bool surfaceless = ext && std::string(ext).find("EGL_KHR_surfaceless_context") != std::string::npos;
        if (!surfaceless) {
            const EGLint pbuffer_attribs[] = {EGL_WIDTH, 1, EGL_HEIGHT, 1, EGL_NONE};
            surface_ = eglCreatePbufferSurface(display_, config, pbuffer_attribs);
        }
        if (!eglMakeCurrent(display_, surface_, surface_, context_)) return fail(tried, "eglMakeCurrent failed");
        gl::set_proc_loader([](const char* n) { return reinterpret_cast<void*>(eglGetProcAddress(n)); });
        const char* vendor = eglQueryString(display_, EGL_VENDOR);
        backend_ = name + " (EGL " + std::to_string(major) + "." + std::to_string(minor) + ", " +
                   (vendor ? vendor : "?") + ")";
        return true;
    }

    bool fail(std::string& tried, const char* why) {
        tried += std::string(": ") + why;
        if (display_ != EGL_NO_DISPLAY) {
            if (context_ != EGL_NO_CONTEXT) eglDestroyContext(display_, context_);
            eglTerminate(display_);
        }
        display_ = EGL_NO_DISPLAY;
        context_ = EGL_NO_CONTEXT;
        surface_ = EGL_NO_SURFACE;
        return false;
    }

    EGLDisplay display_ = EGL_NO_DISPLAY;
    EGLContext context_ = EGL_NO_CONTEXT;
    EGLSurface surface_ = EGL_NO_SURFACE;
    std::string backend_;
};

}  // namespace

std::unique_ptr<Context> create_headless_context() { return std::make_unique<EglContext>(); }

}  // namespace gl
