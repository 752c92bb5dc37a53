// viewer/display.h — draws engine tensors as heatmaps with display shaders (viewer/heatmap.frag) into view textures
// that a UI shows (ImGui::Image natively, a canvas on the web), as view passes through the engine (Pass::to_view). Reads the engine's textures only, never changes what
// the engine computes, and restores the GL state it touches. The colour maps have CPU twins for tests and legends.
#pragma once
#include <glm/vec3.hpp>

#include <map>
#include <memory>
#include <string>

#include "gl/gl.h"
#include "passes/engine.h"
#include "runtime/gpt2.h"

namespace gpt2gl {

// t in [-1, 1]: blue - white - red, white at 0.
glm::vec3 diverging(float t);
// t in [0, 1]: white - dark blue (attention probabilities).
glm::vec3 sequential(float t);
constexpr float kMaskedGrey = 0.75f;  // masked attention cells
// NaN and Inf show magenta (1, 0, 1).

struct Heatmap {
    const Tensor* tensor = nullptr;
    const Tensor* minus = nullptr;      // shows tensor - minus when set
    int row0 = 0, col0 = 0, rows = 0, cols = 0;
    float scale = 1.0f;                 // colour = map(value / scale)
    bool sequential = false;            // attention probabilities: white .. blue
    bool per_row = false;               // scale each row by its largest |value| (per token)
    bool causal = false;                // keys after their query shown masked:
    int query0 = 0;                     //   row r of the region is query query0 + r, col c is key col0 + c
};

// An RGBA8 texture and its framebuffer, NEAREST-filtered, drawn at 1:1 by the UI.
class ViewTexture {
public:
    void resize(int w, int h);
    int width() const { return w_; }
    int height() const { return h_; }
    const gl::Texture& texture() const { return tex_; }
    const gl::Framebuffer& framebuffer() const { return fbo_; }

private:
    gl::Texture tex_;
    gl::Framebuffer fbo_;
    int w_ = 0, h_ = 0;
};

class Display {
public:
    explicit Display(Engine& engine) : e_(engine) {}
    void draw(const Heatmap& h, ViewTexture& target);  // fills the whole target
    // Into the default framebuffer (a web canvas), in the pixel rect (x, y, w, h), y from the bottom.
    void draw_to_screen(const Heatmap& h, int x, int y, int w, int height);
    glm::vec3 colour(const Heatmap& h, float value, float row_scale = 0) const;  // the CPU twin of one cell

private:
    void render(const Heatmap& h, const gl::Framebuffer* target, int x, int y, int w, int height);
    Engine& e_;
};

// The maps both front ends draw of a model in inspect mode:
//   a layer's attention head, queries [q0, q0 + n) x keys [k0, k0 + n), causal, in the sequential map;
Heatmap attention_map(const Gpt2& m, int layer, int head, int q0, int k0, int n);
//   the residual stream after block `layer` (part 0), or that block's attention's (1) or MLP's (2) part of it, every
//   token so far, each token scaled by its largest |value|.
Heatmap residual_map(const Gpt2& m, int layer, int part);
// The L2 norm of each of `rows` rows of a - minus (rows x cols, row-major; minus may be null): the tokens' lengths.
std::vector<float> row_norms(const std::vector<float>& a, const std::vector<float>* minus, int rows, int cols);

// The full heatmap shader as compiled for a tier and variant (lint tests use it).
std::string compose_heatmap(Tier tier, const std::string& defines);

}  // namespace gpt2gl
