// tests/gl_env.cpp — see gl_env.h.
#include "tests/gl_env.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace gpt2gl {

namespace {
struct Env {
    std::unique_ptr<gl::Context> ctx;
    gl::Caps caps;
    std::map<std::pair<int, int>, std::unique_ptr<Engine>> engines;
    std::map<std::pair<int, int>, std::string> failures;
};
Env& env() {
    static Env* e = [] {
        auto* n = new Env;
        n->ctx = gl::create_headless_context();
        n->caps = gl::probe_caps(n->ctx->backend());
        return n;
    }();
    return *e;
}
}  // namespace

const gl::Caps& test_caps() { return env().caps; }
gl::Context& test_context() { return *env().ctx; }

std::string case_name(const ::testing::TestParamInfo<TierCase>& i) {
    return std::string(tier_name(i.param.tier)) + (i.param.max_size ? "_max" + std::to_string(i.param.max_size) : "");
}

void TierTest::SetUp() {
    std::string why;
    e = test_engine(GetParam().tier, GetParam().max_size, &why);
    if (!e) GTEST_SKIP() << tier_name(GetParam().tier) << " unavailable here: " << why;
}

Engine* test_engine(Tier tier, int max_size, std::string* why) {
    Env& e = env();
    auto key = std::make_pair(int(tier), max_size);
    auto it = e.engines.find(key);
    if (it != e.engines.end()) return it->second.get();
    auto f = e.failures.find(key);
    if (f == e.failures.end()) {
        try {
            EngineOptions o;
            o.precision = tier_name(tier);
            o.max_texture_size = max_size;
            o.tune = false;  // the rule's ways, the same in every run (tune_test.cpp tunes)
            return (e.engines[key] = std::make_unique<Engine>(e.caps, o)).get();
        } catch (const gl::Error& err) {
            f = e.failures.emplace(key, err.what()).first;
        }
    }
    if (why) *why = f->second;
    return nullptr;
}

std::vector<float> stored(Tier tier, const std::vector<float>& v) {
    return tier == Tier::fp16 ? round_to_half(v) : tier == Tier::half ? round_to_half2(v) : v;
}

void fill(Tensor& t, float value) {
    const Layout& l = t.layout();
    t.upload_texels(std::vector<float>(size_t(l.width) * l.height * l.texel_elems, value));
}

::testing::AssertionResult untouched_outside(const Tensor& t, int row0, int row1, int col0, int col1, float sentinel) {
    return untouched_outside(t, {{row0, row1}}, col0, col1, sentinel);
}

::testing::AssertionResult untouched_outside(const Tensor& t, const std::vector<std::pair<int, int>>& rows, int col0,
                                             int col1, float sentinel) {
    const Layout& l = t.layout();
    int per = l.texel_elems;
    std::vector<char> inside(size_t(l.width) * l.height, 0);
    for (auto& rr : rows)
        for (const Rect& r : l.rects(rr.first, rr.second, col0 / per, (col1 + per - 1) / per))
            for (int y = r.y; y < r.y + r.h; ++y)
                for (int x = r.x; x < r.x + r.w; ++x) inside[size_t(y) * l.width + x] = 1;
    std::vector<float> img = t.download_texels();
    for (int y = 0; y < l.height; ++y)
        for (int x = 0; x < l.width; ++x) {
            if (inside[size_t(y) * l.width + x]) continue;
            for (int i = 0; i < per; ++i) {
                float v = img[(size_t(y) * l.width + x) * per + i];
                if (v != sentinel)
                    return ::testing::AssertionFailure()
                           << t.name() << ": texel (" << x << ", " << y << ") outside the output region was written: "
                           << v << " instead of " << sentinel;
            }
        }
    return ::testing::AssertionSuccess();
}

std::unique_ptr<Engine> weights_engine(const TierCase& c, const std::string& weights) {
    EngineOptions o;
    o.precision = tier_name(c.tier);
    o.max_texture_size = c.max_size;
    o.weights = weights;
    o.tune = false;
    return std::make_unique<Engine>(test_caps(), o);
}

}  // namespace gpt2gl
