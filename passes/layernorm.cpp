// passes/layernorm.cpp — row layer norm (glsl/layernorm.frag), its moments per chunk first where the engine keeps
// row statistics (glsl/ln_stats.frag).
#include <cmath>

#include "passes/ops.h"

namespace gpt2gl {

void layernorm(Engine& e, const Tensor& x, const Tensor& g, const Tensor& b, float eps, int rows, Tensor& y) {
    const int c4 = (x.cols() + 3) / 4;
    Pass p("layernorm");
    p.define("C4", c4).in("X", x).in("G", g).in("B", b).set("u_eps", eps);
    if (e.row_stats()) {  // chunks of ~sqrt(C4) texels: the two passes' walks about equal
        const int chunk4 = int(std::ceil(std::sqrt(double(c4)))), chunks = (c4 + chunk4 - 1) / chunk4;
        Tensor& stats = e.scratch("ln.stats", x.rows(), 4 * chunks);
        e.run(Pass("ln_stats").define("CHUNK4", chunk4).in("X", x).out(stats, 0, rows, 0, 4 * chunks));
        p.define("ROW_STATS").define("CHUNKS", chunks).in("STATS", stats);
    }
    e.run(p.out(y, 0, rows, 0, y.cols()));
}

}  // namespace gpt2gl
