// passes/matmul.cpp — x . w^T (+ bias)(gelu)(+ residual) (glsl/matmul.frag); one draw per part of w.
#include "passes/ops.h"

namespace gpt2gl {

void matmul(Engine& e, const Tensor& x, const SplitTensor& w, Tensor& y, const MatmulArgs& a) {
    if (w.cols != x.cols() || w.rows != y.cols())
        throw gl::Error("matmul " + w.name + ": shapes disagree: x [" + std::to_string(x.rows()) + ", " +
                        std::to_string(x.cols()) + "], w [" + std::to_string(w.rows) + ", " + std::to_string(w.cols) +
                        "], y [" + std::to_string(y.rows()) + ", " + std::to_string(y.cols()) + "]");
    for (size_t i = 0; i < w.parts.size(); ++i) {
        int n0 = int(i) * w.rows_per_part;
        Pass p("matmul");
        p.define("K4", (x.cols() + 3) / 4).in("X", x).in("W", w.parts[i]);
        if (a.bias) p.define("HAS_BIAS").in("BIAS", *a.bias);
        if (a.gelu) p.define("GELU");
        if (a.residual) p.define("HAS_RESIDUAL").in("RES", *a.residual);
        p.set("u_xrow", float(a.x_row0 - a.y_row0)).set("u_n0", float(n0));
        e.run(p.out(y, a.y_row0, a.y_row0 + a.rows, n0, n0 + w.parts[i].rows()));
    }
}

}  // namespace gpt2gl
