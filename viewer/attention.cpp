// viewer/attention.cpp — the attention windows: every layer and head at a glance (BertViz's model view), one head's
// softmax matrix with its tokens on both axes, zoom and pan, a legend and exact values on hover; and the head view,
// attention as lines between the tokens of one head (BertViz's head view) for short prompts.
//
// Index: [SECTION] overview  [SECTION] matrix  [SECTION] head view  [SECTION] windows
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "viewer/panels.h"
#include "viewer/widgets.h"

namespace gpt2gl {

namespace {

const ImU32 kLabel = IM_COL32(205, 205, 212, 255), kHot = IM_COL32(255, 214, 90, 255), kBack = IM_COL32(25, 25, 30, 235);
constexpr float kPi = 3.14159265f;

std::string token_text(ViewerState& s, int t) { return token_label(s.g.tokenizer().token(s.g.tokens()[size_t(t)])); }

// Text with a dark box behind it (a hovered label drawn over its neighbours).
void boxed_text(ImDrawList* dl, ImVec2 at, const std::string& t, ImU32 col) {
    ImVec2 size = ImGui::CalcTextSize(t.c_str());
    dl->AddRectFilled(ImVec2(at.x - 2, at.y - 1), ImVec2(at.x + size.x + 2, at.y + size.y + 1), kBack);
    dl->AddText(at, col, t.c_str());
}

// [SECTION] overview

// Layers down, heads across: a thumbnail of every head's whole matrix, the selected one outlined; a click selects.
void overview(ViewerState& s, float width, float height) {
    const Gpt2Config& c = s.g.config();
    const int S = s.g.model().pos();
    const float line = ImGui::GetTextLineHeight(), lab = ImGui::CalcTextSize("L00").x + 6;
    const float thumb = std::floor(std::clamp(std::min((width - lab) / float(c.n_head), (height - line * 2) / float(c.n_layer)) - 2,
                                              6.0f, 72.0f));
    ImVec2 p = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddText(p, kLabel, "all heads");
    const float top = p.y + line * 1.2f, gap = 2;
    for (int h = 0; h < c.n_head; h += std::max(1, int(std::ceil(line * 1.2f / (thumb + gap))))) {
        std::string n = "H" + std::to_string(h);
        dl->AddText(ImVec2(p.x + lab + float(h) * (thumb + gap), top - line * 0.1f), kLabel, n.c_str());
    }
    const float grid_y = top + line;
    for (int l = 0; l < c.n_layer; ++l) {
        float y = grid_y + float(l) * (thumb + gap);
        if (thumb >= line * 0.8f || l % int(std::ceil(line / (thumb + gap))) == 0)
            dl->AddText(ImVec2(p.x, y + thumb * 0.5f - line * 0.5f), kLabel, ("L" + std::to_string(l)).c_str());
        for (int h = 0; h < c.n_head; ++h) {
            ImVec2 at(p.x + lab + float(h) * (thumb + gap), y);
            ViewTexture& v = s.view("thumb " + std::to_string(l) + "." + std::to_string(h), int(thumb), int(thumb));
            s.display.draw(attention_map(s.g.model(), l, h, 0, 0, std::max(S, 1)), v);
            dl->AddImage(tex_id(v), at, ImVec2(at.x + thumb, at.y + thumb), ImVec2(0, 1), ImVec2(1, 0));
            ImGui::SetCursorScreenPos(at);
            ImGui::PushID(l * 4096 + h);
            if (ImGui::InvisibleButton("thumb", ImVec2(thumb, thumb))) s.layer = l, s.head = h;
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("layer %d, head %d: click to show", l, h);
            ImGui::PopID();
            if (l == s.layer && h == s.head)
                dl->AddRect(ImVec2(at.x - 2, at.y - 2), ImVec2(at.x + thumb + 2, at.y + thumb + 2), kHot, 0, 0, 2.5f);
        }
    }
    s.layout["overview"] = {{"thumb", thumb}, {"layers", c.n_layer}, {"heads", c.n_head},
                            {"selected", {s.layer, s.head}}, {"origin", {p.x + lab, grid_y}}};
    ImGui::SetCursorScreenPos(ImVec2(p.x, grid_y + float(c.n_layer) * (thumb + gap)));
}

// [SECTION] matrix

// The visible window of the matrix: n tokens from (row0, col0), kept inside [0, S).
struct Window {
    int n, r0, c0;
};
Window visible(ViewerState& s, int S) {
    s.zoom = std::clamp(s.zoom, 1.0f, std::max(1.0f, float(S) / 4.0f));
    int n = std::max(1, std::min(S, int(std::ceil(float(S) / s.zoom))));
    s.row0 = std::clamp(s.row0, 0.0f, float(S - n));
    s.col0 = std::clamp(s.col0, 0.0f, float(S - n));
    return {n, int(s.row0 + 0.5f), int(s.col0 + 0.5f)};
}

// The cell under the mouse: its row and column outlined and their labels in full over the others, and a tooltip
// naming both tokens with the value the engine holds (one 1x1 readback). What it showed, for --layout.
nlohmann::json matrix_hover(ViewerState& s, const Window& w, ImVec2 img, float side, float cell) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float line = ImGui::GetTextLineHeight();
    const ImVec2 m = ImGui::GetIO().MousePos;
    const int i = std::clamp(int((m.y - img.y) / cell), 0, w.n - 1), j = std::clamp(int((m.x - img.x) / cell), 0, w.n - 1);
    const int t = w.r0 + i, k = w.c0 + j;
    const std::string qt = token_text(s, t), kt = token_text(s, k);
    // crosshair on the row and the column, their labels in full over the others
    dl->AddRect(ImVec2(img.x, img.y + float(i) * cell), ImVec2(img.x + side, img.y + float(i + 1) * cell), kHot);
    dl->AddRect(ImVec2(img.x + float(j) * cell, img.y), ImVec2(img.x + float(j + 1) * cell, img.y + side), kHot);
    boxed_text(dl, ImVec2(img.x - 4 - ImGui::CalcTextSize(qt.c_str()).x, img.y + (float(i) + 0.5f) * cell - line * 0.5f), qt, kHot);
    ImVec2 at(img.x + (float(j) + 0.5f) * cell - line * 0.5f, img.y - 4);
    float len = ImGui::CalcTextSize(kt.c_str()).x;
    dl->AddRectFilled(ImVec2(at.x - 1, at.y - len - 2), ImVec2(at.x + line + 1, at.y + 1), kBack);
    text_rotated(dl, at, kHot, kt, -kPi / 2);
    char text[512];
    if (k > t) {
        std::snprintf(text, sizeof text, "query '%s' (#%d) -> key '%s' (#%d): masked, a key after its query", qt.c_str(),
                      t, kt.c_str(), k);
    } else {
        float prob = s.g.model().probs(s.layer).read(s.head * s.g.model().n_ctx() + t, k);  // one 1x1 readback
        std::snprintf(text, sizeof text, "query '%s' (#%d) -> key '%s' (#%d): p = %.6f", qt.c_str(), t, kt.c_str(), k,
                      double(prob));
    }
    ImGui::SetTooltip("%s", text);
    return {{"row", t}, {"col", k}, {"text", text}, {"row_label", qt}, {"col_label", kt}};
}

void matrix(ViewerState& s, ImVec2 avail) {
    const int S = s.g.model().pos();
    if (S == 0) return;
    const float line = ImGui::GetTextLineHeight(), em = ImGui::GetFontSize() * 0.55f;  // ~ one character
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
    ImGui::SliderFloat("zoom", &s.zoom, 1.0f, std::max(1.0f, float(S) / 4.0f), "%.1fx", ImGuiSliderFlags_Logarithmic);
    ImGui::SameLine();
    if (ImGui::SmallButton("fit")) s.zoom = 1, s.row0 = s.col0 = 0;
    ImGui::SameLine();
    ImGui::TextDisabled("wheel: zoom, drag: pan");
    Window w = visible(s, S);
    avail.y -= ImGui::GetFrameHeightWithSpacing();
    const float label_w = std::clamp(avail.x * 0.16f, 48.0f, 130.0f), legend_w = 70;
    const float side = std::floor(std::max(32.0f, std::min(avail.x - label_w - legend_w, avail.y - label_w - 4)));
    const float cell = side / float(w.n);
    ImVec2 p = ImGui::GetCursorScreenPos();
    ImVec2 img(p.x + label_w, p.y + label_w);
    ViewTexture& v = s.view("attention", int(side), int(side));
    s.display.draw(attention_map(s.g.model(), s.layer, s.head, w.r0, w.c0, w.n), v);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddImage(tex_id(v), img, ImVec2(img.x + side, img.y + side), ImVec2(0, 1), ImVec2(1, 0));
    ImGui::SetCursorScreenPos(img);
    ImGui::InvisibleButton("matrix", ImVec2(side, side));
    const bool hovered = ImGui::IsItemHovered();
    ImGuiIO& io = ImGui::GetIO();
    ImVec2 m = io.MousePos;
    if (hovered && io.MouseWheel != 0) {  // zoom about the cell under the mouse
        float fr = float(w.r0) + (m.y - img.y) / cell, fc = float(w.c0) + (m.x - img.x) / cell;
        s.zoom *= std::pow(1.25f, io.MouseWheel);
        Window z = visible(s, S);
        s.row0 = fr - (m.y - img.y) / side * float(z.n), s.col0 = fc - (m.x - img.x) / side * float(z.n);
        w = visible(s, S);
    }
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(0)) {
        s.row0 -= io.MouseDelta.y / cell, s.col0 -= io.MouseDelta.x / cell;
        w = visible(s, S);
    }

    // labels: every step-th token when cells are thinner than a line of text; the hovered ones in full
    const int step = std::max(1, int(std::ceil(line / cell)));
    const size_t chars = size_t(std::max(2.0f, (label_w - 6) / em));
    std::vector<int> rows_drawn, cols_drawn;
    for (int i = 0; i < w.n; ++i) {
        const int t = w.r0 + i, k = w.c0 + i;
        if (t % step == 0) {
            std::string l = truncate_label(token_text(s, t), chars);
            dl->AddText(ImVec2(img.x - 4 - ImGui::CalcTextSize(l.c_str()).x, img.y + (float(i) + 0.5f) * cell - line * 0.5f),
                        kLabel, l.c_str());
            rows_drawn.push_back(t);
        }
        if (k % step == 0) {
            std::string l = truncate_label(token_text(s, k), chars);
            text_rotated(dl, ImVec2(img.x + (float(i) + 0.5f) * cell - line * 0.5f, img.y - 4), kLabel, l, -kPi / 2);
            cols_drawn.push_back(k);
        }
    }
    dl->AddText(ImVec2(p.x, p.y), IM_COL32(150, 150, 160, 255), "query \xe2\x86\x93");
    dl->AddText(ImVec2(p.x, p.y + line), IM_COL32(150, 150, 160, 255), "key \xe2\x86\x92");
    colour_bar(dl, ImVec2(img.x + side + 10, img.y), ImVec2(14, std::min(side, 200.0f)), true, "p = 1", "0.5", "0");

    nlohmann::json hover = hovered ? matrix_hover(s, w, img, side, cell) : nlohmann::json(nullptr);

    nlohmann::json labels = nlohmann::json::array(), cells = nlohmann::json::array();
    for (int t = 0; t < S; ++t) labels.push_back(token_text(s, t));
    if (w.n <= 64) {  // the values drawn, read from the engine (tests compare pixels with them)
        const Tensor& probs = s.g.model().probs(s.layer);
        for (int t = w.r0; t < w.r0 + w.n; ++t)
            for (int k = w.c0; k < w.c0 + w.n; ++k)
                cells.push_back({{"row", t}, {"col", k}, {"masked", k > t},
                                 {"value", probs.read(s.head * s.g.model().n_ctx() + t, k)}});
    }
    s.layout["attention"] = {{"layer", s.layer}, {"head", s.head}, {"tokens", S}, {"visible", w.n}, {"row0", w.r0},
                             {"col0", w.c0}, {"cell", cell}, {"image", {img.x, img.y, side, side}},
                             {"labels", labels}, {"rows_labelled", rows_drawn}, {"cols_labelled", cols_drawn},
                             {"hover", hover}, {"cells", cells}, {"tier", tier_name(s.g.engine().tier())}};
    ImGui::SetCursorScreenPos(ImVec2(p.x, img.y + side + 4));
}

// [SECTION] head view

// Queries on the left, keys on the right, a line from each query to each key it attends to, as opaque as p; the
// hovered query's lines alone.
void lines(ViewerState& s, ImVec2 avail) {
    const int S = s.g.model().pos();
    if (S > 64) {
        ImGui::TextWrapped("The head view draws a line per pair of tokens: it is for prompts of up to 64 tokens "
                           "(this one has %d). The matrix shows any length.", S);
        return;
    }
    const float line = ImGui::GetTextLineHeight();
    const float dy = std::clamp((avail.y - line) / float(std::max(S, 1)), line * 0.8f, line * 2.2f);
    const float col_w = std::min(avail.x * 0.3f, 180.0f), gap = std::clamp(avail.x * 0.35f, 120.0f, 480.0f);
    ImVec2 p = ImGui::GetCursorScreenPos();
    p.x += std::max(0.0f, (avail.x - 2 * col_w - gap) * 0.5f);  // centred
    const float xl = p.x + col_w, xr = xl + gap;  // the right edge of the query labels, the left edge of the keys
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const std::vector<float>& probs = s.downloaded(s.g.model().probs(s.layer));
    const int n_ctx = s.g.model().n_ctx();
    ImVec2 m = ImGui::GetIO().MousePos;
    int hot = -1;
    if (ImGui::IsWindowHovered() && m.x >= p.x && m.x <= xr + col_w && m.y >= p.y && m.y < p.y + dy * float(S))
        hot = std::clamp(int((m.y - p.y) / dy), 0, S - 1);
    int drawn = 0;
    for (int t = 0; t < S; ++t) {
        if (hot >= 0 && t != hot) continue;
        for (int k = 0; k <= t; ++k) {
            float pr = probs[size_t(s.head * n_ctx + t) * size_t(n_ctx) + size_t(k)];
            if (pr < 0.01f) continue;
            dl->AddLine(ImVec2(xl + 4, p.y + (float(t) + 0.5f) * dy), ImVec2(xr - 4, p.y + (float(k) + 0.5f) * dy),
                        rgb(glm::vec3(0.45f, 0.72f, 1.0f), hot >= 0 ? std::max(0.3f, pr) : pr), 1.0f + 4.0f * pr);
            ++drawn;
        }
    }
    for (int t = 0; t < S; ++t) {
        std::string l = truncate_label(token_text(s, t), 20);
        ImU32 col = t == hot ? kHot : kLabel;
        float y = p.y + (float(t) + 0.5f) * dy - line * 0.5f;
        dl->AddText(ImVec2(xl - ImGui::CalcTextSize(l.c_str()).x, y), col, l.c_str());
        dl->AddText(ImVec2(xr, y), kLabel, l.c_str());
    }
    s.layout["headview"] = {{"layer", s.layer}, {"head", s.head}, {"tokens", S}, {"lines", drawn}, {"hot", hot}};
    ImGui::Dummy(ImVec2(avail.x, dy * float(S)));
}

void head_controls(ViewerState& s) {
    const Gpt2Config& c = s.g.config();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
    ImGui::SliderInt("layer", &s.layer, 0, c.n_layer - 1);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
    ImGui::SliderInt("head", &s.head, 0, c.n_head - 1);
}

}  // namespace

// [SECTION] windows

void attention_window(ViewerState& s) {
    ImGui::Begin("Attention");
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.62f, 0.62f, 0.66f, 1));
    ImGui::TextWrapped("Layer %d, head %d. Row: a query token; column: a key token; a cell: how much the query "
                       "attends to the key, softmax(q k / sqrt(d)) over the keys up to the query (later keys are "
                       "masked, grey). Left: every layer and head; click one.", s.layer, s.head);
    ImGui::PopStyleColor();
    ImVec2 avail = ImGui::GetContentRegionAvail();
    const float ow = std::clamp(avail.x * 0.24f, 110.0f, 300.0f);
    ImGui::BeginGroup();
    overview(s, ow, avail.y);
    ImGui::EndGroup();
    ImGui::SameLine(0, 12);
    ImGui::BeginGroup();
    if (s.show.panel == Show::attention) {
        matrix(s, ImVec2(avail.x - ow - 12, avail.y));
    } else if (ImGui::BeginTabBar("views")) {
        if (ImGui::BeginTabItem("matrix")) {
            matrix(s, ImGui::GetContentRegionAvail());
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("head view (lines)")) {
            lines(s, ImGui::GetContentRegionAvail());
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    ImGui::EndGroup();
    ImGui::End();
}

void head_view_window(ViewerState& s) {
    ImGui::Begin("Head view");
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.62f, 0.62f, 0.66f, 1));
    ImGui::TextWrapped("Each query token (left) sends lines to the key tokens (right) it attends to, as strong as "
                       "the attention probability. Hover a query to see its lines alone.");
    ImGui::PopStyleColor();
    head_controls(s);
    lines(s, ImGui::GetContentRegionAvail());
    ImGui::End();
}

}  // namespace gpt2gl
