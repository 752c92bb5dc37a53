// viewer/passes_window.cpp — the render passes, for teaching: every draw of the latest token grouped by layer; a
// click shows what that pass's fragment computes, its inputs and output (shapes, textures, formats, contents), its
// time, and the op's own GLSL first (coloured; the shared prelude folded). Step mode draws the next token pass by
// pass or layer by layer, the LM head included.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "gl/shaders.h"
#include "viewer/captions.h"
#include "viewer/panels.h"
#include "viewer/widgets.h"

namespace gpt2gl {

namespace {

const ImVec4 kDim(0.62f, 0.62f, 0.66f, 1), kHot(1.0f, 0.84f, 0.35f, 1);

std::string shape_of(const Engine& e, const Tensor& t) {
    const Layout& l = t.layout();
    char b[160];
    std::snprintf(b, sizeof b, "[%d x %d] in a %d x %d %s texture", l.rows, l.cols, l.width, l.height, e.format_name(t));
    return b;
}

void step_controls(ViewerState& s) {
    if (s.pending.empty()) {
        if (ImGui::Button("Step mode: record the next token's passes")) record_next_token(s);
        return;
    }
    ImGui::TextColored(kHot, "step mode: %zu of %zu passes drawn", s.next_pass, s.pending.size());
    ImGui::SameLine();
    if (ImGui::Button("Next pass")) draw_next_pass(s);
    ImGui::SameLine();
    if (ImGui::Button("Next layer")) {
        std::string scope = s.pending[s.next_pass].scope;
        while (!s.pending.empty() && s.next_pass < s.pending.size() && s.pending[s.next_pass].scope == scope) draw_next_pass(s);
    }
    ImGui::SameLine();
    if (ImGui::Button("Finish the token")) while (!s.pending.empty()) draw_next_pass(s);
}

// The passes by scope (embed, h.0, ..., ln_f, lm_head); a click selects one.
void pass_list(ViewerState& s, bool reveal) {
    bool open = false;
    for (size_t i = 0; i < s.passes.size(); ++i) {
        const PassRecord& r = s.passes[i];
        if (i == 0 || r.scope != s.passes[i - 1].scope) {
            if (open) ImGui::TreePop();
            bool holds_selected = false;
            for (size_t j = i; j < s.passes.size() && s.passes[j].scope == r.scope; ++j) holds_selected |= int(j) == s.selected_pass;
            if (reveal && holds_selected) ImGui::SetNextItemOpen(true);
            open = ImGui::TreeNode((r.scope + "##" + std::to_string(i)).c_str());
        }
        if (!open) continue;
        char row[200];
        std::snprintf(row, sizeof row, "%3zu  %-11s -> %s##%zu", i, r.pass.op.c_str(),
                      r.pass.view ? "view" : r.pass.output->name().c_str(), i);
        if (ImGui::Selectable(row, s.selected_pass == int(i))) s.selected_pass = int(i);
        if (reveal && s.selected_pass == int(i)) ImGui::SetScrollHereY(0.3f);
    }
    if (open) ImGui::TreePop();
}

// A tensor's contents now, as a small heatmap (rows scaled by their largest |value|).
void preview(ViewerState& s, const std::string& key, const Tensor& t, int rows, float width) {
    rows = std::clamp(rows, 1, std::min(t.rows(), 256));
    int w = int(std::min(width, std::max(32.0f, float(t.cols()) * 2))), h = std::clamp(rows * 6, 8, 96);
    ViewTexture& v = s.view("pass " + key, w, h);
    Heatmap hm;
    hm.tensor = &t, hm.rows = rows, hm.cols = t.cols(), hm.per_row = true;
    s.display.draw(hm, v);
    ImGui::Image(tex_id(v), ImVec2(float(w), float(h)), ImVec2(0, 1), ImVec2(1, 0));
}

void pass_detail(ViewerState& s, const PassRecord& r, int index) {
    const Engine& e = s.g.engine();
    const Pass& p = r.pass;
    ImGui::TextColored(kHot, "pass %d: %s", index, p.op.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("in %s, %.3f ms%s", r.scope.c_str(), r.ms, s.time_passes ? "" : " to issue");
    ImGui::PushStyleColor(ImGuiCol_Text, kDim);
    ImGui::TextWrapped("%s", op_caption(p.op));
    ImGui::PopStyleColor();
    if (!p.view) {
        ImGui::Text("output %s: rows %d..%d, cols %d..%d%s", p.output->name().c_str(), p.row0, p.row1 - 1, p.col0,
                    p.col1 - 1, p.layers > 1 ? (", " + std::to_string(p.layers) + " K slices summed by blending").c_str()
                                             : p.accumulate ? ", added onto what it holds (blending)" : "");
        ImGui::TextDisabled("  %s", shape_of(e, *p.output).c_str());
        if (p.group && p.group->tensors.size() > 1)
            ImGui::Text("  and draw buffers 1..%d: %s .. %s, the same region", int(p.group->tensors.size()) - 1,
                        p.group->tensors[1].name().c_str(), p.group->tensors.back().name().c_str());
    }
    for (auto& in : p.inputs) {
        ImGui::Text("input %s = %s", in.name.c_str(), in.tensor->name().c_str());
        ImGui::TextDisabled("  %s", shape_of(e, *in.tensor).c_str());
    }
    for (auto& t : p.textures) ImGui::Text("texture %s (%d x %d)", t.name.c_str(), t.texture->width(), t.texture->height());
    if (ImGui::CollapsingHeader("textures (their contents now)")) {
        float width = ImGui::GetContentRegionAvail().x;
        if (!p.view) {
            ImGui::TextDisabled("output %s", p.output->name().c_str());
            preview(s, "out", *p.output, p.row1, width);
        }
        for (auto& in : p.inputs) {
            ImGui::TextDisabled("input %s", in.tensor->name().c_str());
            preview(s, "in " + in.name, *in.tensor, std::max(p.row1, 1), width);
        }
    }
    const std::string op_src = gl::shader_source(p.op + ".frag");
    ImGui::Text("glsl/%s.frag", p.op.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("compiled with: %s", p.defines.empty() ? "(no defines)" : "");
    if (!p.defines.empty()) {
        std::string d = p.defines;
        std::replace(d.begin(), d.end(), '\n', ' ');
        ImGui::SameLine(0, 0);
        ImGui::TextDisabled("%s", d.c_str());
    }
    ImGui::BeginChild("glsl", ImVec2(0, 0), true, ImGuiWindowFlags_HorizontalScrollbar);
    if (s.mono) ImGui::PushFont(s.mono);
    glsl_text(op_src);
    if (ImGui::CollapsingHeader("glsl/prelude.glsl (shared by every pass: precision, the rgba8 codec, tensor addressing)"))
        glsl_text(gl::shader_source("prelude.glsl"));
    if (!p.view && ImGui::CollapsingHeader("glsl/pass_main.glsl (main: this fragment's texel -> compute() -> write)"))
        glsl_text(gl::shader_source("pass_main.glsl"));
    if (s.mono) ImGui::PopFont();
    ImGui::EndChild();
    s.layout["passes"]["selected"] = {{"index", index}, {"op", p.op}, {"scope", r.scope}, {"defines", p.defines},
                                      {"glsl_first_line", op_src.substr(0, op_src.find('\n'))}};
}

}  // namespace

void passes_window(ViewerState& s) {
    ImGui::Begin("Render passes");
    ImGui::PushStyleColor(ImGuiCol_Text, kDim);
    ImGui::TextWrapped("Every draw call of the latest token, by layer. Each pass draws one full-screen quad into a "
                       "texture: its fragment shader runs once per output texel. Click a pass to see what it "
                       "computes; step mode draws the next token one pass at a time.");
    ImGui::PopStyleColor();
    ImGui::Checkbox("time each pass (glFinish after each draw)", &s.time_passes);
    step_controls(s);
    double total = 0;
    for (auto& r : s.passes) total += r.ms;
    ImGui::Text("%zu draws, %.2f ms", s.passes.size(), total);
    // open the selected pass's layer once, when it is chosen from outside the list (--show passes:N, step mode)
    const bool reveal = s.reveal_pass && s.selected_pass >= 0 && s.selected_pass < int(s.passes.size());
    if (reveal) s.reveal_pass = false;
    const float list_w = std::clamp(ImGui::GetContentRegionAvail().x * 0.32f, 200.0f, 360.0f);
    ImGui::BeginChild("list", ImVec2(list_w, 0), true);
    if (s.mono) ImGui::PushFont(s.mono);
    pass_list(s, reveal);
    if (s.mono) ImGui::PopFont();
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("detail");
    if (s.selected_pass >= 0 && s.selected_pass < int(s.passes.size()))
        pass_detail(s, s.passes[size_t(s.selected_pass)], s.selected_pass);
    else
        ImGui::TextDisabled("click a pass in the list");
    ImGui::EndChild();
    nlohmann::json scopes = nlohmann::json::array(), ops = nlohmann::json::array();
    for (auto& r : s.passes) scopes.push_back(r.scope), ops.push_back(r.pass.op);
    s.layout["passes"]["count"] = s.passes.size();
    s.layout["passes"]["scopes"] = scopes;
    s.layout["passes"]["ops"] = ops;
    s.layout["passes"]["step"] = {{"drawn", s.next_pass}, {"total", s.pending.size()}};
    ImGui::End();
}

}  // namespace gpt2gl
