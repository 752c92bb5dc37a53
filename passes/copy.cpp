// passes/copy.cpp — y <- x (glsl/copy.frag): moves a tensor between layouts; the rgba8 codec check uses it.
#include "passes/ops.h"

namespace gpt2gl {

void copy(Engine& e, const Tensor& x, int rows, Tensor& y) {
    e.run(Pass("copy").in("X", x).out(y, 0, rows, 0, y.cols()));
}

}  // namespace gpt2gl
