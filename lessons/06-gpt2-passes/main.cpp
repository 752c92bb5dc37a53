// lessons/06-gpt2-passes/main.cpp — the real engine: GPT-2 (the embedded default model) as a list of passes. Runs a
// prompt through runtime/Generator, lists the passes of one token grouped by layer, shows the next token's top 5,
// and compares every logit with the plain C++ CPU reference. Exercise 1: --exercise 1 --frag YOUR/attn_scores.frag
// runs the model with your attention scores (GPT2GL_GLSL_DIR: shaders read from a folder) and checks that the logits moved.
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>

#include "lessons/lesson.h"
#include "model/reference.h"
#include "runtime/generator.h"

int main(int argc, char** argv) try {
    lesson::begin("Lesson 6: GPT-2 as a list of passes", argc, argv);
    struct Folder {  // the student's attn_scores.frag, alone in a folder the engine reads shaders from; removed at exit
        std::string dir = "/tmp/gpt2gl-lesson06-" + std::to_string(getpid());
        ~Folder() { unlink((dir + "/attn_scores.frag").c_str()), rmdir(dir.c_str()); }
    } folder;
    if (lesson::exercise() == 1) {
        mkdir(folder.dir.c_str(), 0755);
        std::ofstream(folder.dir + "/attn_scores.frag") << lesson::student_source(LESSON_DIR, "../../glsl/attn_scores.frag");
        setenv("GPT2GL_GLSL_DIR", folder.dir.c_str(), 1);
    }
    gpt2gl::GeneratorOptions o;
    o.n_ctx = 64;
    o.sampling.temperature = 0;
    gpt2gl::Generator g(o, lesson::context());
    std::vector<int> ids = g.encode("ROMEO: But soft, what light");
    g.start(ids);

    // one decode step's passes, by scope: what the viewer's and the page's pass lists show
    std::vector<std::pair<std::string, std::string>> passes;
    g.engine().observe([&](const gpt2gl::Pass& p) { passes.push_back({g.engine().scope(), p.op}); });
    int next = g.step();
    g.engine().observe(nullptr);
    std::printf("one token = %zu draws:\n", passes.size());
    for (size_t i = 0; i < passes.size();) {
        size_t j = i;
        std::string ops;
        while (j < passes.size() && passes[j].first == passes[i].first) ops += " " + passes[j++].second;
        if (passes[i].first == "h.0" || passes[i].first[0] != 'h') std::printf("  %-8s %2zu:%s\n", passes[i].first.c_str(), j - i, ops.c_str());
        else if (passes[i].first == "h.1") std::printf("  h.1 ... h.%d: the same %zu draws each\n", g.config().n_layer - 1, j - i);
        i = j;
    }
    std::printf("generated '%s'; the next token's top 5:", g.tokenizer().token(next).c_str());
    for (int id : gpt2gl::top_ids(g.logits(), 5)) std::printf(" '%s'", g.tokenizer().token(id).c_str());
    std::printf("\n");

    // the same tokens through the CPU reference: the passes compute GPT-2, logit for logit
    gpt2gl::CpuGpt2 cpu(g.weights(), 64);
    cpu.forward(ids.data(), int(ids.size()));
    std::vector<float> want = cpu.forward(&next, 1);
    double moved = 0;
    for (size_t i = 0; i < want.size(); ++i) moved = std::max(moved, double(std::fabs(g.logits()[i] - want[i])));
    std::printf("largest difference from the CPU reference's logits: %.3g\n", moved);
    if (lesson::exercise() == 1) {
        // your scores changed what the model computes: the logits move by far more than rounding (1e-4)
        lesson::check("your attention scores moved the logits by more than 0.01", {float(moved > 0.01)}, {1.0f}, 0.0);
    } else {
        // fp32 (or the exact rgba8 codec) through 7 layers against the CPU's double sums: 1e-3 of logits ~10
        lesson::check("the GPU's logits equal the CPU reference's", g.logits(), want, 1e-3);
    }
    return lesson::finish();
} catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 2;
}
