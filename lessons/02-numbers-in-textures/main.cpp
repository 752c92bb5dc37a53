// lessons/02-numbers-in-textures/main.cpp — the same 16 floats stored three ways: in a 32-bit float texture (exact),
// in a half-float texture (11 significant bits; too big: whatever the GPU makes of it), and packed into the 4 bytes
// of an ordinary RGBA8 texel by the shader (exact, for GPUs that cannot render floats). Exercise: --exercise 1.
#include <glm/gtc/packing.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "gl/shaders.h"
#include "lessons/lesson.h"

int main(int argc, char** argv) try {
    lesson::Gpu gpu = lesson::start("Lesson 2: numbers in textures", argc, argv);
    const std::vector<float> v = {1.0f / 3, 3.14159265f, -2.5f, 1e-8f, 1e-30f, 65504, 70000, 1e30f,
                                  0.1f, -0.0001234f, 2048.5f, 4097, 1.0f + 1e-7f, -1e20f, 7, 0};
    const int W = 4;  // 4 texels x 4 floats
    lesson::Target x = lesson::float_target(gpu, W, 1, v.data()), y = lesson::float_target(gpu, W, 1);
    lesson::Target h, bytes;  // a half-float target (where the GPU renders halves) and an RGBA8 one
    if (gpu.caps.fp16.ok) {
        h.texture = gl::Texture({W, 1, gpu.caps.fp16.format, nullptr, "half"});
        h.framebuffer = gl::Framebuffer(h.texture, "half");
    }
    bytes.texture = gl::Texture({16, 1, gl::TexFormat{}, nullptr, "bytes"});
    bytes.framebuffer = gl::Framebuffer(bytes.texture, "bytes");
    gl::Program copy = lesson::program(lesson::student_source(LESSON_DIR, "scale.frag"), "scale.frag");
    copy.use();
    x.texture.bind(0);
    copy.set_int("X", 0);
    copy.set("u_inv", 1.0f / W, 1.0f);

    // 1. fp32 texture to fp32 texture: every bit survives.
    lesson::draw(copy, y, 0, 0, W, 1);
    std::vector<float> want = v;
    if (lesson::exercise() == 1)
        for (float& f : want) f = 2 * f + 1;
    lesson::check("fp32 -> fp32 copy, every bit", lesson::read(y, W, 1), want, 0.0);
    if (lesson::exercise()) return lesson::finish();

    // 2. into a half-float texture: 10 mantissa bits, largest 65504. The CPU's rounding (glm) is what to expect.
    if (gpu.caps.fp16.ok) {
        lesson::draw(copy, h, 0, 0, W, 1);
        std::vector<float> got = lesson::read(h, W, 1), halves;
        for (float f : v) halves.push_back(glm::unpackHalf1x16(glm::packHalf1x16(f)));
        for (int i : {0, 3, 6, 12})
            std::printf("  %-12.9g as a half: %-12.9g (relative error %.1e)\n", v[i], got[i], std::fabs(got[i] - v[i]) / std::fabs(v[i]));
        // A GPU may round or truncate to half: compared relative to the value, within 2^-10. Beyond the largest
        // half GPUs differ (glm gives infinity, llvmpipe clamps to 65504, SwiftShader gives NaN): printed, not checked.
        std::vector<float> ok_got(v.size()), ok_want(v.size());
        for (size_t i = 0; i < v.size(); ++i) {
            float scale = std::max(1.0f, std::fabs(halves[i]));
            bool beyond = std::fabs(v[i]) > 65504.0f;
            ok_got[i] = beyond ? 0.0f : got[i] / scale;
            ok_want[i] = beyond ? 0.0f : halves[i] / scale;
        }
        lesson::check("fp32 -> fp16, values a half can hold: as the CPU rounds", ok_got, ok_want, 1.0 / 1024);
    } else {
        std::printf("  (no half-float render target here: %s)\n", gpu.caps.fp16.why.c_str());
    }

    // 3. packed into RGBA8 bytes by the shader: read back as bytes, they are the CPU's float bytes.
    gl::Program pack = lesson::program("#version 100\n" + gl::shader_source("prelude.glsl") +
                                       lesson::source(LESSON_DIR, "pack.frag"), "pack.frag");
    pack.use();
    x.texture.bind(0);
    pack.set_int("X", 0);
    pack.set("u_inv", 1.0f / W, 1.0f);
    lesson::draw(pack, bytes, 0, 0, 16, 1);
    std::vector<unsigned char> b(16 * 4);
    glReadPixels(0, 0, 16, 1, GL_RGBA, GL_UNSIGNED_BYTE, b.data());
    std::vector<float> unpacked(16), normal = v;
    std::memcpy(unpacked.data(), b.data(), b.size());
    for (float& f : normal) f = std::fabs(f) < 1.17549435e-38f ? 0.0f : f;  // the codec flushes denormals to 0
    std::printf("  %g is the bytes %02x %02x %02x %02x\n", v[0], b[0], b[1], b[2], b[3]);
    lesson::check("fp32 packed into RGBA8 bytes, every bit", unpacked, normal, 0.0);
    return lesson::finish();
} catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 2;
}
