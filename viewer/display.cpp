// viewer/display.cpp — see display.h.
#include "viewer/display.h"

#include <algorithm>
#include <cmath>

#include "gl/caps.h"
#include "gl/shaders.h"

namespace gpt2gl {

glm::vec3 diverging(float t) {
    t = std::clamp(t, -1.0f, 1.0f);
    glm::vec3 white(1.0f), blue(0.13f, 0.40f, 0.75f), red(0.80f, 0.15f, 0.15f);
    return t < 0 ? white + (blue - white) * -t : white + (red - white) * t;
}

glm::vec3 sequential(float t) {
    t = std::clamp(t, 0.0f, 1.0f);
    glm::vec3 white(1.0f), blue(0.03f, 0.19f, 0.42f);
    return white + (blue - white) * t;
}

glm::vec3 Display::colour(const Heatmap& h, float v, float row_scale) const {
    float s = h.per_row ? (row_scale > 0 ? row_scale : 1.0f) : h.scale;
    return h.sequential ? sequential(v / s) : diverging(v / s);
}

void ViewTexture::resize(int w, int h) {
    w = std::max(w, 1), h = std::max(h, 1);
    if (w == w_ && h == h_) return;
    tex_ = gl::Texture({w, h, gl::TexFormat{}, nullptr, "view"});
    fbo_ = gl::Framebuffer(tex_, "view");
    w_ = w, h_ = h;
}

Heatmap attention_map(const Gpt2& m, int layer, int head, int q0, int k0, int n) {
    Heatmap h;
    h.tensor = &m.probs(layer);
    h.row0 = head * m.n_ctx() + q0, h.col0 = k0, h.rows = n, h.cols = n;
    h.sequential = true, h.causal = true, h.query0 = q0;
    return h;
}

Heatmap residual_map(const Gpt2& m, int layer, int part) {
    Heatmap h;
    h.tensor = part == 1 ? &m.after_attention(layer) : &m.block_output(layer);
    h.minus = part == 0 ? nullptr : part == 1 ? &m.block_input(layer) : &m.after_attention(layer);
    h.rows = m.pos(), h.cols = m.config().n_embd, h.per_row = true;
    return h;
}

std::vector<float> row_norms(const std::vector<float>& a, const std::vector<float>* minus, int rows, int cols) {
    std::vector<float> norms(static_cast<size_t>(rows));
    for (int t = 0; t < rows; ++t) {
        double sum = 0;
        for (int c = 0; c < cols; ++c) {
            double x = a[size_t(t) * cols + c] - (minus ? (*minus)[size_t(t) * cols + c] : 0.0f);
            sum += x * x;
        }
        norms[size_t(t)] = float(std::sqrt(sum));
    }
    return norms;
}

std::string compose_heatmap(Tier tier, const std::string& defines) {
    return compose_fragment(tier, "heatmap", defines, true);
}

// The GL state Display::draw changes, saved and put back (the UI's renderer and the engine rely on theirs).
struct SavedState {
    GLint fbo, program, active, tex0, tex1, buffer, viewport[4];
    GLboolean blend, scissor;
    SavedState() {
        glGetIntegerv(GL_FRAMEBUFFER_BINDING, &fbo);
        glGetIntegerv(GL_CURRENT_PROGRAM, &program);
        glGetIntegerv(GL_ACTIVE_TEXTURE, &active);
        glGetIntegerv(GL_ARRAY_BUFFER_BINDING, &buffer);
        glGetIntegerv(GL_VIEWPORT, viewport);
        glActiveTexture(GL_TEXTURE0);
        glGetIntegerv(GL_TEXTURE_BINDING_2D, &tex0);
        glActiveTexture(GL_TEXTURE1);
        glGetIntegerv(GL_TEXTURE_BINDING_2D, &tex1);
        blend = glIsEnabled(GL_BLEND);
        scissor = glIsEnabled(GL_SCISSOR_TEST);
    }
    ~SavedState() {
        glBindFramebuffer(GL_FRAMEBUFFER, GLuint(fbo));
        glUseProgram(GLuint(program));
        glActiveTexture(GL_TEXTURE0);
        glBindTexture(GL_TEXTURE_2D, GLuint(tex0));
        glActiveTexture(GL_TEXTURE1);
        glBindTexture(GL_TEXTURE_2D, GLuint(tex1));
        glActiveTexture(GLenum(active));
        glBindBuffer(GL_ARRAY_BUFFER, GLuint(buffer));
        glViewport(viewport[0], viewport[1], viewport[2], viewport[3]);
        if (blend) glEnable(GL_BLEND);
        if (scissor) glEnable(GL_SCISSOR_TEST);
        gl::forget_bindings();
    }
};

void Display::draw(const Heatmap& h, ViewTexture& target) {
    render(h, &target.framebuffer(), 0, 0, target.width(), target.height());
}

void Display::draw_to_screen(const Heatmap& h, int x, int y, int w, int height) { render(h, nullptr, x, y, w, height); }

// One view pass of viewer/heatmap.frag through the engine, its GL state saved and put back around it.
void Display::render(const Heatmap& h, const gl::Framebuffer* target, int x, int y, int w, int height) {
    if (!h.tensor || h.rows <= 0 || h.cols <= 0) return;
    Pass p("heatmap");
    if (h.minus) p.define("DIFF");
    if (h.per_row) p.define("PER_ROW", (h.tensor->cols() + 3) / 4);  // vec4s a row
    p.in("A", *h.tensor);
    if (h.minus) p.in("B", *h.minus);
    p.set("u_view", float(x), float(y), float(w), float(height));
    p.set("u_region", float(h.row0), float(h.col0), float(h.rows), float(h.cols));
    p.set("u_map", h.scale, h.sequential ? 1.0f : 0.0f, h.causal ? 1.0f : 0.0f, float(h.query0));
    p.to_view(target, Rect{x, y, w, height});
    SavedState saved;
    e_.invalidate_state();  // the UI may have left scissor, blending or bindings on: the engine sets its own
    e_.draw(p);
    e_.invalidate_state();
}

}  // namespace gpt2gl
