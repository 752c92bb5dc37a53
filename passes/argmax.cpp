// passes/argmax.cpp — a row's largest value and its col (glsl/argmax.frag): greedy decoding's next token read back as
// one value instead of the vocabulary's logits. Three levels of chunks of ~cbrt(texels) each (the vocabulary's
// 12565 texels: 524 chunks of 24, then 22, then 1): short walks, each a fragment's latency.
#include <algorithm>
#include <cmath>

#include "passes/ops.h"

namespace gpt2gl {

namespace {
// Texels a chunk walks (ceil(cbrt(n4)), at least 2), and the chunks of the first two levels, for a row of n4 texels.
struct ArgmaxLevels {
    int chunk, n1, n2;
    explicit ArgmaxLevels(int n4)
        : chunk(std::max(2, int(std::ceil(std::cbrt(double(n4)) - 1e-9)))), n1((n4 + chunk - 1) / chunk),
          n2((n1 + chunk - 1) / chunk) {}
};
}  // namespace

void argmax(Engine& e, const Tensor& x, int row, Tensor& out) {
    if (!e.row_stats())
        throw gl::Error(std::string("argmax: the ") + tier_name(e.tier()) + " tier holds no col past 2048");
    if (out.cols() < 2)
        throw gl::Error("argmax: " + out.name() + " has " + std::to_string(out.cols()) + " cols, not 2");
    const ArgmaxLevels lv((x.cols() + 3) / 4);
    Tensor& level1 = e.scratch("argmax.1", 1, 4 * lv.n1);
    Tensor& level2 = e.scratch("argmax.2", 1, 4 * lv.n2);
    e.run(Pass("argmax").define("CHUNK4", lv.chunk).in("X", x).set("u_row", float(row))
              .out(level1, 0, 1, 0, 4 * lv.n1));
    e.run(Pass("argmax").define("PAIRS").define("CHUNK4", lv.chunk).in("X", level1).set("u_row", 0.0f)
              .out(level2, 0, 1, 0, 4 * lv.n2));
    e.run(Pass("argmax").define("PAIRS").define("CHUNK4", lv.n2).in("X", level2).set("u_row", 0.0f)
              .out(out, 0, 1, 0, 4));
}

}  // namespace gpt2gl
