// tests/util.cpp — see util.h.
#include "tests/util.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace gpt2gl {

std::string shared_data() {
    struct stat st;
    std::string p = GPT2GL_SHARED_DATA;
    return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode) ? p : "";
}

// One fresh directory per test process (mkdtemp: a stale one from an earlier run with the same pid cannot collide),
// removed with everything in it when the process exits. Leaked on purpose: the exit handler outlives statics.
static const std::string& temp_dir() {
    static const std::string* dir = [] {
        std::string t = ::testing::TempDir() + "gpt2gl_XXXXXX";
        if (!mkdtemp(t.data())) {
            std::perror(("mkdtemp " + t).c_str());
            std::abort();
        }
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(temp_dir(), ec);
        });
        return new std::string(t);
    }();
    return *dir;
}

std::string temp_path(const std::string& stem) {
    static int n = 0;
    return temp_dir() + "/" + std::to_string(n++) + "_" + stem;
}

std::vector<float> randn(size_t n, unsigned seed, float scale) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, scale);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}

double rms(const std::vector<float>& v) {
    double s = 0;
    for (float x : v) s += double(x) * x;
    return std::sqrt(s / double(std::max<size_t>(1, v.size())));
}

::testing::AssertionResult close(const std::vector<float>& got, const std::vector<float>& want, double rtol,
                                 double atol) {
    if (got.size() != want.size())
        return ::testing::AssertionFailure() << "sizes differ: " << got.size() << " vs " << want.size();
    size_t worst = 0, bad = 0;
    double worst_excess = -1, max_err = 0, sum_err2 = 0, sum_ref2 = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        double err = std::fabs(double(got[i]) - want[i]);
        if (!std::isfinite(got[i])) err = INFINITY;
        double excess = err - (atol + rtol * std::fabs(want[i]));
        if (excess > 0) ++bad;
        if (excess > worst_excess) worst_excess = excess, worst = i;
        max_err = std::max(max_err, err);
        sum_err2 += err * err;
        sum_ref2 += double(want[i]) * want[i];
    }
    std::ostringstream s;
    s << "max abs err " << max_err << ", nmse " << (sum_ref2 > 0 ? sum_err2 / sum_ref2 : sum_err2);
    if (bad == 0) return ::testing::AssertionSuccess() << s.str();
    return ::testing::AssertionFailure() << bad << " of " << got.size() << " elements off; worst [" << worst
                                         << "]: got " << got[worst] << ", want " << want[worst] << " (rtol " << rtol
                                         << ", atol " << atol << "); " << s.str();
}

std::vector<float> NumpyReference::get(const std::string& name) const {
    auto& e = index.at(name);
    size_t n = e[0].get<size_t>() * e[1].get<size_t>(), off = e[2].get<size_t>();
    return std::vector<float>(data.begin() + long(off), data.begin() + long(off + n));
}

std::string join(const std::vector<int>& ids) {
    std::string s;
    for (int id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
    return s;
}

NumpyReference run_numpy_reference(const std::string& model, const std::vector<int>& ids, int greedy, bool q8) {
    std::string out = temp_path("ref");
    const char* python = std::getenv("GPT2GL_PYTHON");
    std::string cmd = std::string(python ? python : "/usr/bin/python3") + " " + GPT2GL_SOURCE_DIR +
                      "/scripts/reference_numpy.py " + model + " --ids " + join(ids) + " --greedy " +
                      std::to_string(greedy) + " --out " + out + (q8 ? " --q8" : "");
    NumpyReference r;
    if (std::system(cmd.c_str()) != 0) {
        ADD_FAILURE() << "the NumPy reference failed: " << cmd << "\nHINT: apt-get install python3-numpy";
        return r;
    }
    r.index = nlohmann::json::parse(std::ifstream(out + ".json"));
    std::ifstream bin(out + ".bin", std::ios::binary | std::ios::ate);
    r.data.resize(size_t(bin.tellg()) / 4);
    bin.seekg(0);
    bin.read(reinterpret_cast<char*>(r.data.data()), std::streamsize(r.data.size() * 4));
    return r;
}

}  // namespace gpt2gl
