// passes/embed.cpp — token + position embedding (glsl/embed.frag).
#include <algorithm>
#include <vector>

#include "passes/ops.h"

namespace gpt2gl {

TokenIds::TokenIds(const Storage& st, int capacity) {
    width_ = std::max(1, std::min(capacity, st.max_size));
    if (st.tier == Tier::half) width_ = pow2_at_least(width_);  // 1 / size exact in FP16 (the limit is a power of 2)
    int height = (capacity + width_ - 1) / width_;
    if (st.tier == Tier::half) height = pow2_at_least(height);
    if (height > st.max_size) throw gl::Error("token ids: " + std::to_string(capacity) + " ids do not fit a texture");
    texture_ = gl::Texture({width_, std::max(1, height), gl::TexFormat{}, nullptr, "token ids"});
}

void TokenIds::upload(const int* ids, int n) {
    if (n > capacity()) throw gl::Error("token ids: " + std::to_string(n) + " ids over the capacity of " +
                                        std::to_string(capacity()));
    std::vector<unsigned char> bytes(size_t(capacity()) * 4, 0);
    for (int i = 0; i < n; ++i) {
        unsigned id = unsigned(ids[i]);
        bytes[4 * i + 0] = id & 255;
        bytes[4 * i + 1] = (id >> 8) & 255;
        bytes[4 * i + 2] = (id >> 16) & 255;
    }
    texture_.upload(bytes.data());
}

void embed(Engine& e, const SplitTensor& wte, const Tensor& wpe, const TokenIds& ids, int T, int pos0, Tensor& x) {
    for (size_t i = 0; i < wte.parts.size(); ++i) {
        int first = int(i) * wte.rows_per_part;
        Pass p("embed");
        if (wte.quantized()) p.define(wte.packed() ? "WTE_Q8P" : "WTE_Q8").in("WTE_SCALE", wte.scale);
        if (wte.by_rows) p.define("WTE_ROWS");
        if (wte.packed()) e.unpacking(p);
        e.run(p.in("WTE", wte.parts[i])
                  .in("WPE", wpe)
                  .tex("IDS", ids.texture())
                  .set("u_ids", float(ids.width()), 1.0f / float(ids.width()), 1.0f / float(ids.texture().height()))
                  .set("u_part", float(first / 256), float(first % 256), float(wte.part_rows(i)))
                  .set("u_pos0", float(pos0))
                  .out(x, 0, T, 0, x.cols()));
    }
}

}  // namespace gpt2gl
