// lessons/03-matmul/main.cpp — y = x W + b for T = 3 rows, K = 64 inputs, N = 32 outputs: in one pass (a fragment
// per 4 outputs, looping over K), then split over K into 4 slices drawn with additive blending. Both against a CPU
// loop. Exercise: --exercise 1 (ReLU).
#include <cmath>
#include <cstdio>
#include <random>

#include "lessons/lesson.h"

static void bind(const gl::Program& p, const lesson::Target& x, const lesson::Target& w, const lesson::Target& b,
                 int K, int N, int T) {
    p.use();
    x.texture.bind(0), w.texture.bind(1), b.texture.bind(2);
    p.set_int("X", 0), p.set_int("W", 1), p.set_int("B", 2);
    p.set("X_inv", 4.0f / float(K), 1.0f / float(T));
    p.set("W_inv", 4.0f / float(N), 1.0f / float(K));
    p.set("B_inv", 4.0f / float(N), 1.0f);
}

int main(int argc, char** argv) try {
    lesson::Gpu gpu = lesson::start("Lesson 3: matrix products in one pass", argc, argv);
    const int T = 3, K = 64, N = 32;
    std::mt19937 rng(3);
    std::normal_distribution<float> d(0.0f, 1.0f);
    std::vector<float> x(T * K), w(N * K), b(N);  // w: (N, K), out x in, as a checkpoint stores it
    for (std::vector<float>* v : {&x, &w, &b})
        for (float& f : *v) f = d(rng);
    // W^T in texels: texel (n4, k) = W[4n4 .. 4n4+3, k]; as floats, row k holds W[0..N-1, k]
    std::vector<float> wt(K * N);
    for (int n = 0; n < N; ++n)
        for (int k = 0; k < K; ++k) wt[size_t(k) * N + n] = w[size_t(n) * K + k];
    lesson::Target X = lesson::float_target(gpu, K / 4, T, x.data()), Wt = lesson::float_target(gpu, N / 4, K, wt.data()),
                   B = lesson::float_target(gpu, N / 4, 1, b.data()), Y = lesson::float_target(gpu, N / 4, T),
                   Ys = lesson::float_target(gpu, N / 4, T);  // outputs: made before any input is bound (see lesson.h)

    std::vector<float> want(T * N);  // the CPU loop, in double
    for (int t = 0; t < T; ++t)
        for (int n = 0; n < N; ++n) {
            double s = b[n];
            for (int k = 0; k < K; ++k) s += double(x[size_t(t) * K + k]) * w[size_t(n) * K + k];
            want[size_t(t) * N + n] = float(lesson::exercise() == 1 ? std::max(s, 0.0) : s);
        }
    // fp32 sums of 64 products of values ~1 against the double loop: a few ulps of sums ~10, well under 1e-4
    const double tol = 1e-4;
    const std::string k4 = "#define K4 " + std::to_string(K / 4) + "\n";
    std::string src = lesson::student_source(LESSON_DIR, "matmul.frag");
    src.insert(src.find('\n', src.find("#version")) + 1, k4);  // the define goes after #version
    gl::Program one = lesson::program(src, "matmul.frag");
    bind(one, X, Wt, B, K, N, T);
    lesson::draw(one, Y, 0, 0, N / 4, T);
    std::vector<float> y = lesson::read(Y, N / 4, T);
    std::printf("y[0, 0..3] = %.5f %.5f %.5f %.5f\n", y[0], y[1], y[2], y[3]);
    lesson::check("one pass: y = x W + b", y, want, tol);
    if (lesson::exercise()) return lesson::finish();

    // Split-K: 4 slices of 16 inputs, each one draw, added onto zeros by blending (ONE, ONE).
    if (!gpu.caps.fp32.blend) {
        std::printf("  (this GPU does not blend float targets exactly: %s)\n", gpu.caps.fp32.blend_why.c_str());
        return lesson::finish();
    }
    std::string split = lesson::source(LESSON_DIR, "split.frag");
    split.insert(split.find('\n', split.find("#version")) + 1, k4);
    gl::Program slice = lesson::program(split, "split.frag");
    bind(slice, X, Wt, B, K, N, T);
    glEnable(GL_BLEND);
    glBlendFunc(GL_ONE, GL_ONE);
    for (int s = 0; s < 4; ++s) {
        slice.set("u_k4", float(s * 4), float(s * 4 + 4));
        lesson::draw(slice, Ys, 0, 0, N / 4, T);
    }
    glDisable(GL_BLEND);
    lesson::check("split over K in 4 slices, summed by blending", lesson::read(Ys, N / 4, T), want, tol);
    return lesson::finish();
} catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 2;
}
