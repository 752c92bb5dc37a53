// model/weights.cpp — loaders for HF GPT-2 directories and llm.c checkpoints. See weights.h.
#include "model/weights.h"

#include <glm/gtc/packing.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <climits>
#include <cmath>
#include <sstream>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

#include "model/load_error.h"
#include "model/safetensors.h"

namespace gpt2gl {

std::string Gpt2Config::describe() const {
    return "vocab " + std::to_string(vocab_size) + ", context " + std::to_string(n_positions) + ", " +
           std::to_string(n_layer) + " layers, " + std::to_string(n_head) + " heads, " + std::to_string(n_embd) +
           " channels, MLP " + std::to_string(n_inner) + (tied ? ", tied head" : ", untied head");
}

long Gpt2Weights::count_params() const {
    long n = long(wte.size() + wpe.size() + ln_f_w.size() + ln_f_b.size() + lm_head.size());
    for (auto& l : layers)
        for (auto* v : {&l.ln_1_w, &l.ln_1_b, &l.c_attn_w, &l.c_attn_b, &l.attn_proj_w, &l.attn_proj_b, &l.ln_2_w,
                        &l.ln_2_b, &l.c_fc_w, &l.c_fc_b, &l.mlp_proj_w, &l.mlp_proj_b})
            n += long(v->size());
    return n;
}

static bool is_dir(const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
static bool exists(const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0;
}

static void check_config(const std::string& path, const Gpt2Config& c) {
    auto bad = [&](const std::string& what) { throw LoadError(path, what, "is this a GPT-2 config.json?"); };
    if (c.vocab_size <= 0 || c.vocab_size > 10000000) bad("vocab_size " + std::to_string(c.vocab_size) + " is absurd");
    if (c.n_positions <= 0 || c.n_positions > 1 << 20) bad("n_positions " + std::to_string(c.n_positions) + " is absurd");
    if (c.n_embd <= 0 || c.n_embd > 1 << 16) bad("n_embd " + std::to_string(c.n_embd) + " is absurd");
    if (c.n_layer <= 0 || c.n_layer > 1024) bad("n_layer " + std::to_string(c.n_layer) + " is absurd");
    if (c.n_head <= 0 || c.n_embd % c.n_head) bad("n_head " + std::to_string(c.n_head) + " does not divide n_embd " + std::to_string(c.n_embd));
    if (c.n_inner <= 0 || c.n_inner > 1 << 18) bad("n_inner " + std::to_string(c.n_inner) + " is absurd");
    if (!(c.layer_norm_epsilon > 0 && c.layer_norm_epsilon < 1)) bad("layer_norm_epsilon must be in (0, 1)");
}

static void scan_finite(const std::string& name, const std::vector<float>& v, std::string* warn) {
    if (!warn) return;
    size_t bad = 0;
    for (float x : v) bad += !std::isfinite(x);
    if (bad) *warn += "warning: " + name + " holds " + std::to_string(bad) + " NaN or Inf values\n";
}

// [SECTION] Hugging Face directory

static Gpt2Config read_config(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw LoadError(path, "cannot open the file", "a HF GPT-2 directory has config.json beside model.safetensors");
    std::stringstream s;
    s << f.rdbuf();
    return parse_config(s.str(), path);
}

Gpt2Config parse_config(const std::string& text, const std::string& path) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        throw LoadError(path, std::string("not valid JSON: ") + e.what());
    }
    if (!j.is_object()) throw LoadError(path, "not a JSON object");
    Gpt2Config c;
    try {
        auto get = [&](const char* k, const char* alt) -> int {
            if (j.contains(k) && j[k].is_number_integer()) return j[k].get<int>();
            if (alt && j.contains(alt) && j[alt].is_number_integer()) return j[alt].get<int>();
            throw LoadError(path, std::string("missing integer \"") + k + "\"");
        };
        c.vocab_size = get("vocab_size", nullptr);
        c.n_positions = get("n_positions", "n_ctx");
        c.n_embd = get("n_embd", nullptr);
        c.n_layer = get("n_layer", nullptr);
        c.n_head = get("n_head", nullptr);
        c.n_inner = j.contains("n_inner") && j["n_inner"].is_number_integer() ? j["n_inner"].get<int>() : 4 * c.n_embd;
        if (j.contains("layer_norm_epsilon")) c.layer_norm_epsilon = j["layer_norm_epsilon"].get<float>();
        if (j.contains("tie_word_embeddings")) c.tied = j["tie_word_embeddings"].get<bool>();
        if (j.contains("activation_function") && j["activation_function"] != "gelu_new" &&
            j["activation_function"] != "gelu_pytorch_tanh")
            throw LoadError(path, "activation_function " + j["activation_function"].dump() +
                                      " is not supported (gpt2gl computes gelu_new, the tanh form)");
    } catch (const nlohmann::json::exception& e) {
        throw LoadError(path, std::string("malformed config: ") + e.what());
    }
    check_config(path, c);
    return c;
}

Gpt2Weights load_hf(const std::string& dir, std::string* warn, const Progress& progress) {
    Gpt2Weights w;
    w.cfg = read_config(dir + "/config.json");
    std::string st_path = dir + "/model.safetensors";
    if (!exists(st_path))
        throw LoadError(st_path, "not found", "sharded or .bin (pickle) checkpoints are not read; save with safetensors");
    SafetensorsFile st(st_path, progress);
    w.source = dir;
    const Gpt2Config& c = w.cfg;
    const int C = c.n_embd;
    std::string prefix = st.has("transformer.wte.weight") ? "transformer." : "";
    auto read = [&](const std::string& name, std::vector<int64_t> shape) {
        std::string key = prefix + name;
        if (!st.has(key)) throw LoadError(st_path, "missing tensor " + key);
        const SafeTensor& t = st.info(key);
        if (t.shape != shape) {
            std::string got, want;
            for (auto d : t.shape) got += std::to_string(d) + ",";
            for (auto d : shape) want += std::to_string(d) + ",";
            throw LoadError(st_path, "tensor " + key + " has shape [" + got + "] but config.json implies [" + want + "]");
        }
        auto v = st.read(key);
        scan_finite(key, v, warn);
        return v;
    };
    auto transpose = [](const std::vector<float>& a, int rows, int cols) {  // (rows, cols) -> (cols, rows)
        std::vector<float> t(a.size());
        for (int r = 0; r < rows; ++r)
            for (int col = 0; col < cols; ++col) t[size_t(col) * rows + r] = a[size_t(r) * cols + col];
        return t;
    };
    w.wte = read("wte.weight", {c.vocab_size, C});
    w.wpe = read("wpe.weight", {c.n_positions, C});
    for (int l = 0; l < c.n_layer; ++l) {
        std::string p = "h." + std::to_string(l) + ".";
        LayerWeights L;
        L.ln_1_w = read(p + "ln_1.weight", {C});
        L.ln_1_b = read(p + "ln_1.bias", {C});
        L.c_attn_w = transpose(read(p + "attn.c_attn.weight", {C, 3 * C}), C, 3 * C);
        L.c_attn_b = read(p + "attn.c_attn.bias", {3 * C});
        L.attn_proj_w = transpose(read(p + "attn.c_proj.weight", {C, C}), C, C);
        L.attn_proj_b = read(p + "attn.c_proj.bias", {C});
        L.ln_2_w = read(p + "ln_2.weight", {C});
        L.ln_2_b = read(p + "ln_2.bias", {C});
        L.c_fc_w = transpose(read(p + "mlp.c_fc.weight", {C, c.n_inner}), C, c.n_inner);
        L.c_fc_b = read(p + "mlp.c_fc.bias", {c.n_inner});
        L.mlp_proj_w = transpose(read(p + "mlp.c_proj.weight", {c.n_inner, C}), c.n_inner, C);
        L.mlp_proj_b = read(p + "mlp.c_proj.bias", {C});
        w.layers.push_back(std::move(L));
    }
    w.ln_f_w = read("ln_f.weight", {C});
    w.ln_f_b = read("ln_f.bias", {C});
    if (st.has("lm_head.weight")) {
        prefix = "";
        auto head = read("lm_head.weight", {c.vocab_size, C});
        if (head != w.wte) w.lm_head = std::move(head), w.cfg.tied = false;
    } else if (!c.tied) {
        throw LoadError(st_path, "config.json says the head is untied but there is no lm_head.weight");
    }
    return w;
}

// [SECTION] llm.c checkpoint

Gpt2Weights load_llmc(const std::string& path, std::string* warn) {
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) throw LoadError(path, "cannot open the file");
    uint64_t size = uint64_t(f.tellg());
    f.seekg(0);
    return parse_llmc(f, size, path, warn);
}

Gpt2Weights parse_llmc(std::istream& f, uint64_t size, const std::string& path, std::string* warn) {
    int32_t h[256];
    if (size < sizeof h) throw LoadError(path, "too short for an llm.c header (1024 bytes)");
    f.read(reinterpret_cast<char*>(h), sizeof h);
    if (h[0] != 20240326)
        throw LoadError(path, "bad magic " + std::to_string(h[0]) + " (llm.c checkpoints start with 20240326)",
                        "is this an llm.c gpt2_*.bin checkpoint?");
    if (h[1] != 3 && h[1] != 5)
        throw LoadError(path, "version " + std::to_string(h[1]) + " is not supported (3: fp32, 5: bf16)");
    Gpt2Weights w;
    Gpt2Config& c = w.cfg;
    c.n_positions = h[2];
    c.vocab_size = h[3];
    c.n_layer = h[4];
    c.n_head = h[5];
    c.n_embd = h[6];
    c.n_inner = int(std::min<int64_t>(4 * int64_t(h[6]), INT32_MAX));  // checked with the rest below
    int Vp = h[7];
    check_config(path, c);
    if (Vp < c.vocab_size || Vp > c.vocab_size + 1024) throw LoadError(path, "padded vocab " + std::to_string(Vp) + " is absurd");
    const long C = c.n_embd, L = c.n_layer, I = c.n_inner;
    long count = Vp * C + c.n_positions * C + L * (2 * C + 3 * C * C + 3 * C + C * C + C + 2 * C + I * C + I + C * I + C) + 2 * C;
    int bytes = h[1] == 3 ? 4 : 2;
    if (size != sizeof h + uint64_t(count) * bytes)
        throw LoadError(path, "file is " + std::to_string(size) + " bytes; the header implies " +
                                  std::to_string(sizeof h + uint64_t(count) * bytes), "the file is truncated or corrupt");
    std::vector<float> all(static_cast<size_t>(count));
    if (bytes == 4) {
        f.read(reinterpret_cast<char*>(all.data()), std::streamsize(count * 4));
    } else {
        std::vector<uint16_t> raw(static_cast<size_t>(count));
        f.read(reinterpret_cast<char*>(raw.data()), std::streamsize(count * 2));
        for (size_t i = 0; i < raw.size(); ++i) {
            uint32_t b = uint32_t(raw[i]) << 16;
            std::memcpy(&all[i], &b, 4);
        }
    }
    size_t at = 0;
    auto take = [&](long n) {
        std::vector<float> v(all.begin() + long(at), all.begin() + long(at) + n);
        at += size_t(n);
        return v;
    };
    auto wte = take(Vp * C);
    w.wte.assign(wte.begin(), wte.begin() + long(c.vocab_size) * C);
    w.wpe = take(c.n_positions * C);
    w.layers.resize(size_t(L));
    // llm.c stores each parameter for all layers together: ln1w (L, C), ln1b (L, C), qkvw (L, 3C, C), ...
    for (auto& l : w.layers) l.ln_1_w = take(C);
    for (auto& l : w.layers) l.ln_1_b = take(C);
    for (auto& l : w.layers) l.c_attn_w = take(3 * C * C);
    for (auto& l : w.layers) l.c_attn_b = take(3 * C);
    for (auto& l : w.layers) l.attn_proj_w = take(C * C);
    for (auto& l : w.layers) l.attn_proj_b = take(C);
    for (auto& l : w.layers) l.ln_2_w = take(C);
    for (auto& l : w.layers) l.ln_2_b = take(C);
    for (auto& l : w.layers) l.c_fc_w = take(I * C);
    for (auto& l : w.layers) l.c_fc_b = take(I);
    for (auto& l : w.layers) l.mlp_proj_w = take(C * I);
    for (auto& l : w.layers) l.mlp_proj_b = take(C);
    w.ln_f_w = take(C);
    w.ln_f_b = take(C);
    scan_finite(path, all, warn);
    w.source = path;
    return w;
}

// [SECTION] minGPT JSON (llm-viz)

std::vector<float> base64_floats(const std::string& text) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        return c == '+' ? 62 : c == '/' ? 63 : -1;
    };
    std::vector<uint8_t> bytes;
    uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        if (c == '=') break;
        int v = value(c);
        if (v < 0) throw std::runtime_error("data is not base64");
        acc = acc << 6 | uint32_t(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes.push_back(uint8_t(acc >> bits & 0xff));
        }
    }
    if (bytes.size() % 4) throw std::runtime_error("base64 data is not a whole number of floats");
    std::vector<float> out(bytes.size() / 4);
    std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
}

Gpt2Weights load_mingpt_json(const std::string& path, std::string* warn) {
    std::ifstream f(path);
    if (!f) throw LoadError(path, "cannot open the file");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(f);
    } catch (const std::exception& e) {
        throw LoadError(path, std::string("not valid JSON: ") + e.what());
    }
    if (!j.is_object() || !j.contains("config"))
        throw LoadError(path, "no \"config\" object", "expected a minGPT state dict exported as JSON (llm-viz)");
    Gpt2Weights w;
    Gpt2Config& c = w.cfg;
    try {
        auto& k = j["config"];
        c.n_layer = k.at("n_layer").get<int>();
        c.n_head = k.at("n_head").get<int>();
        c.n_embd = k.at("n_embd").get<int>();
        c.vocab_size = k.at("vocab_size").get<int>();
        c.n_positions = k.at("block_size").get<int>();
    } catch (const nlohmann::json::exception& e) {
        throw LoadError(path, std::string("malformed config: ") + e.what());
    }
    c.n_inner = 4 * c.n_embd;
    check_config(path, c);
    const int C = c.n_embd;
    auto read = [&](const std::string& name, std::vector<int64_t> shape) {
        if (!j.contains(name)) throw LoadError(path, "missing tensor " + name);
        auto& t = j[name];
        if (!t.is_object() || t.value("dtype", "") != "torch.float32" || !t.contains("data") || !t["data"].is_string())
            throw LoadError(path, "tensor " + name + " is not {shape, dtype: torch.float32, data: base64}");
        if (t["shape"].get<std::vector<int64_t>>() != shape)
            throw LoadError(path, "tensor " + name + " has shape " + t["shape"].dump() + ", not what the config implies");
        std::vector<float> v;
        try {
            v = base64_floats(t["data"].get<std::string>());
        } catch (const std::runtime_error& e) {
            throw LoadError(path, "tensor " + name + ": " + e.what());
        }
        size_t n = 1;
        for (auto d : shape) n *= size_t(d);
        if (v.size() != n)
            throw LoadError(path, "tensor " + name + " has " + std::to_string(v.size()) + " floats for " +
                                      std::to_string(n));
        scan_finite(name, v, warn);
        return v;
    };
    w.wte = read("transformer.wte.weight", {c.vocab_size, C});
    w.wpe = read("transformer.wpe.weight", {c.n_positions, C});
    for (int l = 0; l < c.n_layer; ++l) {
        std::string p = "transformer.h." + std::to_string(l) + ".";
        LayerWeights L;  // nn.Linear: already (out, in)
        L.ln_1_w = read(p + "ln_1.weight", {C});
        L.ln_1_b = read(p + "ln_1.bias", {C});
        L.c_attn_w = read(p + "attn.c_attn.weight", {3 * C, C});
        L.c_attn_b = read(p + "attn.c_attn.bias", {3 * C});
        L.attn_proj_w = read(p + "attn.c_proj.weight", {C, C});
        L.attn_proj_b = read(p + "attn.c_proj.bias", {C});
        L.ln_2_w = read(p + "ln_2.weight", {C});
        L.ln_2_b = read(p + "ln_2.bias", {C});
        L.c_fc_w = read(p + "mlp.c_fc.weight", {c.n_inner, C});
        L.c_fc_b = read(p + "mlp.c_fc.bias", {c.n_inner});
        L.mlp_proj_w = read(p + "mlp.c_proj.weight", {C, c.n_inner});
        L.mlp_proj_b = read(p + "mlp.c_proj.bias", {C});
        w.layers.push_back(std::move(L));
    }
    w.ln_f_w = read("transformer.ln_f.weight", {C});
    w.ln_f_b = read("transformer.ln_f.bias", {C});
    w.lm_head = read("lm_head.weight", {c.vocab_size, C});  // untied, no bias
    c.tied = false;
    w.source = path;
    return w;
}

Gpt2Weights load_weights(const std::string& model, std::string* warn, const Progress& progress) {
    if (is_dir(model)) return load_hf(model, warn, progress);
    if (!exists(model)) throw LoadError(model, "no such file or directory");
    if (model.size() > 4 && model.substr(model.size() - 4) == ".bin") return load_llmc(model, warn);
    if (model.size() > 5 && model.substr(model.size() - 5) == ".json") return load_mingpt_json(model, warn);
    if (model.size() > 12 && model.substr(model.size() - 12) == ".safetensors") {
        std::string dir = model.substr(0, model.find_last_of('/') == std::string::npos ? 0 : model.find_last_of('/'));
        return load_hf(dir.empty() ? "." : dir, warn, progress);
    }
    throw LoadError(model, "not a model: expected a HF directory, a .safetensors file, an llm.c .bin or a minGPT .json");
}

}  // namespace gpt2gl
