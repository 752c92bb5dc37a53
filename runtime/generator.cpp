// runtime/generator.cpp — see generator.h.
#include "runtime/generator.h"

#include <fstream>
#include <stdexcept>

namespace gpt2gl {

std::string default_model() {
    std::ifstream f(std::string(GPT2GL_DEFAULT_MODEL) + "/config.json");
    return f ? GPT2GL_DEFAULT_MODEL : GPT2GL_INSTALLED_MODEL;
}

Generator::Generator(const GeneratorOptions& o, gl::Context* context)
    : stop_at_eot_(o.stop_at_eot), sampling_(o.sampling), sampler_(o.sampling) {
    if (!context) {
        own_context_ = gl::create_headless_context();
        context = own_context_.get();
    }
    engine_ = std::make_unique<Engine>(gl::probe_caps(context->backend()), o.engine);
    caps_ = engine_->caps();  // as the engine sees them: a GPU profile masks what the probe found
    model_path_ = o.weights ? o.weights->source : o.model.empty() ? default_model() : o.model;
    weights_ = o.weights ? o.weights
                         : std::make_shared<const Gpt2Weights>(load_weights(model_path_, &warnings_, o.progress));
    // A model in memory without a file (bench's random shapes) has GPT-2's vocabulary: GPT-2's tokenizer, if any.
    try {
        tokenizer_ = tokenizer_for(model_path_);
    } catch (const LoadError& err) {
        if (!o.weights && !o.tokenizer_optional) throw;
        if (!o.weights) warnings_ += std::string(err.what()) + "\n";
    }
    model_ = std::make_unique<Gpt2>(*engine_, *weights_, o.n_ctx, o.inspect, o.progress);
}

Generator::~Generator() = default;

std::vector<int> Generator::encode(const std::string& text) const {
    if (!tokenizer_.can_encode())
        throw std::runtime_error(model_path_ + ": no tokenizer that encodes (llm.c's tokenizer .bin decodes only); "
                                 "give token ids");
    return tokenizer_.encode(text);
}

void Generator::start(std::vector<int> ids) {
    if (ids.empty()) ids.push_back(tokenizer_.eot() >= 0 ? tokenizer_.eot() : 0);
    if (int(ids.size()) > model_->n_ctx())
        throw std::runtime_error("the prompt is " + std::to_string(ids.size()) + " tokens, longer than the " +
                                 std::to_string(model_->n_ctx()) + "-token context");
    sampler_ = Sampler(sampling_);
    model_->reset();
    tokens_ = ids;
    n_prompt_ = int(ids.size());
    model_->forward(ids.data(), int(ids.size()));
    forwarded();
}

int Generator::sample() {
    if (tokens_.empty()) throw std::runtime_error("sample before start");
    // greedy: the argmax found on the GPU, unless the logits are read back already
    if (sampling_.temperature <= 0 && !logits_read_) return model_->argmax_last();
    return sampler_.sample(logits());
}

void Generator::feed(int token) {
    if (context_full())
        throw std::runtime_error("the " + std::to_string(model_->n_ctx()) + "-token context is full");
    model_->forward(&token, 1);
    tokens_.push_back(token);
    forwarded();
}

void Generator::forwarded() {
    logits_read_ = false;
    if (model_->inspecting()) logits();  // the viewer and the page show them: a token's passes end with the LM head
}

const std::vector<float>& Generator::logits() const {
    if (!logits_read_ && !tokens_.empty()) logits_ = model_->logits_last();
    logits_read_ = true;
    return logits_;
}

int Generator::step() {
    if (context_full())
        throw std::runtime_error("the " + std::to_string(model_->n_ctx()) + "-token context is full");
    int next = sample();
    if (stop_at_eot_ && is_eot(next)) return kEndOfText;
    feed(next);
    return next;
}

void Generator::set_sampling(const SamplerOptions& o) {
    sampling_ = o;
    sampler_.set_options(o);
}

std::vector<Pass> Generator::record_step() {
    if (context_full())
        throw std::runtime_error("the " + std::to_string(model_->n_ctx()) + "-token context is full");
    logits();  // read back before this step's passes are recorded: step mode shows them, until finish_step
    int next = sample();
    if (stop_at_eot_ && is_eot(next)) return {};
    engine_->begin_recording();
    try {
        model_->forward(&next, 1);
        model_->head();
    } catch (...) {
        engine_->end_recording();
        throw;
    }
    tokens_.push_back(next);
    return engine_->end_recording();
}

void Generator::finish_step() {
    logits_ = model_->logits().download();
    logits_read_ = true;
}

}  // namespace gpt2gl
