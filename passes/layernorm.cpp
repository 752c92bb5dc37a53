// passes/layernorm.cpp — row layer norm (glsl/layernorm.frag).
#include "passes/ops.h"

namespace gpt2gl {

void layernorm(Engine& e, const Tensor& x, const Tensor& g, const Tensor& b, float eps, int rows, Tensor& y) {
    e.run(Pass("layernorm")
              .define("C4", (x.cols() + 3) / 4)
              .in("X", x)
              .in("G", g)
              .in("B", b)
              .set("u_eps", eps)
              .out(y, 0, rows, 0, y.cols()));
}

}  // namespace gpt2gl
