// tests/viewer_test.cpp — the viewer under Xvfb: `gpt2gl view --show WINDOW --screenshot --layout` renders after a
// fixed prompt and says what it drew where. Attention: every cell's colour is the colour map of the value read from
// the engine's texture (masked cells grey), those values equal an independent run of the model in this process, the
// axis labels are the prompt's tokens, a long prompt keeps labels on at least every 4th token, the hovered cell names
// both tokens in full. Render passes: selecting pass N shows pass N's own GLSL; step mode draws every pass of a token,
// the LM head included. Logits follow the temperature; the text wraps; a bad --show is an error.
#include <nlohmann/json.hpp>
#include <stb_image.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>

#include "gl/shaders.h"
#include "model/tokenizer.h"
#include "model/weights.h"
#include "runtime/gpt2.h"
#include "tests/gl_env.h"
#include "viewer/display.h"
#include "viewer/widgets.h"

using namespace gpt2gl;

namespace {

const std::string kSrc = GPT2GL_SOURCE_DIR;
const std::string kPrompt = "ROMEO: But soft, what light through yonder window breaks?";

struct Shot {
    std::vector<unsigned char> rgba;
    int w = 0, h = 0;
    nlohmann::json layout;
};

// Runs the viewer once under Xvfb; fails the test (not skips) without xvfb-run: setup installs it.
bool screenshot(const std::string& show, const std::string& precision, Shot* out, const std::string& extra = "",
                const std::string& prompt = kPrompt) {
    std::string png = temp_path("view.png"), json = temp_path("view.json");
    // Under the sanitizer build, GLFW's window system stack (X11, Mesa's driver, unloaded at exit) leaves a few
    // allocations LeakSanitizer cannot attribute to any module: leak checking is off for this one subprocess.
    const char* asan = std::getenv("ASAN_OPTIONS");
    std::string env = "ASAN_OPTIONS='" + std::string(asan ? asan : "") + (asan && *asan ? ":" : "") + "detect_leaks=0' ";
    std::string cmd = env + "xvfb-run -a -s '-screen 0 1024x768x24' " + std::string(GPT2GL_BINARY) + " view -p '" + prompt +
                      "' --show " + show + " --precision " + precision + " --ctx 128 --size 1024 --height 768" +
                      " --screenshot " + png + " --layout " + json + " " + extra + " > " + png + ".log 2>&1";
    if (std::system(cmd.c_str()) != 0) {
        std::ifstream log(png + ".log");
        ADD_FAILURE() << "the viewer failed: " << cmd << "\n" << log.rdbuf() << "\nHINT: apt-get install xvfb xauth";
        return false;
    }
    int n = 0;
    unsigned char* px = stbi_load(png.c_str(), &out->w, &out->h, &n, 4);
    if (!px) {
        ADD_FAILURE() << "no PNG at " << png;
        return false;
    }
    out->rgba.assign(px, px + size_t(out->w) * out->h * 4);
    stbi_image_free(px);
    out->layout = nlohmann::json::parse(std::ifstream(json));
    return true;
}

std::vector<std::string> labels_of(const std::string& prompt) {  // the prompt's tokens as the viewer labels them
    Tokenizer tok = tokenizer_for(kSrc + "/model/default");
    std::vector<std::string> out;
    for (int id : tok.encode(prompt)) out.push_back(token_label(tok.token(id)));
    return out;
}

class Viewer : public ::testing::TestWithParam<Tier> {};

TEST_P(Viewer, AttentionPanelShowsTheEnginesValues) {
    std::string why;
    Engine* e = test_engine(GetParam(), 0, &why);
    if (!e) GTEST_SKIP() << why;
    const int layer = 2, head = 1;
    Shot shot;
    // untuned, as this process's engine: tuned apart, the two could sum K in other orders
    ASSERT_TRUE(screenshot("attention:" + std::to_string(layer) + ":" + std::to_string(head), tier_name(GetParam()),
                           &shot, "--no-tune"));
    const nlohmann::json& L = shot.layout["attention"];
    ASSERT_EQ(L["layer"], layer);
    ASSERT_EQ(L["head"], head);
    EXPECT_EQ(L["tier"], tier_name(GetParam()));

    // The labels are the prompt's tokens.
    Tokenizer tok = tokenizer_for(kSrc + "/model/default");
    std::vector<int> ids = tok.encode(kPrompt);
    ASSERT_EQ(L["tokens"].get<int>(), int(ids.size()));
    EXPECT_EQ(L["labels"].get<std::vector<std::string>>(), labels_of(kPrompt));
    EXPECT_EQ(L["visible"].get<int>(), int(ids.size()));

    // The values the viewer read from its engine equal this process's own run of the model.
    Gpt2Weights w = load_weights(kSrc + "/model/default");
    Gpt2 m(*e, w, 128, true);
    m.forward(ids.data(), int(ids.size()));
    const Tensor& probs = m.probs(layer);

    // Each cell's centre pixel is the colour map of its value; masked cells are grey.
    auto img = L["image"];
    float x0 = img[0], y0 = img[1], cell = L["cell"];
    ASSERT_GE(cell, 3.0f);
    std::set<uint32_t> colours;
    int checked = 0;
    for (auto& c : L["cells"]) {
        int t = c["row"], s = c["col"];
        float v = c["value"];
        EXPECT_EQ(v, probs.read(head * 128 + t, s)) << "cell " << t << ", " << s;
        int px = int(x0 + (float(s) + 0.5f) * float(cell)), py = int(y0 + (float(t) + 0.5f) * float(cell));
        ASSERT_LT(px, shot.w);
        ASSERT_LT(py, shot.h);
        const unsigned char* p = &shot.rgba[(size_t(py) * shot.w + px) * 4];
        colours.insert(uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2]);
        glm::vec3 want = c["masked"].get<bool>() ? glm::vec3(kMaskedGrey) : sequential(v);
        for (int k = 0; k < 3; ++k)  // 8-bit colour: the shader's and the CPU's maps agree to within rounding
            EXPECT_NEAR(p[k], want[k] * 255.0f, 1.5f) << "cell " << t << ", " << s << " value " << v << " channel " << k;
        ++checked;
    }
    EXPECT_EQ(checked, int(ids.size() * ids.size()));
    EXPECT_GT(colours.size(), 8u) << "the attention matrix is (nearly) blank";
}

INSTANTIATE_TEST_SUITE_P(Tiers, Viewer, ::testing::Values(Tier::fp32, Tier::rgba8),
                         [](const ::testing::TestParamInfo<Tier>& i) { return std::string(tier_name(i.param)); });

TEST(ViewerScreens, EveryPanelRenders) {
    for (const char* show : {"residual:3", "logits", "atlas", "passes", "caps", "text", "headview:1:2"}) {
        Shot shot;
        ASSERT_TRUE(screenshot(show, "auto", &shot)) << show;
        std::set<uint32_t> colours;
        for (size_t i = 0; i < shot.rgba.size(); i += 4 * 7)
            colours.insert(uint32_t(shot.rgba[i]) << 16 | uint32_t(shot.rgba[i + 1]) << 8 | shot.rgba[i + 2]);
        EXPECT_GT(colours.size(), 20u) << show << " looks blank";
    }
}

// A 64-token prompt at 1024 x 768: labels stay on at least every 4th token on both axes; the mouse over a cell
// names both tokens in full, with the value the engine holds.
TEST(ViewerScreens, LongPromptsKeepTheirLabels) {
    std::string prompt;
    for (int i = 0; i < 8; ++i) prompt += "But soft, what light through yonder window breaks? ";
    std::vector<std::string> labels = labels_of(prompt);
    labels.resize(64);
    Tokenizer tok = tokenizer_for(kSrc + "/model/default");
    std::vector<int> ids = tok.encode(prompt);
    prompt = tok.decode(std::vector<int>(ids.begin(), ids.begin() + 64));
    ASSERT_EQ(tok.encode(prompt).size(), 64u) << "the cut prompt must tokenize to the same 64 tokens";
    Shot shot;
    ASSERT_TRUE(screenshot("attention:3:2", "auto", &shot, "", prompt));
    const nlohmann::json& L = shot.layout["attention"];
    ASSERT_EQ(L["tokens"].get<int>(), 64);
    EXPECT_EQ(L["labels"].get<std::vector<std::string>>(), labels);
    for (const char* axis : {"rows_labelled", "cols_labelled"}) {
        std::vector<int> drawn = L[axis].get<std::vector<int>>();
        ASSERT_FALSE(drawn.empty()) << axis;
        EXPECT_LE(drawn.front(), 3) << axis;
        EXPECT_GE(drawn.back(), 60) << axis;
        for (size_t i = 1; i < drawn.size(); ++i) EXPECT_LE(drawn[i] - drawn[i - 1], 4) << axis << " after token " << drawn[i - 1];
    }
    // the mouse over query 40, key 10
    float x0 = L["image"][0], y0 = L["image"][1], cell = L["cell"];
    std::string mouse = std::to_string(x0 + 10.5f * cell) + "," + std::to_string(y0 + 40.5f * cell);
    Shot hover;
    ASSERT_TRUE(screenshot("attention:3:2", "auto", &hover, "--mouse " + mouse, prompt));
    const nlohmann::json& H = hover.layout["attention"]["hover"];
    ASSERT_FALSE(H.is_null()) << "nothing hovered at " << mouse;
    EXPECT_EQ(H["row"].get<int>(), 40);
    EXPECT_EQ(H["col"].get<int>(), 10);
    EXPECT_EQ(H["row_label"].get<std::string>(), labels[40]);
    EXPECT_EQ(H["col_label"].get<std::string>(), labels[10]);
    std::string text = H["text"];
    EXPECT_NE(text.find("'" + labels[40] + "' (#40) -> key '" + labels[10] + "' (#10): p = "), std::string::npos) << text;
}

// --show passes:N selects pass N: the detail shows that pass's op and its own GLSL first.
TEST(ViewerScreens, SelectingAPassShowsItsGlsl) {
    for (int n : {3, 40}) {
        Shot shot;
        ASSERT_TRUE(screenshot("passes:" + std::to_string(n), "auto", &shot));
        const nlohmann::json& P = shot.layout["passes"];
        ASSERT_GT(P["count"].get<int>(), n);
        const nlohmann::json& sel = P["selected"];
        ASSERT_EQ(sel["index"].get<int>(), n);
        std::string op = P["ops"][size_t(n)];
        EXPECT_EQ(sel["op"].get<std::string>(), op);
        std::string src = gl::shader_source(op + ".frag");
        EXPECT_EQ(sel["glsl_first_line"].get<std::string>(), src.substr(0, src.find('\n')));
    }
}

// Step mode draws every pass a plain step draws, in the same order, the LM head last; part way, it says how far.
TEST(ViewerScreens, StepModeDrawsEveryPassOfAToken) {
    Shot plain, stepped, part;
    ASSERT_TRUE(screenshot("passes", "auto", &plain, "-n 1"));
    ASSERT_TRUE(screenshot("passes", "auto", &stepped, "--step-passes 100000"));
    ASSERT_TRUE(screenshot("passes", "auto", &part, "--step-passes 5"));
    const nlohmann::json &a = plain.layout["passes"], &b = stepped.layout["passes"];
    ASSERT_GT(a["count"].get<int>(), 10);
    EXPECT_EQ(b["count"], a["count"]);
    EXPECT_EQ(b["ops"], a["ops"]);
    EXPECT_EQ(b["scopes"], a["scopes"]);
    EXPECT_EQ(b["scopes"].back().get<std::string>(), "lm_head");
    EXPECT_EQ(part.layout["passes"]["step"]["drawn"].get<int>(), 5);
    EXPECT_EQ(part.layout["passes"]["step"]["total"], a["count"]);
}

// p is softmax(logit / temperature) of the logits on display: the ratio of two rows' p is exp(dlogit / T).
TEST(ViewerScreens, LogitsFollowTheTemperature) {
    for (float t : {0.5f, 2.0f}) {
        Shot shot;
        ASSERT_TRUE(screenshot("logits", "auto", &shot, "--temp " + std::to_string(t)));
        const nlohmann::json& rows = shot.layout["logits"]["rows"];
        ASSERT_GE(rows.size(), 5u);
        double l0 = rows[0]["logit"], l4 = rows[4]["logit"], p0 = rows[0]["p"], p4 = rows[4]["p"];
        EXPECT_NEAR(p0 / p4, std::exp((l0 - l4) / t), 1e-3 * std::exp((l0 - l4) / t)) << "temperature " << t;
    }
}

TEST(ViewerScreens, TheTextWraps) {
    Shot shot;
    ASSERT_TRUE(screenshot("text", "auto", &shot, "-n 80 --ignore-eot"));
    EXPECT_GE(shot.layout["text"]["lines"].get<int>(), 3);  // 80 tokens and the prompt, in 1024 pixels
}

TEST(ViewerScreens, ABadShowIsAnError) {
    std::string log = temp_path("show.log");
    std::string cmd = "xvfb-run -a " + std::string(GPT2GL_BINARY) + " view --show bogus --screenshot " +
                      temp_path("x.png") + " > " + log + " 2>&1";
    EXPECT_NE(std::system(cmd.c_str()), 0);
    std::ifstream f(log);
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("--show bogus: expected attention:LAYER:HEAD"), std::string::npos) << text;
    cmd = "xvfb-run -a " + std::string(GPT2GL_BINARY) + " view --show attention:99:0 --screenshot " + temp_path("y.png") +
          " > " + log + " 2>&1";
    EXPECT_NE(std::system(cmd.c_str()), 0);
}

}  // namespace
