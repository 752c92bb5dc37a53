// model/weights.h — GPT-2 configuration and weights in CPU memory, loaded from a Hugging Face directory
// (config.json + model.safetensors) or an llm.c checkpoint (.bin). Matrices are stored (out, in), row-major,
// whatever the file's layout (HF Conv1D keeps (in, out) and is transposed here).
#pragma once
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "model/load_error.h"

namespace gpt2gl {

struct Gpt2Config {
    int vocab_size = 0, n_positions = 0, n_embd = 0, n_layer = 0, n_head = 0, n_inner = 0;
    float layer_norm_epsilon = 1e-5f;
    bool tied = true;  // lm_head is wte
    std::string describe() const;
};

struct LayerWeights {
    std::vector<float> ln_1_w, ln_1_b;            // (C)
    std::vector<float> c_attn_w, c_attn_b;        // (3C, C), (3C): q, k, v rows in that order
    std::vector<float> attn_proj_w, attn_proj_b;  // (C, C), (C)
    std::vector<float> ln_2_w, ln_2_b;            // (C)
    std::vector<float> c_fc_w, c_fc_b;            // (I, C), (I)
    std::vector<float> mlp_proj_w, mlp_proj_b;    // (C, I), (C)
};

struct Gpt2Weights {
    Gpt2Config cfg;
    std::vector<float> wte;  // (V, C)
    std::vector<float> wpe;  // (n_positions, C)
    std::vector<LayerWeights> layers;
    std::vector<float> ln_f_w, ln_f_b;  // (C)
    std::vector<float> lm_head;         // (V, C) when untied, else empty
    std::string source;                 // the path it came from
    long count_params() const;
};

// MODEL is a directory (config.json + model.safetensors) or a file (.safetensors beside a config.json, an llm.c .bin,
// or a minGPT .json).
// Throws LoadError naming the file and the problem. `warn` receives non-fatal findings (NaN or Inf in weights).
Gpt2Weights load_weights(const std::string& model, std::string* warn = nullptr, const Progress& progress = nullptr);
Gpt2Weights load_hf(const std::string& dir, std::string* warn = nullptr, const Progress& progress = nullptr);
Gpt2Weights load_llmc(const std::string& path, std::string* warn = nullptr);
// The parsers behind them, on bytes in memory; `path` only names the source in errors (fuzz targets use these).
Gpt2Config parse_config(const std::string& json_text, const std::string& path);
Gpt2Weights parse_llmc(std::istream& in, uint64_t size, const std::string& path, std::string* warn = nullptr);
// A minGPT state dict exported as JSON (llm-viz's gpt-nano models): {config: {n_layer, n_head, n_embd, vocab_size,
// block_size}, name: {shape, dtype: "torch.float32", data: base64 little-endian fp32}}; nn.Linear (out, in) layout.
Gpt2Weights load_mingpt_json(const std::string& path, std::string* warn = nullptr);
// The base64 fields of that format: little-endian fp32 values. Throws std::runtime_error on bad input.
std::vector<float> base64_floats(const std::string& text);

}  // namespace gpt2gl
