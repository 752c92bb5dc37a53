// lessons/01-hello-gpgpu/main.cpp — a full-screen quad writes f(x, y) into a float texture; read it back and
// compare with the same loop on the CPU. Exercises: --exercise N --frag YOUR.frag (README.md).
#include <cmath>
#include <cstdio>

#include "lessons/lesson.h"

int main(int argc, char** argv) try {
    lesson::Gpu gpu = lesson::start("Lesson 1: hello, GPGPU", argc, argv);
    const int W = 16, H = 8;  // the output: 16 x 8 texels, 4 floats each

    // 1. The program: glsl/quad.vert covers the viewport with two triangles; hello.frag runs once per texel.
    gl::Program p = lesson::program(lesson::student_source(LESSON_DIR, "hello.frag"), "hello.frag");
    // 2. Where it draws: a texture of RGBA floats, attached to a framebuffer.
    lesson::Target out = lesson::float_target(gpu, W, H);
    // 3. One draw call: 128 fragments run the shader, each writes its own texel.
    lesson::draw(p, out, 0, 0, W, H);
    // 4. Read the texels back to the CPU (row y = 0 first).
    std::vector<float> got = lesson::read(out, W, H);

    // The same numbers from a CPU loop: what the GPU must have computed, exactly (small integers are exact floats).
    std::vector<float> want;
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
            float f = float(x) + 100.0f * float(y), a = float(x * y);
            if (lesson::exercise() == 1) f = float(x * x - y);
            if (lesson::exercise() == 2) a = std::sqrt(float((x - 8) * (x - 8) + (y - 4) * (y - 4)));
            want.insert(want.end(), {float(x), float(y), f, a});
        }
    std::printf("texel (3, 2) holds R %g, G %g, B %g, A %g\n", got[(2 * W + 3) * 4], got[(2 * W + 3) * 4 + 1],
                got[(2 * W + 3) * 4 + 2], got[(2 * W + 3) * 4 + 3]);
    // exercise 2's square root may differ from the CPU's in the last bit or two: 1e-5 of distances below 10
    lesson::check("the GPU's f(x, y) equals the CPU loop", got, want, lesson::exercise() == 2 ? 1e-5 : 0.0);
    return lesson::finish();
} catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 2;
}
