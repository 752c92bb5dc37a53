// tests/glsl_lint_test.cpp — every shader, as the engine composes it, validated as GLSL ES 1.00 under WebGL 1.0's
// Appendix A limits (glslangValidator with tests/webgl1.conf: constant loop bounds, no while/do loops, no dynamic
// indexing). Mesa accepts more than browsers do, so this is where such mistakes are caught. No GL needed.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <vector>

#include "gl/shaders.h"
#include "passes/engine.h"
#include "viewer/display.h"
#include "tests/gl_env.h"

using namespace gpt2gl;

namespace {

const std::string kSrc = GPT2GL_SOURCE_DIR;

bool have_validator() { return std::system("glslangValidator --version > /dev/null 2>&1") == 0; }

// Runs glslangValidator on the source; returns its exit status and fills *log.
int validate(const std::string& source, std::string* log, const std::string& stage = "frag") {
    std::string base = temp_path("lint");
    std::string frag = base + "." + stage, out = base + ".log";
    std::ofstream(frag) << source;
    std::string cmd = "glslangValidator " + kSrc + "/tests/webgl1.conf " + frag + " > " + out + " 2>&1";
    int rc = std::system(cmd.c_str());
    std::ifstream in(out);
    log->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return rc;
}

// The shape constants each op is compiled with (representative values; the rules do not depend on them).
const std::map<std::string, std::vector<std::string>> kVariants = {
    {"embed", {"", "#define WTE_Q8\n", "#define WTE_Q8P\n", "#define WTE_ROWS\n", "#define WTE_ROWS\n#define WTE_Q8\n"}},
    {"layernorm", {"#define C4 192\n", "#define C4 192\n#define ROW_STATS\n#define CHUNKS 14\n"}},
    {"ln_stats", {"#define CHUNK4 14\n", "#define CHUNK4 14\n#define X_PLAIN\n"}},
    {"softmax_stats", {"#define CHUNK4 16\n", "#define CHUNK4 16\n#define X_PLAIN\n"}},
    {"argmax", {"#define CHUNK4 24\n", "#define CHUNK4 22\n#define PAIRS\n"}},
    {"matmul", {"#define K4 192\n#define K_LAST 767\n",
                "#define K4 13\n#define K_LAST 49\n#define HAS_BIAS\n#define GELU\n#define HAS_RESIDUAL\n",
                "#define K4 768\n#define K_LAST 3071\n#define KSLICE 24\n#define HAS_BIAS\n#define GELU_X\n",  // split-K
                "#define K4 192\n#define K_LAST 767\n#define KSLICE 8\n#define W_Q8\n#define HAS_BIAS\n",  // q8
                "#define K4 192\n#define K_LAST 767\n#define X_PLAIN\n#define W_PLAIN\n",  // plain images
                "#define K4 192\n#define K_LAST 767\n#define X_PLAIN\n#define W_PLAIN\n#define W_Q8\n",
                "#define K4 192\n#define K_LAST 255\n#define K12 64\n#define W_Q8P\n#define X_PLAIN\n#define W_PLAIN\n",
                "#define K4 768\n#define K_LAST 1023\n#define K12 256\n#define KSLICE 8\n#define W_Q8P\n#define GELU_X\n",
                // prefill tiles: rows into draw buffers (fp32-family tiers only)
                "#define DRAW_BUFFERS 8\n#define TILE_ROWS 8\n#define TILE_COLS 1\n#define K4 192\n#define K_LAST 767\n"
                "#define X_PLAIN\n#define W_PLAIN\n#define HAS_BIAS\n#define GELU\n",
                "#define DRAW_BUFFERS 6\n#define TILE_ROWS 2\n#define TILE_COLS 3\n#define K4 768\n#define K_LAST 3071\n"
                "#define KSLICE 24\n#define W_Q8\n#define GELU_X\n",
                "#define DRAW_BUFFERS 8\n#define TILE_ROWS 4\n#define TILE_COLS 2\n#define K4 13\n#define K_LAST 17\n"
                "#define K12 5\n#define W_Q8P\n#define HAS_RESIDUAL\n",
                // decode's one-row tiles (tuned so), their K slices into the draw buffers for a gathering ksum
                "#define DRAW_BUFFERS 2\n#define TILE_ROWS 1\n#define TILE_COLS 2\n#define K4 192\n#define K_LAST 767\n"
                "#define K12 64\n#define W_Q8P\n#define KSLICE 4\n#define PARTIAL\n#define GELU_X\n#define HAS_BIAS\n",
                // q4p: plain images, K ragged and sliced (scales in segments), decode's one-row tiles, prefill tiles
                "#define K4 192\n#define K_LAST 127\n#define K24 32\n#define W_Q4P\n#define X_PLAIN\n#define W_PLAIN\n"
                "#define S_PLAIN\n",
                "#define K4 400\n#define K_LAST 267\n#define K24 67\n#define KSLICE 4\n#define W_Q4P\n#define X_RAGGED\n"
                "#define GELU_X\n",
                "#define DRAW_BUFFERS 4\n#define TILE_ROWS 1\n#define TILE_COLS 4\n#define K4 192\n#define K_LAST 127\n"
                "#define K24 32\n#define W_Q4P\n#define KSLICE 4\n#define PARTIAL\n#define GELU_X\n#define HAS_BIAS\n",
                "#define DRAW_BUFFERS 8\n#define TILE_ROWS 8\n#define TILE_COLS 1\n#define K4 13\n#define K_LAST 11\n"
                "#define K24 3\n#define W_Q4P\n#define X_RAGGED\n#define GELU_X\n#define HAS_RESIDUAL\n",
                "#define DRAW_BUFFERS 8\n#define TILE_ROWS 4\n#define TILE_COLS 2\n#define K4 192\n#define K_LAST 767\n"
                "#define K24 32\n#define W_Q4P\n#define X_PLAIN\n#define W_PLAIN\n#define S_PLAIN\n#define HAS_BIAS\n",
                // K slices into a scratch tensor (tiers that cannot blend), added up by ksum
                "#define K4 768\n#define K_LAST 3071\n#define KSLICE 12\n#define PARTIAL\n#define HAS_BIAS\n",
                "#define K4 192\n#define K_LAST 767\n#define KSLICE 9\n#define PARTIAL\n#define W_Q8\n",
                // weights by rows (coded tiers): q8 in a plain image, the tier's own (whole or in slices), q8 in
                // segments
                "#define K4 192\n#define W_Q8\n#define W_PLAIN\n#define HAS_BIAS\n#define W_ROWS\n",
                "#define K4 32\n#define HAS_BIAS\n#define GELU\n#define HAS_RESIDUAL\n#define W_ROWS\n",
                "#define K4 768\n#define KSLICE 12\n#define PARTIAL\n#define GELU_X\n#define W_ROWS\n",
                "#define K4 258\n#define KSLICE 9\n#define PARTIAL\n#define W_Q8\n#define HAS_RESIDUAL\n#define W_ROWS\n",
                // the rgba8 tier's one-row tiles (by rows): K slices for a gathering ksum, or whole with GELU
                "#define DRAW_BUFFERS 4\n#define TILE_ROWS 1\n#define TILE_COLS 4\n#define K4 192\n#define W_Q8\n"
                "#define W_PLAIN\n#define X_PLAIN\n#define KSLICE 6\n#define PARTIAL\n#define HAS_BIAS\n#define W_ROWS\n",
                "#define DRAW_BUFFERS 3\n#define TILE_ROWS 1\n#define TILE_COLS 3\n#define K4 768\n#define GELU_X\n"
                "#define HAS_BIAS\n#define GELU\n#define HAS_RESIDUAL\n#define W_ROWS\n"}},
    {"ksum", {"", "#define GELU\n#define HAS_RESIDUAL\n", "#define TILES 2\n#define SLICES 7\n",
              "#define TILES 8\n#define GELU\n#define SLICES 64\n",
              // decode's folded layer norms: the consumer's ksum finishes one (and GELU), the producer's writes y * g
              "#define TILES 2\n#define SLICES 20\n#define LN_FOLD\n#define CHUNKS 20\n#define GELU\n",
              "#define SLICES 32\n#define HAS_RESIDUAL\n#define X_SCALED\n#define DRAW_BUFFERS 2\n"}},
    {"untile", {"#define TILES 8\n#define TILE_ROWS 4\n", "#define TILES 3\n#define TILE_ROWS 3\n"}},
    {"attn_scores", {"#define HD4 16\n", "#define HD4 3\n",
                     "#define HD4 16\n#define HD_ALIGNED\n#define Q_PLAIN\n#define K_PLAIN\n"}},  // plain images
    {"softmax", {"#define S4 256\n", "#define S4 256\n#define ROW_STATS\n#define CHUNK4 16\n#define CHUNKS 16\n"}},
    {"attn_values", {"#define S4 256\n", "#define S4 256\n#define HD_ALIGNED\n#define SLICE4 8\n",
                     "#define S4 256\n#define HD_ALIGNED\n#define SLICE4 8\n#define SCORES\n#define CHUNK4 16\n"
                     "#define CHUNKS 16\n#define P_PLAIN\n#define V_PLAIN\n",  // plain images
                     "#define S4 256\n#define SCORES\n#define CHUNK4 16\n#define CHUNKS 16\n",
                     "#define S4 256\n#define HD_ALIGNED\n#define SLICE4 8\n#define SCORES\n#define CHUNK4 16\n"
                     "#define CHUNKS 16\n",
                     "#define S4 256\n#define SLICE4 8\n#define PARTIAL\n#define SCORES\n#define CHUNK4 16\n"
                     "#define CHUNKS 16\n"}},  // slices into a scratch tensor (tiers that cannot blend)
    {"copy", {""}},
    {"probe", {"#define ALU\n#define ITER 256\n", "#define FETCH\n#define ITER 256\n", "#define STREAM\n#define ITER 64\n",
               "#define STREAM\n#define LAYERS\n#define ITER 64\n", "#define CHAIN\n"}},
    {"heatmap", {"", "#define DIFF\n#define PER_ROW 32\n"}},  // viewer/heatmap.frag
};

// Whether the half tier compiles this variant: not the probe, and none of what it lacks (blending: split-K and context
// slices; q8 weights; row statistics between passes).
bool on_half_tier(const std::string& op, const std::string& defines) {
    if (op == "probe") return false;
    for (const char* d : {"KSLICE", "SLICE4", "Q8", "ROW_STATS", "SCORES"})
        if (defines.find(d) != std::string::npos) return false;
    return true;
}

// The source as the GPU compiles it: preprocessed (glslangValidator -E), comments gone.
std::string preprocessed(const std::string& source) {
    std::string base = temp_path("pre");
    std::ofstream(base + ".frag") << source;
    std::string cmd = "glslangValidator -E " + base + ".frag > " + base + ".out 2>&1";
    if (std::system(cmd.c_str()) != 0) return "(preprocessing failed)";
    std::ifstream in(base + ".out");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST(GlslLint, EveryShaderIsWebGL1) {
    if (!have_validator()) GTEST_FAIL() << "glslangValidator not found: apt-get install glslang-tools";
    int checked = 0;
    for (const std::string& file : gl::shader_files()) {
        if (file.size() < 5 || file.substr(file.size() - 5) != ".frag") continue;
        std::string op = file.substr(0, file.size() - 5);
        auto it = kVariants.find(op);
        ASSERT_NE(it, kVariants.end()) << "glsl/" << file << " has no lint variants in " << __FILE__;
        for (Tier tier : {Tier::fp32, Tier::rgba8, Tier::half})
            for (const std::string& defines : it->second) {
                if (tier == Tier::half && !on_half_tier(op, defines)) continue;
                const bool tiled = defines.find("DRAW_BUFFERS") != std::string::npos;
                const bool by_rows = defines.find("W_ROWS\n") != std::string::npos;
                if (tier == Tier::half && tiled) continue;                      // never tiled
                if (tier == Tier::rgba8 && tiled && !by_rows) continue;          // one-row tiles by rows only
                if (tier == Tier::fp32 && by_rows) continue;                     // coded tiers
                std::string log;
                std::string src = op == "heatmap" ? compose_heatmap(tier, defines) : compose_fragment(tier, op, defines);
                // glslang knows no GL_EXT_draw_buffers: without the line, its gl_FragData has the config's
                // MaxDrawBuffers entries and the rest is checked as written
                const std::string ext = "#extension GL_EXT_draw_buffers : require\n";
                if (src.find(ext) != std::string::npos) src.erase(src.find(ext), ext.size());
                EXPECT_EQ(validate(src, &log), 0)
                    << "glsl/" << file << " (" << tier_name(tier) << ", " << defines << "):\n" << log;
                // a GPU without fragment highp rejects the qualifier itself
                if (tier == Tier::half) {
                    EXPECT_EQ(preprocessed(src).find("highp"), std::string::npos)
                        << "glsl/" << file << " (half, " << defines << ") says highp";
                }
                ++checked;
            }
    }
    EXPECT_GE(checked, 14);
    std::string log;
    EXPECT_EQ(validate(gl::quad_vertex_source(), &log, "vert"), 0) << "glsl/quad.vert:\n" << log;
}

TEST(GlslLint, TheLimitsAreEnforced) {
    // The linter must reject what WebGL 1.0 rejects, or the test above proves nothing.
    if (!have_validator()) GTEST_FAIL() << "glslangValidator not found: apt-get install glslang-tools";
    std::string log;
    const char* head = "#version 100\nprecision highp float;\nuniform float u_n;\n";
    EXPECT_NE(validate(std::string(head) + "void main() { float s = 0.0; for (int i = 0; float(i) < u_n; i++) "
                                           "s += 1.0; gl_FragColor = vec4(s); }\n", &log), 0)
        << "a uniform loop bound passed the linter";
    EXPECT_NE(validate(std::string(head) + "void main() { float s = 0.0; while (s < u_n) s += 1.0; "
                                           "gl_FragColor = vec4(s); }\n", &log), 0)
        << "a while loop passed the linter";
    EXPECT_EQ(validate(std::string(head) + "void main() { float s = 0.0; for (int i = 0; i < 8; i++) { "
                                           "if (float(i) >= u_n) break; s += 1.0; } gl_FragColor = vec4(s); }\n", &log), 0)
        << log;
}
