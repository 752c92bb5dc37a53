// lessons/05-attention/main.cpp — one attention head decoding 6 tokens against a KV cache in textures: each step
// appends the token's key and value as a new row of the caches (drawing into that row alone), then scores, softmax
// and the weighted sum of values, three passes, each checked against a CPU loop. Exercise: --exercise 1.
#include <cmath>
#include <cstdio>
#include <random>

#include "lessons/lesson.h"

int main(int argc, char** argv) try {
    lesson::Gpu gpu = lesson::start("Lesson 5: attention over a KV cache in textures", argc, argv);
    const int D = 8, N = 16, steps = 6;  // head size, cache positions, tokens decoded
    std::mt19937 rng(5);
    std::normal_distribution<float> d(0.0f, 1.0f);
    std::vector<std::vector<float>> q(steps), k(steps), v(steps);
    for (int t = 0; t < steps; ++t)
        for (auto* x : {&q[t], &k[t], &v[t]})
            for (int i = 0; i < D; ++i) x->push_back(d(rng));
    lesson::Target K = lesson::float_target(gpu, 2, N), V = lesson::float_target(gpu, 2, N), Q = lesson::float_target(gpu, 2, 1);
    lesson::Target S = lesson::float_target(gpu, 4, 1), P = lesson::float_target(gpu, 4, 1), Y = lesson::float_target(gpu, 2, 1);
    gl::Program append = lesson::program(lesson::source(LESSON_DIR, "append.frag"), "append.frag");
    gl::Program scores = lesson::program(lesson::student_source(LESSON_DIR, "scores.frag"), "scores.frag");
    gl::Program softmax = lesson::program(lesson::source(LESSON_DIR, "softmax.frag"), "softmax.frag");
    gl::Program values = lesson::program(lesson::source(LESSON_DIR, "values.frag"), "values.frag");

    for (int pos = 0; pos < steps; ++pos) {
        // append this token's key and value: row `pos` of each cache, the rows before it untouched
        append.use();
        for (auto [cache, row] : {std::pair{&K, &k[pos]}, std::pair{&V, &v[pos]}}) {
            append.set("u_lo", (*row)[0], (*row)[1], (*row)[2], (*row)[3]);
            append.set("u_hi", (*row)[4], (*row)[5], (*row)[6], (*row)[7]);
            lesson::draw(append, *cache, 0, pos, 2, 1);
        }
        Q.texture.upload(q[pos].data());
        scores.use();
        Q.texture.bind(0), K.texture.bind(1);
        scores.set_int("Q", 0), scores.set_int("K", 1), scores.set("u_pos", float(pos));
        lesson::draw(scores, S, 0, 0, 4, 1);
        softmax.use();
        S.texture.bind(0);
        softmax.set_int("S", 0);
        lesson::draw(softmax, P, 0, 0, 4, 1);
        values.use();
        P.texture.bind(0), V.texture.bind(1);
        values.set_int("P", 0), values.set_int("V", 1);
        lesson::draw(values, Y, 0, 0, 2, 1);

        // the CPU: the same head over keys 0..pos (exercise 1: pos-2..pos)
        std::vector<float> p(N, 0.0f), y(D, 0.0f);
        double m = -1e300, sum = 0;
        const int first = lesson::exercise() == 1 ? std::max(0, pos - 2) : 0;
        std::vector<double> sc(N);
        for (int s = first; s <= pos; ++s) {
            double dot = 0;
            for (int i = 0; i < D; ++i) dot += double(q[pos][i]) * k[s][i];
            sc[s] = dot / std::sqrt(double(D));
            m = std::max(m, sc[s]);
        }
        for (int s = first; s <= pos; ++s) sum += std::exp(sc[s] - m);
        for (int s = first; s <= pos; ++s) p[s] = float(std::exp(sc[s] - m) / sum);
        for (int s = first; s <= pos; ++s)
            for (int i = 0; i < D; ++i) y[i] += p[s] * v[s][i];
        // probabilities and outputs of size ~1 from fp32 sums of 8 and 16 terms: 1e-5
        lesson::check("step " + std::to_string(pos) + ": attention probabilities", lesson::read(P, 4, 1), p, 1e-5);
        lesson::check("step " + std::to_string(pos) + ": the head's output", lesson::read(Y, 2, 1), y, 1e-5);
    }
    return lesson::finish();
} catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 2;
}
