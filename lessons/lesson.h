// lessons/lesson.h — the little every lesson program shares, so that each lesson reads on its own: a GL context
// (headless natively, the page's canvas in the browser), the float texture format this GPU renders into, a program
// from a fragment shader file (with the project's full-screen-quad vertex shader, glsl/quad.vert), a readback, and
// a check of the GPU's numbers against a CPU loop. Plain ES 2.0 / WebGL 1.0 through the project's gl/ layer.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "gl/caps.h"
#include "gl/context.h"
#include "gl/gl.h"

namespace lesson {

struct Gpu {
    gl::Context* context;  // lives as long as the program (context()): never destroyed
    gl::Caps caps;
    gl::TexFormat f32;  // RGBA 32-bit float: sized RGBA32F on ES 3, RGBA + FLOAT on WebGL 1 (the probe finds which)
};
// Prints the title and reads argv: `--exercise N --frag FILE` (see exercise(), student_source()).
void begin(const char* title, int argc, char** argv);
// begin(), then makes the context, probes it and prints what it got.
Gpu start(const char* title, int argc, char** argv);
// The program's one GL context (headless natively, the page's canvas in the browser), made on first use and kept
// until the process ends, as the test suite keeps its own: Mesa leaves a few allocations behind when a context is
// destroyed that LeakSanitizer cannot attribute to any library.
gl::Context* context();

// The text of a shader file of this lesson (lessons/NN-name/FILE).
std::string source(const std::string& lesson_dir, const std::string& file);
// The same for the shader the exercises ask to change: the student's file instead, when given with --frag.
std::string student_source(const std::string& lesson_dir, const std::string& file);
// The exercise asked for with --exercise N (0: none, run the lesson itself).
int exercise();

// A program drawing the full-screen quad with this fragment shader (GLSL ES 1.00).
gl::Program program(const std::string& fragment, const std::string& label);
// A float texture of w x h RGBA texels (data: w*h*4 floats, or null for zeros) and a framebuffer to render into it.
// Making a texture binds it to the active unit: make every target before binding a pass's inputs.
struct Target {
    gl::Texture texture;
    gl::Framebuffer framebuffer;
};
Target float_target(const Gpu& gpu, int w, int h, const float* data = nullptr);
// Draws the quad into texels [x, x+w) x [y, y+h) of `out` (u_rect tells the vertex shader where: v_texel).
void draw(const gl::Program& p, const Target& out, int x, int y, int w, int h);
// The w x h RGBA floats of a target, row by row from the bottom (texel (x, y) at index 4 * (y * w + x)).
std::vector<float> read(const Target& t, int w, int h);

// |got - want| <= tol for every value: prints the largest difference and PASS or FAIL; returns whether it passed.
bool check(const std::string& what, const std::vector<float>& got, const std::vector<float>& want, double tol);
// Prints "all checks passed" or how many failed; the process's exit code.
int finish();

}  // namespace lesson
