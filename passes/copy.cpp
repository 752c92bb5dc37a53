// passes/copy.cpp — y[y_row0 + i] <- x[i] for i < rows (glsl/copy.frag).
#include "passes/ops.h"

namespace gpt2gl {

void copy(Engine& e, const Tensor& x, int rows, Tensor& y, int y_row0) {
    e.run(Pass("copy").in("X", x).set("u_xrow", float(-y_row0)).out(y, y_row0, y_row0 + rows, 0, y.cols()));
}

}  // namespace gpt2gl
