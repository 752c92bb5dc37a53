// tests/generator_test.cpp — the façade every front end uses: the rules they share (an empty prompt starts from
// <|endoftext|>, a prompt longer than the context is an error naming both lengths, generation stops when the
// context is full), its tokens equal the model's own greedy tokens, and step mode through it (record the next
// token's passes, replay them, finish) equals a plain step, LM head included, on every tier.
#include <algorithm>

#include "runtime/generator.h"
#include "tests/gl_env.h"

using namespace gpt2gl;

namespace {

class GeneratorTier : public TierTest {
protected:
    std::unique_ptr<Generator> make(int n_ctx, float temperature = 0, bool stop_at_eot = true) {
        GeneratorOptions o;
        o.stop_at_eot = stop_at_eot;
        o.engine.precision = tier_name(tier());
        o.engine.max_texture_size = GetParam().max_size;
        o.n_ctx = n_ctx;
        o.sampling.temperature = temperature;
        o.engine.tune = false;  // two generators compared here would each tune their matmuls, perhaps apart
        return std::make_unique<Generator>(o, &test_context());
    }
};

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_P(GeneratorTier, PromptRulesAndTheContextLimit) {
    auto g = make(8, 0, false);
    g->start({});
    ASSERT_EQ(g->tokens(), std::vector<int>{g->tokenizer().eot()});
    EXPECT_EQ(g->prompt_tokens(), 1);
    std::vector<int> nine(9, 100);
    std::string why = error_of([&] { g->start(nine); });
    EXPECT_NE(why.find("9 tokens"), std::string::npos) << why;
    EXPECT_NE(why.find("8-token context"), std::string::npos) << why;
    g->start(g->encode("ROMEO:"));
    int n = int(g->tokens().size());
    while (!g->context_full()) g->step();
    EXPECT_EQ(int(g->tokens().size()), 8);
    EXPECT_EQ(g->prompt_tokens(), n);
    EXPECT_NE(error_of([&] { g->feed(1); }).find("context is full"), std::string::npos);
}

TEST_P(GeneratorTier, GreedyStepsAreTheModelsArgmax) {
    auto g = make(32);
    std::vector<int> prompt = g->encode("ROMEO: But soft");
    g->start(prompt);
    // the same weights through a plain Gpt2 on the same engine, greedy by hand
    Gpt2 m(g->engine(), g->weights(), 32);
    m.forward(prompt.data(), int(prompt.size()));
    for (int i = 0; i < 6; ++i) {
        auto logits = m.logits_last();
        ASSERT_EQ(logits, g->logits()) << "step " << i;
        int want = int(std::max_element(logits.begin(), logits.end()) - logits.begin());
        ASSERT_EQ(g->step(), want) << "step " << i;
        m.forward(&want, 1);
    }
}

TEST_P(GeneratorTier, StepModeEqualsAPlainStep) {
    auto plain = make(32, 0.8f, false), stepped = make(32, 0.8f, false);  // sampled, same seed: the same draws
    std::vector<int> prompt = plain->encode("ROMEO: But soft");
    plain->start(prompt);
    stepped->start(prompt);
    for (int i = 0; i < 3; ++i) {
        int want = plain->step();
        std::vector<Pass> passes = stepped->record_step();
        ASSERT_EQ(stepped->tokens().back(), want) << "step " << i;
        ASSERT_EQ(passes.back().scope, "lm_head") << "the LM head is the last pass of a step";
        for (const Pass& p : passes) stepped->engine().draw(p);
        stepped->finish_step();
        ASSERT_EQ(stepped->logits(), plain->logits()) << "step " << i;
    }
}

// Tuned (the front ends' default), step mode draws the ways the engine chose: here its first decode step is recorded,
// its matmuls tuned while recording (the trials drawn at once, not recorded); a plain step from the same prompt
// afterwards gives the same token and the same logits.
TEST_P(GeneratorTier, StepModeTunedEqualsAPlainStep) {
    GeneratorOptions o;
    o.engine.precision = tier_name(tier());
    o.engine.max_texture_size = GetParam().max_size;
    o.n_ctx = 32;
    Generator g(o, &test_context());
    ASSERT_TRUE(g.engine().options().tune);
    std::vector<int> prompt = g.encode("ROMEO: But soft");
    g.start(prompt);
    std::vector<Pass> passes = g.record_step();
    for (const Pass& p : passes) g.engine().draw(p);
    g.finish_step();
    const int stepped = g.tokens().back();
    const std::vector<float> logits = g.logits();
    g.start(prompt);
    EXPECT_EQ(g.step(), stepped);
    EXPECT_EQ(g.logits(), logits);
}

TEST_P(GeneratorTier, EndOfTextEndsTheText) {
    // Sampled at temperature 1, the default model (trained on documents joined by <|endoftext|>) ends its text
    // within a few dozen tokens of "ROMEO:" (seed 5: 9 tokens on fp32). That step returns kEndOfText and runs
    // nothing: the tokens and the logits stay as they were.
    auto g = make(512, 1.0f);
    SamplerOptions s = g->sampling();
    s.seed = 5;
    g->set_sampling(s);
    g->start(g->encode("ROMEO:"));
    for (int i = 0; i < 400; ++i) {
        std::vector<int> before = g->tokens();
        std::vector<float> logits = g->logits();
        if (g->step() != Generator::kEndOfText) continue;
        EXPECT_EQ(g->tokens(), before);
        EXPECT_EQ(g->logits(), logits);
        return;
    }
    FAIL() << "no <|endoftext|> in 400 sampled tokens";
}

INSTANTIATE_TEST_SUITE_P(Tiers, GeneratorTier,
                         ::testing::Values(TierCase{Tier::fp32, 0}, TierCase{Tier::fp16, 0}, TierCase{Tier::rgba8, 0}),
                         case_name);
