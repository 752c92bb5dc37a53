// tests/accuracy_test.cpp — what q8 weights cost in predictions (bench/accuracy.h), on the default model and the
// held-out Shakespeare it was validated on (../shared/data; skipped without it). The per-op and per-layer
// correctness of q8 is in ops_test and model_test; here the quantization itself is held to what was measured.
#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>

#include "bench/accuracy.h"
#include "model/tokenizer.h"
#include "tests/gl_env.h"

using namespace gpt2gl;

TEST(Accuracy, Q8WeightsAgreeWithFp32) {
    std::string data = shared_data();
    if (data.empty()) GTEST_SKIP() << "../shared/data is absent";
    AccuracyOptions o;
    o.tokens = load_llmc_tokens(data + "/tinyshakespeare/tiny_shakespeare_val.bin");
    o.tokens.resize(3 * 128 + 1);  // 3 windows of 128: 384 predictions (llvmpipe's LM head over 128 rows is slow)
    o.window = 128;
    o.tiers = {"fp32"};
    o.weights = {"tier", "q8"};
    std::ostringstream out;
    nlohmann::json r = run_accuracy(std::make_shared<const Gpt2Weights>(load_weights(GPT2GL_DEFAULT_MODEL)), o, out, &test_context());
    ASSERT_EQ(r["variants"].size(), 2u) << out.str();
    const auto& fp = r["variants"][0];
    const auto& q8 = r["variants"][1];
    EXPECT_EQ(fp["top1_agreement_with_first"].get<double>(), 1.0);
    EXPECT_EQ(fp["mean_kl_from_first"].get<double>(), 0.0);
    // The model learned something: its loss is far below uniform guessing over 50257 tokens (10.8 nats).
    EXPECT_LT(fp["loss"].get<double>(), 6.0) << out.str();
    // Measured on the whole val split (README): q8 agrees with fp32 on 99.18% of top-1 predictions, loss within
    // 0.0002 nats, mean KL 7.6e-5 nats. Bounds with room for 384 predictions (one disagreement is 0.26%):
    EXPECT_GE(q8["top1_agreement_with_first"].get<double>(), 0.96) << out.str();
    EXPECT_LT(std::fabs(q8["loss"].get<double>() - fp["loss"].get<double>()), 0.01) << out.str();
    EXPECT_GT(q8["mean_kl_from_first"].get<double>(), 0.0) << "q8 changed nothing: are the weights quantized?";
    EXPECT_LT(q8["mean_kl_from_first"].get<double>(), 1e-3) << out.str();
}
