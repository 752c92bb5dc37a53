// runtime/generator.h — the one object every front end uses (the CLI, the viewer, the web page, bench and accuracy).
// It owns, in this order: the GL context (or uses the caller's), the capability probe, the engine, the weights, the
// tokenizer, GPT-2 on the GPU and the sampler; and it holds the rules the front ends share: an empty prompt starts
// from <|endoftext|>, a prompt longer than the context is an error, generation ends at <|endoftext|> (unless told
// to go on, as llama.cpp's --ignore-eos) and when the context is full.
//
//   GeneratorOptions o;
//   o.model = "path/to/gpt2";
//   Generator g(o);                              // headless: makes its own EGL context
//   g.start(g.encode("ROMEO:"));                 // reset, prefill; logits() now hold the next token's
//   while (!g.context_full()) {                  // sample, run it through the model, return it
//       int t = g.step();
//       if (t == Generator::kEndOfText) break;
//       print(t);
//   }
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "gl/caps.h"
#include "gl/context.h"
#include "model/load_error.h"
#include "model/sampler.h"
#include "model/tokenizer.h"
#include "model/weights.h"
#include "passes/engine.h"
#include "runtime/gpt2.h"

namespace gpt2gl {

struct GeneratorOptions {
    std::string model;                            // HF dir, .safetensors, llm.c .bin, minGPT .json; "": the default
    std::shared_ptr<const Gpt2Weights> weights;   // already in memory (bench, accuracy): used instead of `model`
    EngineOptions engine;
    SamplerOptions sampling;
    int n_ctx = 0;                                // tokens of context to allocate; 0: the model's n_positions
    bool inspect = false;                         // keep every layer's attention and block outputs (viewer, page)
    bool stop_at_eot = true;                      // step() ends the text at <|endoftext|>
    Progress progress = nullptr;                  // loading progress (big models)
    bool tokenizer_optional = false;              // load a model with no tokenizer found (`info`); encode() throws
};

// The embedded default model's directory (the source tree's, else the installed copy).
std::string default_model();

class Generator {
public:
    // On `context`, which must be current and outlive this; with none, on a headless context of its own.
    // Throws gl::Error, LoadError or std::runtime_error saying what failed.
    explicit Generator(const GeneratorOptions& o, gl::Context* context = nullptr);
    ~Generator();
    Generator(const Generator&) = delete;
    Generator& operator=(const Generator&) = delete;

    // [SECTION] generating
    // The prompt's token ids. Throws if the model has no tokenizer that encodes (none, or llm.c's: it decodes only).
    std::vector<int> encode(const std::string& text) const;
    // Resets the KV cache and runs `ids` in one prefill (none: <|endoftext|>); logits() then hold the next token's.
    // Throws std::runtime_error naming both lengths if the prompt is longer than the context.
    void start(std::vector<int> ids);
    int sample();            // the next token from logits(), by the sampler
    void feed(int token);    // runs one token through the model; throws when the context is full
    // sample(), then feed() it and return it; or, when it is <|endoftext|> and the options stop there, return
    // kEndOfText and feed nothing. Throws when the context is full.
    int step();
    static constexpr int kEndOfText = -1;
    bool context_full() const { return model_->pos() >= model_->n_ctx(); }
    bool is_eot(int token) const { return token == tokenizer_.eot(); }
    // Temperature, top-k and top-p from the next sample on; the seed from the next start() (which reseeds).
    void set_sampling(const SamplerOptions& o);
    const SamplerOptions& sampling() const { return sampling_; }

    const std::vector<int>& tokens() const { return tokens_; }  // prompt and generated, in order
    int prompt_tokens() const { return n_prompt_; }
    // (V): the next token's, read back on the first call after start() or feed() (greedy decoding outside inspect
    // mode reads back only the argmax, found on the GPU: Gpt2::argmax_last)
    const std::vector<float>& logits() const;
    std::vector<float> logits_all() { return model_->logits_all(); }  // (T, V) for every token of the last forward

    // Step mode: samples the next token and records its passes (its forward and the LM head) without drawing them;
    // the caller draws them through engine().draw(), then calls finish_step() to read its logits. No passes: the
    // token was <|endoftext|> and the options stop there.
    std::vector<Pass> record_step();
    void finish_step();

    // [SECTION] what it holds
    const gl::Caps& caps() const { return caps_; }
    Engine& engine() { return *engine_; }
    const Engine& engine() const { return *engine_; }
    Gpt2& model() { return *model_; }
    const Gpt2& model() const { return *model_; }
    const Gpt2Weights& weights() const { return *weights_; }
    const Gpt2Config& config() const { return weights_->cfg; }
    const Tokenizer& tokenizer() const { return tokenizer_; }
    const std::string& model_path() const { return model_path_; }
    const std::string& warnings() const { return warnings_; }  // non-fatal findings while loading (NaN weights)

private:
    void forwarded();  // after a forward: the logits are the next token's, read back now in inspect mode

    std::unique_ptr<gl::Context> own_context_;
    gl::Caps caps_;
    std::unique_ptr<Engine> engine_;
    std::shared_ptr<const Gpt2Weights> weights_;
    Tokenizer tokenizer_;
    std::unique_ptr<Gpt2> model_;
    bool stop_at_eot_ = true;
    SamplerOptions sampling_;
    Sampler sampler_;
    std::vector<int> tokens_;
    int n_prompt_ = 0;
    mutable std::vector<float> logits_;  // read back by logits() when first asked for (logits_read_)
    mutable bool logits_read_ = false;
    std::string model_path_, warnings_;
};

}  // namespace gpt2gl
