// lessons/04-reductions/main.cpp — reductions in one fragment per output: a layer norm over rows of 32 channels (one
// row with a 3000 outlier, as GPT-2's residual stream has) and a softmax over rows of scores up to 100, stable and
// textbook. Exercise: --exercise 1 (RMS norm).
#include <cmath>
#include <cstdio>
#include <random>

#include "lessons/lesson.h"

static std::string with_define(std::string src, const std::string& defines) {
    return src.insert(src.find('\n', src.find("#version")) + 1, defines);
}

static std::vector<float> run(const lesson::Gpu& gpu, const std::string& src, const lesson::Target& x, int C, int T) {
    lesson::Target y = lesson::float_target(gpu, C / 4, T);  // before binding x: making a texture binds it
    gl::Program p = lesson::program(src, "lesson 4");
    p.use();
    x.texture.bind(0);
    p.set_int("X", 0);
    p.set("X_inv", 4.0f / float(C), 1.0f / float(T));
    lesson::draw(p, y, 0, 0, C / 4, T);
    return lesson::read(y, C / 4, T);
}

int main(int argc, char** argv) try {
    lesson::Gpu gpu = lesson::start("Lesson 4: reductions: layer norm and softmax", argc, argv);
    const int T = 4, C = 32;
    const std::string c4 = "#define C4 " + std::to_string(C / 4) + "\n";
    std::mt19937 rng(4);
    std::normal_distribution<float> d(0.0f, 1.0f);
    std::vector<float> x(T * C);
    for (float& v : x) v = d(rng);
    x[2 * C + 5] = 3000.0f;  // row 2: one huge channel
    lesson::Target X = lesson::float_target(gpu, C / 4, T, x.data());

    std::vector<float> want(T * C);  // the CPU: two passes in double
    for (int t = 0; t < T; ++t) {
        double mean = 0, var = 0, ms = 0;
        for (int c = 0; c < C; ++c) mean += x[t * C + c] / double(C), ms += double(x[t * C + c]) * x[t * C + c] / C;
        for (int c = 0; c < C; ++c) var += (x[t * C + c] - mean) * (x[t * C + c] - mean) / C;
        for (int c = 0; c < C; ++c)
            want[t * C + c] = float(lesson::exercise() == 1 ? x[t * C + c] / std::sqrt(ms + 1e-5)
                                                            : (x[t * C + c] - mean) / std::sqrt(var + 1e-5));
    }
    // outputs of size ~1 from fp32 sums of 32 terms: 1e-4 covers the rounding (the outlier row's too)
    std::vector<float> y = run(gpu, with_define(lesson::student_source(LESSON_DIR, "layernorm.frag"), c4), X, C, T);
    std::printf("outlier row: y[2, 5] = %.5f, y[2, 0] = %.5f\n", y[2 * C + 5], y[2 * C]);
    lesson::check(lesson::exercise() ? "RMS norm per row" : "layer norm per row, with a 3000 outlier", y, want, 1e-4);
    if (lesson::exercise()) return lesson::finish();

    std::vector<float> s(T * C), p(T * C);  // scores: row t around 30 t, up to 100
    for (int i = 0; i < T * C; ++i) s[i] = 30.0f * float(i / C) + 10.0f * d(rng);
    for (int t = 0; t < T; ++t) {
        double m = -1e300, sum = 0;
        for (int c = 0; c < C; ++c) m = std::max(m, double(s[t * C + c]));
        for (int c = 0; c < C; ++c) sum += std::exp(s[t * C + c] - m);
        for (int c = 0; c < C; ++c) p[t * C + c] = float(std::exp(s[t * C + c] - m) / sum);
    }
    lesson::Target S = lesson::float_target(gpu, C / 4, T, s.data());
    const std::string soft = lesson::source(LESSON_DIR, "softmax.frag");
    std::vector<float> stable = run(gpu, with_define(soft, c4 + "#define STABLE\n"), S, C, T);
    std::vector<float> textbook = run(gpu, with_define(soft, c4), S, C, T);
    double sum_textbook = 0, sum_stable = 0;
    for (int c = 0; c < C; ++c) sum_textbook += textbook[3 * C + c], sum_stable += stable[3 * C + c];
    std::printf("row 3 (scores near 90): the textbook softmax's probabilities sum to %g (exp overflowed), the stable "
                "one's to %.6f\n", sum_textbook, sum_stable);
    // probabilities in [0, 1] from fp32 exp and a 32-term sum: 1e-6 absolute
    lesson::check("stable softmax per row", stable, p, 1e-6);
    return lesson::finish();
} catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 2;
}
