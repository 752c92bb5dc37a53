// passes/layernorm.cpp — row layer norm (glsl/layernorm.frag), its moments per chunk first where the engine keeps
// row statistics (glsl/ln_stats.frag).
#include <cmath>

#include "passes/ops.h"

namespace gpt2gl {

// Chunks of ~sqrt(C4) texels: the two passes' walks about equal.
static int chunk4_of(int c4) { return int(std::ceil(std::sqrt(double(c4)))); }

Tensor layernorm_stats(Engine& e, int rows, int cols) {
    if (!e.row_stats()) return Tensor();
    const int c4 = (cols + 3) / 4, chunk4 = chunk4_of(c4);
    return e.tensor("ln.stats", rows, 4 * ((c4 + chunk4 - 1) / chunk4));
}

void layernorm(Engine& e, const Tensor& x, const Tensor& g, const Tensor& b, float eps, int rows, Tensor& y,
               Tensor* stats) {
    const int c4 = (x.cols() + 3) / 4;
    Pass p("layernorm");
    p.define("C4", c4).in("X", x).in("G", g).in("B", b).set("u_eps", eps);
    if (stats && *stats) {
        const int chunk4 = chunk4_of(c4), chunks = (c4 + chunk4 - 1) / chunk4;
        if (stats->rows() < rows || stats->cols() != 4 * chunks)
            throw gl::Error("layernorm: " + stats->name() + " is not layernorm_stats' shape for " + x.name());
        e.run(Pass("ln_stats").define("CHUNK4", chunk4).in("X", x).out(*stats, 0, rows, 0, 4 * chunks));
        p.define("ROW_STATS").define("CHUNKS", chunks).in("STATS", *stats);
    }
    e.run(p.out(y, 0, rows, 0, y.cols()));
}

}  // namespace gpt2gl
