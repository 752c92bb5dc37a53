// viewer/panels.cpp — the viewer's smaller windows: prompt and sampling, the text, the logits, the residual stream,
// the tensor atlas and the capabilities.
//
// Index: [SECTION] controls  [SECTION] text  [SECTION] logits  [SECTION] residual stream  [SECTION] atlas, caps
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "viewer/panels.h"
#include "viewer/widgets.h"

namespace gpt2gl {

namespace {
const ImVec4 kDim(0.62f, 0.62f, 0.66f, 1), kWarn(1, 0.6f, 0.2f, 1), kGenerated(0.45f, 0.78f, 1.0f, 1);
const ImU32 kLabel = IM_COL32(205, 205, 212, 255);

// A caption for a student, in a dimmer colour, wrapped to the window.
void caption(const char* text) {
    ImGui::PushStyleColor(ImGuiCol_Text, kDim);
    ImGui::TextWrapped("%s", text);
    ImGui::PopStyleColor();
}
}  // namespace

// [SECTION] controls

void controls_window(ViewerState& s) {
    ImGui::Begin("Prompt and sampling");
    ImGui::InputTextMultiline("##prompt", s.prompt, sizeof s.prompt, ImVec2(-1, ImGui::GetTextLineHeight() * 4));
    if (ImGui::Button("Run prompt")) run_prompt(s);
    ImGui::SameLine();
    if (ImGui::Button(s.generating ? "Stop" : "Generate")) s.generating = !s.generating;
    ImGui::SameLine();
    if (ImGui::Button("Step one token")) step_token(s);
    ImGui::SliderFloat("temperature", &s.sampling.temperature, 0.0f, 2.0f);
    ImGui::SliderInt("top-k", &s.sampling.top_k, 0, 200);
    ImGui::SliderFloat("top-p", &s.sampling.top_p, 0.0f, 1.0f);
    int seed = int(s.sampling.seed);
    if (ImGui::InputInt("seed", &seed)) s.sampling.seed = uint64_t(seed);
    caption("Temperature, top-k and top-p apply at once (the logits window shows their effect); the seed at the "
            "next Run prompt.");
    ImGui::Separator();
    ImGui::Text("%d / %d tokens; tier %s", s.g.model().pos(), s.g.model().n_ctx(), tier_name(s.g.engine().tier()));
    if (!s.status.empty()) ImGui::TextColored(kWarn, "%s", s.status.c_str());
    ImGui::End();
}

// [SECTION] text

// The prompt and the generated text, token by token, wrapped to the window: prompt tokens plain, generated ones
// blue (click one to see the logits it was drawn from), a newline token breaks the line, <|endoftext|> a marker.
void text_window(ViewerState& s) {
    ImGui::Begin("Text");
    ImGui::TextColored(kDim, "prompt");
    ImGui::SameLine();
    ImGui::TextColored(kGenerated, "generated (click: its logits)");
    ImGui::Separator();
    ImGui::BeginChild("tokens");
    const std::vector<int>& tokens = s.g.tokens();
    float right = ImGui::GetContentRegionAvail().x, x = 0;
    int lines = 1;
    for (size_t i = 0; i < tokens.size(); ++i) {
        const std::string raw = s.g.tokenizer().token(tokens[i]);
        const bool eot = s.g.is_eot(tokens[i]), newline = raw.find('\n') != std::string::npos;
        std::string t = eot ? " <|endoftext|> " : newline ? "\xe2\x86\xb5" : raw.empty() ? "?" : token_label(raw);
        float w = ImGui::CalcTextSize(t.c_str()).x;
        if (i > 0 && x + w <= right) ImGui::SameLine(0, 0);
        else if (i > 0) x = 0, ++lines;
        const bool gen = int(i) >= s.g.prompt_tokens();
        const int step = int(i) - s.g.prompt_tokens();
        ImGui::PushID(int(i));
        ImGui::PushStyleColor(ImGuiCol_Text, eot ? kWarn : gen ? kGenerated : ImVec4(0.92f, 0.92f, 0.94f, 1));
        if (ImGui::Selectable(t.c_str(), gen && s.selected_step == step, 0, ImVec2(w, 0)) && gen)
            s.selected_step = step;
        ImGui::PopStyleColor();
        ImGui::PopID();
        x += w;
        if (newline) x = right + 1;  // the next token starts a new line
    }
    ImGui::EndChild();
    s.layout["text"] = {{"tokens", tokens.size()}, {"lines", lines}, {"width", right}};
    ImGui::End();
}

// [SECTION] logits

// The next token's (or a generated token's) most likely tokens: logit, probability after temperature with a bar,
// and whether the sampler may draw it under top-k / top-p, with its chance then. Recomputed from the logits every
// frame: moving a control changes p at once, without running the model.
void logits_window(ViewerState& s) {
    ImGui::Begin("Logits");
    const bool latest = s.selected_step < 0 || s.selected_step >= int(s.history.size());
    caption("p = softmax(logit / temperature). The sampler draws only from the kept set (top-k, then top-p), "
            "each with the chance shown.");
    std::vector<std::pair<int, float>> top;
    std::vector<float> probs;
    Sampler::Candidates kept;
    if (latest) {
        const std::vector<float>& logits = s.g.logits();
        for (int id : top_ids(logits, 20)) top.push_back({id, logits[size_t(id)]});
        probs = Sampler::probabilities(logits, s.sampling.temperature);
        kept = Sampler::candidates(logits, s.sampling);
        ImGui::Text("next token, after %d tokens; the sampler keeps %zu", s.g.model().pos(), kept.ids.size());
    } else {
        const GeneratedStep& h = s.history[size_t(s.selected_step)];
        top = h.top;
        ImGui::Text("generated token %d: '%s'", s.selected_step, token_label(s.g.tokenizer().token(h.token)).c_str());
        if (ImGui::SmallButton("show the next token's")) s.selected_step = -1;
    }
    double z = 0;  // history: p renormalized over the kept top entries
    const float t = s.sampling.temperature > 0 ? s.sampling.temperature : 1.0f;
    if (!latest)
        for (auto& e : top) z += std::exp(double(e.second - top[0].second) / t);
    nlohmann::json rows = nlohmann::json::array();
    const float em = ImGui::GetFontSize();
    if (ImGui::BeginTable("logits", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY)) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("token", ImGuiTableColumnFlags_WidthFixed, em * 5);
        ImGui::TableSetupColumn("logit", ImGuiTableColumnFlags_WidthFixed, em * 2.8f);
        ImGui::TableSetupColumn("p", ImGuiTableColumnFlags_WidthStretch);
        ImGui::TableSetupColumn("chance", ImGuiTableColumnFlags_WidthFixed, em * 3.6f);
        ImGui::TableHeadersRow();
        for (auto& [id, logit] : top) {
            double p = latest ? double(probs[size_t(id)]) : std::exp(double(logit - top[0].second) / t) / z;
            auto k = std::find(kept.ids.begin(), kept.ids.end(), id);
            double chance = k == kept.ids.end() ? 0 : kept.weights[size_t(k - kept.ids.begin())] / kept.sum;
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(token_label(s.g.tokenizer().token(id)).c_str());
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("token id %d", id);
            ImGui::TableNextColumn();
            ImGui::Text("%.2f", double(logit));
            ImGui::TableNextColumn();
            char label[32];
            std::snprintf(label, sizeof label, "%.4f", p);
            ImGui::ProgressBar(float(p), ImVec2(-1, 0), label);
            ImGui::TableNextColumn();
            if (!latest) ImGui::TextDisabled("-");
            else if (k != kept.ids.end()) ImGui::Text("%.3f", chance);
            else ImGui::TextDisabled("cut");
            rows.push_back({{"id", id}, {"logit", logit}, {"p", p}, {"kept", k != kept.ids.end()}, {"chance", chance}});
        }
        ImGui::EndTable();
    }
    s.layout["logits"] = {{"temperature", s.sampling.temperature}, {"top_k", s.sampling.top_k},
                          {"top_p", s.sampling.top_p}, {"kept", kept.ids.size()}, {"rows", rows}};
    if (!latest) ImGui::TextDisabled("p renormalized over the 20 entries kept for this token");
    ImGui::End();
}

// [SECTION] residual stream

// Tokens x channels of the residual stream after a block (or the attention's or the MLP's part of it), sized to the
// window, with token labels, a channel axis, a legend and each token's norm beside its row.
void residual_window(ViewerState& s) {
    ImGui::Begin("Residual stream");
    const Gpt2& m = s.g.model();
    const int S = m.pos(), C = s.g.config().n_embd, L = s.g.config().n_layer;
    caption("Each row is one token's vector of channels, read straight from the engine's texture. Blue negative, "
            "red positive; the bars on the right are each token's length (L2 norm): outliers stand out.");
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    ImGui::SliderInt("block", &s.res_layer, 0, L - 1);
    ImGui::SameLine();
    ImGui::RadioButton("output", &s.res_mode, 0);
    ImGui::SameLine();
    ImGui::RadioButton("attention's part", &s.res_mode, 1);
    ImGui::SameLine();
    ImGui::RadioButton("MLP's part", &s.res_mode, 2);
    ImGui::Checkbox("scale each token", &s.per_token);
    if (!s.per_token) {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
        ImGui::SliderFloat("scale", &s.res_scale, 0.01f, 50.0f, "%.2f", ImGuiSliderFlags_Logarithmic);
    }
    Heatmap hm = residual_map(m, s.res_layer, s.res_mode);
    hm.per_row = s.per_token, hm.scale = s.res_scale;

    const float line = ImGui::GetTextLineHeight();
    ImVec2 avail = ImGui::GetContentRegionAvail(), p = ImGui::GetCursorScreenPos();
    const float label_w = std::min(110.0f, avail.x * 0.2f), norm_w = std::min(70.0f, avail.x * 0.12f);
    const float legend_w = 60, axis_h = line * 2.2f;
    const float w = std::max(64.0f, avail.x - label_w - norm_w - legend_w - 12), h = std::max(32.0f, avail.y - axis_h);
    const float row_h = h / float(std::max(S, 1));
    ViewTexture& v = s.view("residual", int(w), int(h));
    s.display.draw(hm, v);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImVec2 img(p.x + label_w, p.y);
    ImGui::SetCursorScreenPos(img);
    ImGui::Image(tex_id(v), ImVec2(w, h), ImVec2(0, 1), ImVec2(1, 0));
    const bool hovered = ImGui::IsItemHovered() && S > 0;
    ImVec2 mouse = ImGui::GetMousePos();
    int hover_t = hovered ? std::clamp(int((mouse.y - img.y) / row_h), 0, S - 1) : -1;
    // token labels, every n-th when rows are thinner than a line; the hovered token's in full
    const int step = std::max(1, int(std::ceil(line / row_h)));
    const std::vector<int>& tokens = s.g.tokens();
    for (int t = 0; t < S; t += step) {
        std::string l = truncate_label(token_label(s.g.tokenizer().token(tokens[size_t(t)])), size_t(label_w / 8));
        float y = img.y + (float(t) + 0.5f) * row_h - line * 0.5f;
        dl->AddText(ImVec2(img.x - 4 - ImGui::CalcTextSize(l.c_str()).x, y), kLabel, l.c_str());
    }
    // channel axis
    int tick = 1;  // a power of two, about 8 ticks across
    while (tick * 8 < C) tick *= 2;
    for (int c = 0; c <= C; c += tick) {
        float x = img.x + w * float(c) / float(C);
        dl->AddLine(ImVec2(x, img.y + h), ImVec2(x, img.y + h + 4), kLabel);
        std::string n = std::to_string(c);
        dl->AddText(ImVec2(x - ImGui::CalcTextSize(n.c_str()).x * 0.5f, img.y + h + 4), kLabel, n.c_str());
    }
    dl->AddText(ImVec2(img.x + w * 0.5f - 30, img.y + h + 4 + line), kLabel, "channel");
    // each token's L2 norm as a bar
    const std::vector<float> norms = row_norms(s.downloaded(*hm.tensor), hm.minus ? &s.downloaded(*hm.minus) : nullptr, S, C);
    float most = S ? *std::max_element(norms.begin(), norms.end()) : 1.0f;
    float nx = img.x + w + 6;
    for (int t = 0; t < S; ++t) {
        float y0 = img.y + float(t) * row_h, y1 = img.y + float(t + 1) * row_h - (row_h > 3 ? 1 : 0);
        dl->AddRectFilled(ImVec2(nx, y0), ImVec2(nx + norm_w * norms[size_t(t)] / std::max(most, 1e-9f), y1),
                          t == hover_t ? IM_COL32(250, 220, 120, 255) : IM_COL32(150, 160, 185, 255));
    }
    char top[32];
    std::snprintf(top, sizeof top, "%.3g", double(most));
    dl->AddText(ImVec2(nx, img.y + h + 4 + line), kLabel, "norm");
    colour_bar(dl, ImVec2(nx + norm_w + 8, img.y), ImVec2(12, std::min(h, 160.0f)), false,
               s.per_token ? "+max" : "+" + std::to_string(s.res_scale).substr(0, 4), "0",
               s.per_token ? "-max" : "-" + std::to_string(s.res_scale).substr(0, 4));
    if (hovered) {
        int ch = std::clamp(int((mouse.x - img.x) / w * float(C)), 0, C - 1);
        float val = hm.tensor->read(hover_t, ch) - (hm.minus ? hm.minus->read(hover_t, ch) : 0.0f);
        ImGui::SetTooltip("token %d '%s', channel %d: %.5f\nthis token's norm: %.4f", hover_t,
                          token_label(s.g.tokenizer().token(tokens[size_t(hover_t)])).c_str(), ch, double(val),
                          double(norms[size_t(hover_t)]));
    }
    s.layout["residual"] = {{"block", s.res_layer}, {"mode", s.res_mode}, {"tokens", S}, {"row_h", row_h},
                            {"image", {img.x, img.y, w, h}}, {"label_step", step}, {"norms", norms}};
    ImGui::End();
}

// [SECTION] atlas, caps

// Every tensor of the latest forward, rows in use only, each row scaled by its largest |value|; probabilities in
// the sequential map.
void atlas_window(ViewerState& s) {
    ImGui::Begin("Tensor atlas");
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    ImGui::SliderFloat("zoom", &s.atlas_zoom, 0.25f, 4.0f, "%.2f");
    ImGui::SameLine();
    ImGui::TextDisabled("every tensor of the latest forward; rows scaled by their largest |value|; magenta: NaN/Inf");
    ImGui::BeginChild("canvas", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    const Gpt2& m = s.g.model();
    const int S = std::max(m.pos(), 1);
    float x_left = ImGui::GetContentRegionAvail().x;
    for (auto& [name, t] : m.atlas()) {
        // rows in use: S (probabilities: head 0's S x S; logits: 1 row)
        const bool probs = name.find("probs") != std::string::npos;
        const int rows = name == "logits" ? 1 : std::min(t->rows(), S), cols = probs ? S : t->cols();
        const float k = 120.0f * s.atlas_zoom / float(std::max(rows, cols));
        const int w = std::max(4, int(float(cols) * k)), h = std::max(4, int(float(rows) * k));
        ViewTexture& v = s.view("atlas " + name, w, h);
        Heatmap hm;
        hm.tensor = t, hm.rows = rows, hm.cols = cols, hm.per_row = !probs, hm.sequential = probs, hm.causal = probs;
        s.display.draw(hm, v);
        if (x_left < float(w) + 10) x_left = ImGui::GetContentRegionAvail().x;
        else ImGui::SameLine();
        x_left -= float(w) + 10;
        ImGui::BeginGroup();
        ImGui::TextUnformatted(name.c_str());
        ImVec2 at = ImGui::GetCursorScreenPos();
        ImGui::Image(tex_id(v), ImVec2(float(w), float(h)), ImVec2(0, 1), ImVec2(1, 0));
        if (ImGui::IsItemHovered()) {
            ImVec2 mp = ImGui::GetMousePos();
            int r = std::clamp(int((mp.y - at.y) / float(h) * float(hm.rows)), 0, hm.rows - 1);
            int c = std::clamp(int((mp.x - at.x) / float(w) * float(cols)), 0, cols - 1);
            ImGui::SetTooltip("%s [%d, %d] = %.5f   (texture shape %d x %d%s)", name.c_str(), r, c,
                              double(t->read(r, c)), t->rows(), t->cols(), probs ? "; head 0 shown" : "");
        }
        ImGui::EndGroup();
    }
    ImGui::EndChild();
    ImGui::End();
}

void caps_window(ViewerState& s) {
    ImGui::Begin("Capabilities");
    const gl::Caps& c = s.g.caps();
    const Engine& e = s.g.engine();
    caption("What this GPU's OpenGL ES offers, found by rendering and reading back, and the storage tier chosen from "
            "it: fp32 float textures, fp16 half floats, rgba8 (every float packed into the 4 bytes of a colour, "
            "for GPUs that cannot render to float textures), or half (shaders computing in 16-bit floats, for GPUs "
            "without highp).");
    ImGui::Text("%s", c.backend.c_str());
    ImGui::Text("%s; GLSL %s", c.version.c_str(), c.glsl_version.c_str());
    ImGui::Text("%s (%s)", c.renderer.c_str(), c.vendor.c_str());
    ImGui::Text("max texture %d (using %d), %d texture units", c.max_texture_size, e.storage().max_size, c.max_texture_units);
    ImGui::Text("highp float %d bits, int %d bits", c.highp_float_bits, c.highp_int_bits);
    ImGui::Text("arithmetic keeps %d mantissa bits at highp, %d at mediump", c.highp_bits_computed,
                c.mediump_bits_computed);
    ImGui::TextWrapped("fp32 target: %s", c.fp32.why.c_str());
    ImGui::TextWrapped("fp16 target: %s", c.fp16.why.c_str());
    ImGui::TextWrapped("tier %s: %s", tier_name(e.tier()), e.tier_reason().c_str());
    if (!e.weights_label().empty()) ImGui::TextWrapped("weights: %s", e.weights_label().c_str());
    if (ImGui::TreeNode("extensions")) {
        for (auto& x : c.extensions) ImGui::BulletText("%s", x.c_str());
        ImGui::TreePop();
    }
    ImGui::End();
}

}  // namespace gpt2gl
