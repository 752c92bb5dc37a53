// tests/viewer_test.cpp — the viewer under Xvfb: `gpt2gl view --show attention:L:H --screenshot` renders after a
// fixed prompt; the PNG is not blank, every attention cell's colour is the colour map of the value read from the
// engine's texture (masked cells grey), those values equal an independent run of the model in this process, and
// the axis labels are the prompt's tokens.
#include <nlohmann/json.hpp>
#include <stb_image.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>

#include "runtime/gpt2.h"
#include "model/tokenizer.h"
#include "model/weights.h"
#include "tests/gl_env.h"
#include "viewer/display.h"

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
bool screenshot(const std::string& show, const std::string& precision, Shot* out) {
    std::string png = temp_path("view.png"), json = temp_path("view.json");
    // Under the sanitizer build, GLFW's window system stack (X11, Mesa's driver, unloaded at exit) leaves a few
    // allocations LeakSanitizer cannot attribute to any module: leak checking is off for this one subprocess.
    const char* asan = std::getenv("ASAN_OPTIONS");
    std::string env = "ASAN_OPTIONS='" + std::string(asan ? asan : "") + (asan && *asan ? ":" : "") + "detect_leaks=0' ";
    std::string cmd = env + "xvfb-run -a -s '-screen 0 1024x768x24' " + std::string(GPT2GL_BINARY) + " view -p '" + kPrompt +
                      "' --show " + show + " --precision " + precision + " --ctx 64 --size 1024 --height 768" +
                      " --screenshot " + png + " --layout " + json + " > " + png + ".log 2>&1";
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

std::string label(const std::string& t) {  // the viewer's escaping of token text
    std::string s;
    for (char c : t) s += c == '\n' ? "\\n" : c == '\t' ? "\\t" : std::string(1, c);
    return s;
}

class Viewer : public ::testing::TestWithParam<Tier> {};

TEST_P(Viewer, AttentionPanelShowsTheEnginesValues) {
    std::string why;
    Engine* e = test_engine(GetParam(), 0, &why);
    if (!e) GTEST_SKIP() << why;
    const int layer = 2, head = 1;
    Shot shot;
    ASSERT_TRUE(screenshot("attention:" + std::to_string(layer) + ":" + std::to_string(head), tier_name(GetParam()), &shot));
    const nlohmann::json& L = shot.layout;
    ASSERT_EQ(L["layer"], layer);
    ASSERT_EQ(L["head"], head);
    EXPECT_EQ(L["tier"], tier_name(GetParam()));

    // The labels are the prompt's tokens.
    Tokenizer tok = tokenizer_for(kSrc + "/model/default");
    std::vector<int> ids = tok.encode(kPrompt);
    ASSERT_EQ(L["tokens"].get<int>(), int(ids.size()));
    std::vector<std::string> want_labels;
    for (int id : ids) want_labels.push_back(label(tok.token(id)));
    EXPECT_EQ(L["row_labels"].get<std::vector<std::string>>(), want_labels);
    EXPECT_EQ(L["col_labels"].get<std::vector<std::string>>(), want_labels);

    // The values the viewer read from its engine equal this process's own run of the model.
    Gpt2Weights w = load_weights(kSrc + "/model/default");
    Gpt2 m(*e, w, 64, true);
    m.forward(ids.data(), int(ids.size()));
    const Tensor& probs = m.probs(layer);

    // Each cell's centre pixel is the colour map of its value; masked cells are grey.
    auto img = L["image"];
    float x0 = img[0], y0 = img[1];
    int cell = L["cell"];
    ASSERT_GE(cell, 3);
    std::set<uint32_t> colours;
    int checked = 0;
    for (auto& c : L["cells"]) {
        int t = c["row"], s = c["col"];
        float v = c["value"];
        EXPECT_EQ(v, probs.read(head * 64 + t, s)) << "cell " << t << ", " << s;
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
    for (const char* show : {"residual:3", "logits", "atlas", "passes", "caps"}) {
        Shot shot;
        ASSERT_TRUE(screenshot(show, "auto", &shot)) << show;
        std::set<uint32_t> colours;
        for (size_t i = 0; i < shot.rgba.size(); i += 4 * 7)
            colours.insert(uint32_t(shot.rgba[i]) << 16 | uint32_t(shot.rgba[i + 1]) << 8 | shot.rgba[i + 2]);
        EXPECT_GT(colours.size(), 20u) << show << " looks blank";
    }
}

}  // namespace
