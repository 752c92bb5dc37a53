// passes/layernorm.cpp — row layer norm (glsl/layernorm.frag), its moments per chunk first where the engine keeps
// row statistics (glsl/ln_stats.frag).
#include <cmath>

#include "passes/ops.h"

namespace gpt2gl {

RowChunks::RowChunks(int n4) : chunk4(int(std::ceil(std::sqrt(double(n4))))), chunks((n4 + chunk4 - 1) / chunk4) {}

Tensor layernorm_stats(Engine& e, int rows, int cols) {
    if (!e.row_stats()) return Tensor();
    return e.tensor("ln.stats", rows, 4 * RowChunks((cols + 3) / 4).chunks);
}

void layernorm_row_stats(Engine& e, const Tensor& x, int rows, Tensor& stats) {
    const RowChunks rc((x.cols() + 3) / 4);
    if (!stats || stats.rows() < rows || stats.cols() != 4 * rc.chunks)
        throw gl::Error("layernorm: " + stats.name() + " is not layernorm_stats' shape for " + x.name());
    Pass s("ln_stats");
    s.define("CHUNK4", rc.chunk4).in("X", x);
    if (x.plain_image()) s.define("X_PLAIN");
    e.run(s.out(stats, 0, rows, 0, 4 * rc.chunks));
}

void layernorm(Engine& e, const Tensor& x, const Tensor& g, const Tensor& b, float eps, int rows, Tensor& y,
               Tensor* stats) {
    const int c4 = (x.cols() + 3) / 4;
    Pass p("layernorm");
    p.define("C4", c4).in("X", x).in("G", g).in("B", b).set("u_eps", eps);
    if (stats && *stats) {
        layernorm_row_stats(e, x, rows, *stats);
        p.define("ROW_STATS").define("CHUNKS", RowChunks(c4).chunks).in("STATS", *stats);
    }
    e.run(p.out(y, 0, rows, 0, y.cols()));
}

}  // namespace gpt2gl
