// passes/argmax.cpp — a row's largest value and its col (glsl/argmax.frag): greedy decoding's next token read back as
// one value instead of the vocabulary's logits.
#include "passes/ops.h"

namespace gpt2gl {

Tensor argmax_chunks(Engine& e, int cols) {
    if (!e.row_stats()) return Tensor();
    return e.tensor("argmax.chunks", 1, 4 * RowChunks((cols + 3) / 4).chunks);
}

void argmax(Engine& e, const Tensor& x, int row, Tensor& chunks, Tensor& out) {
    const RowChunks rc((x.cols() + 3) / 4);
    if (!chunks || chunks.cols() != 4 * rc.chunks || out.cols() < 2)
        throw gl::Error("argmax: " + chunks.name() + " and " + out.name() + " are not argmax_chunks' and (1, 2)'s "
                        "shapes for " + x.name());
    e.run(Pass("argmax").define("CHUNK4", rc.chunk4).in("X", x).set("u_row", float(row)).out(chunks, 0, 1, 0,
                                                                                             4 * rc.chunks));
    e.run(Pass("argmax").define("PAIRS").define("CHUNK4", rc.chunks).in("X", chunks).set("u_row", 0.0f)
              .out(out, 0, 1, 0, 4));
}

}  // namespace gpt2gl
