// viewer/app.cpp — the viewer's windows (Dear ImGui) over one engine and one model in inspect mode.
//
// Index: [SECTION] state  [SECTION] running the model  [SECTION] panels  [SECTION] main loop and screenshots
#include "viewer/app.h"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <nlohmann/json.hpp>
#include <stb_image_write.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sys/stat.h>

#include "gl/context_glfw.h"
#include "runtime/generator.h"
#include "viewer/display.h"

namespace gpt2gl {
namespace {

using Clock = std::chrono::steady_clock;

// A token's text as a label: newlines and tabs escaped.
std::string label(const std::string& t) {
    std::string s;
    for (char c : t) s += c == '\n' ? "\\n" : c == '\t' ? "\\t" : std::string(1, c);
    return s;
}

ImTextureID tex_id(const ViewTexture& v) { return reinterpret_cast<ImTextureID>(intptr_t(v.texture().id())); }

// [SECTION] state

struct PassRow {
    std::string scope, op, program, inputs, output;
    double ms;
};

struct Step {  // one generated token and the logits that produced it (top entries only)
    int token;
    std::vector<std::pair<int, float>> top;
};

class App {
public:
    App(const ViewerOptions& o, gl::WindowContext& win) : o_(o), g_(generator_options(o), &win), display_(g_.engine()),
          sampling_(o.sampling) {
        std::snprintf(prompt_, sizeof prompt_, "%s", o.prompt.c_str());
        g_.engine().observe([this](const Pass& p) { on_pass(p); });
        run_prompt();
    }

    static GeneratorOptions generator_options(const ViewerOptions& o) {
        GeneratorOptions g;
        g.model = o.model, g.engine = o.engine, g.sampling = o.sampling, g.n_ctx = o.n_ctx, g.inspect = true;
        return g;
    }

    // [SECTION] running the model

    void run_prompt() {
        history_.clear();
        pending_.clear();
        status_.clear();
        g_.set_sampling(sampling_);
        try {
            std::vector<int> ids = g_.tokenizer().can_encode() ? g_.encode(prompt_) : std::vector<int>{};
            capture([&] { g_.start(ids); });
        } catch (const std::exception& e) {  // a prompt longer than the context, invalid UTF-8: said, not cut
            status_ = e.what();
            if (g_.tokens().empty()) capture([&] { g_.start({}); });
        }
    }

    // Runs f with each pass it draws listed in the pass panel.
    template <class F>
    void capture(F f) {
        new_list_ = true;  // the list is replaced at the first pass drawn (none: it stays)
        capturing_ = true;
        if (time_passes_) glFinish();
        last_pass_ = Clock::now();
        f();
        capturing_ = false;
    }

    bool step_token() {
        if (g_.context_full()) {
            status_ = "the " + std::to_string(g_.model().n_ctx()) + "-token context is full";
            generating_ = false;
            return false;
        }
        std::vector<std::pair<int, float>> top = top_logits(g_.logits(), 20);
        int token = 0;
        capture([&] { token = g_.step(); });
        if (token == Generator::kEndOfText) {
            status_ = "the model ended the text (<|endoftext|>)";
            generating_ = false;
            return false;
        }
        history_.push_back({token, std::move(top)});
        return true;
    }

    // Step mode: record the next token's passes (its forward and the LM head), then draw them one at a time.
    void record_next_token() {
        if (g_.context_full()) return;
        std::vector<std::pair<int, float>> top = top_logits(g_.logits(), 20);
        pending_ = g_.record_step();
        if (pending_.empty()) {
            status_ = "the model ended the text (<|endoftext|>)";
            return;
        }
        history_.push_back({g_.tokens().back(), std::move(top)});
        passes_.clear();
        next_pass_ = 0;
    }

    void replay_one() {
        if (next_pass_ >= pending_.size()) return;
        capturing_ = true;
        last_pass_ = Clock::now();
        g_.engine().draw(pending_[next_pass_++]);
        capturing_ = false;
        if (next_pass_ == pending_.size()) {
            g_.finish_step();
            pending_.clear();
        }
    }

    void on_pass(const Pass& p) {
        if (!capturing_) return;
        if (new_list_) passes_.clear(), new_list_ = false;
        if (time_passes_) glFinish();
        auto now = Clock::now();
        PassRow r;
        r.scope = g_.engine().scope();
        r.op = p.op;
        r.program = "glsl/" + p.op + ".frag";
        for (auto& in : p.inputs) r.inputs += (r.inputs.empty() ? "" : ", ") + in.tensor->name();
        for (auto& t : p.textures) r.inputs += (r.inputs.empty() ? "" : ", ") + t.name;
        const Layout& l = p.output->layout();
        r.output = p.output->name() + " [" + std::to_string(l.rows) + "x" + std::to_string(l.cols) + "] " +
                   std::to_string(l.width) + "x" + std::to_string(l.height) + " " + g_.engine().storage().format.name;
        r.ms = std::chrono::duration<double, std::milli>(now - last_pass_).count();
        last_pass_ = now;
        passes_.push_back(r);
        last_pass_desc_ = p;
    }

    std::vector<std::pair<int, float>> top_logits(const std::vector<float>& l, int k) const {
        std::vector<std::pair<int, float>> out;
        for (int id : top_ids(l, k)) out.push_back({id, l[size_t(id)]});
        return out;
    }

    // [SECTION] panels

    void frame(bool full_window) {
        if (generating_ && !step_token()) generating_ = false;
        ImGuiIO& io = ImGui::GetIO();
        float W = io.DisplaySize.x, H = io.DisplaySize.y;
        auto place = [&](float x, float y, float w, float h) {
            ImGui::SetNextWindowPos(ImVec2(x, y), full_window ? ImGuiCond_Always : ImGuiCond_FirstUseEver);
            ImGui::SetNextWindowSize(ImVec2(w, h), full_window ? ImGuiCond_Always : ImGuiCond_FirstUseEver);
        };
        const std::string& show = o_.show;
        if (full_window) {
            place(0, 0, W, H);
            if (show.rfind("attention", 0) == 0) attention_panel();
            else if (show.rfind("residual", 0) == 0) residual_panel();
            else if (show == "logits") logits_panel();
            else if (show == "atlas") atlas_panel();
            else if (show == "passes") passes_panel();
            else caps_panel();
            return;
        }
        place(0, 0, 340, H * 0.55f);
        controls_panel();
        place(0, H * 0.55f, 340, H * 0.45f);
        logits_panel();
        place(340, 0, (W - 340) * 0.55f, H * 0.62f);
        attention_panel();
        place(340 + (W - 340) * 0.55f, 0, (W - 340) * 0.45f, H * 0.62f);
        residual_panel();
        place(340, H * 0.62f, (W - 340) * 0.55f, H * 0.38f);
        passes_panel();
        place(340 + (W - 340) * 0.55f, H * 0.62f, (W - 340) * 0.45f, H * 0.38f);
        atlas_panel();
    }

    void controls_panel() {
        ImGui::Begin("Prompt and sampling");
        ImGui::InputTextMultiline("##prompt", prompt_, sizeof prompt_, ImVec2(-1, 70));
        if (ImGui::Button("Run prompt")) run_prompt();
        ImGui::SameLine();
        if (ImGui::Button(generating_ ? "Stop" : "Generate")) generating_ = !generating_;
        ImGui::SameLine();
        if (ImGui::Button("Step one token")) step_token();
        ImGui::SliderFloat("temperature", &sampling_.temperature, 0.0f, 2.0f);
        ImGui::SliderInt("top-k", &sampling_.top_k, 0, 200);
        ImGui::SliderFloat("top-p", &sampling_.top_p, 0.0f, 1.0f);
        int seed = int(sampling_.seed);
        if (ImGui::InputInt("seed", &seed)) sampling_.seed = uint64_t(seed);
        ImGui::TextDisabled("sampling changes apply from the next Run prompt");
        ImGui::Separator();
        ImGui::Text("%d / %d tokens; tier %s", g_.model().pos(), g_.model().n_ctx(), tier_name(g_.engine().tier()));
        if (!status_.empty()) ImGui::TextColored(ImVec4(1, 0.6f, 0.2f, 1), "%s", status_.c_str());
        if (ImGui::CollapsingHeader("GPU capabilities and tier")) caps_text();
        ImGui::Separator();
        // the text, token by token: click a generated token to see the logits that produced it
        ImGui::BeginChild("text");
        for (size_t i = 0; i < g_.tokens().size(); ++i) {
            std::string t = label(g_.tokenizer().token(g_.tokens()[i]));
            if (t.empty()) t = "?";
            bool gen = int(i) >= g_.prompt_tokens();
            int step = int(i) - g_.prompt_tokens();
            ImGui::PushID(int(i));
            if (gen) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.5f, 0.8f, 1.0f, 1.0f));
            if (ImGui::Selectable(t.c_str(), gen && selected_step_ == step, 0, ImGui::CalcTextSize(t.c_str())) && gen)
                selected_step_ = step;
            if (gen) ImGui::PopStyleColor();
            ImGui::PopID();
            if (ImGui::GetContentRegionAvail().x > 60) ImGui::SameLine(0, 0);
        }
        ImGui::EndChild();
        ImGui::End();
    }

    void logits_panel() {
        ImGui::Begin("Logits");
        bool latest = selected_step_ < 0 || selected_step_ >= int(history_.size());
        std::vector<std::pair<int, float>> top = latest ? top_logits(g_.logits(), 20) : history_[size_t(selected_step_)].top;
        if (latest) ImGui::Text("next token (after %d tokens)", g_.model().pos());
        else ImGui::Text("generated token %d: '%s'", selected_step_, label(g_.tokenizer().token(history_[size_t(selected_step_)].token)).c_str());
        if (!latest && ImGui::SmallButton("show the latest")) selected_step_ = -1;
        // probability after temperature, over the whole vocabulary (latest) or the kept top entries (history)
        std::vector<float> probs;
        if (latest) probs = Sampler::probabilities(g_.logits(), sampling_.temperature);
        if (ImGui::BeginTable("logits", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders)) {
            ImGui::TableSetupColumn("token");
            ImGui::TableSetupColumn("id");
            ImGui::TableSetupColumn("logit");
            ImGui::TableSetupColumn("p (temp)");
            ImGui::TableHeadersRow();
            double z = 0;
            if (!latest) {
                float t = sampling_.temperature > 0 ? sampling_.temperature : 1.0f;
                for (auto& [id, l] : top) z += std::exp(double(l - top[0].second) / t);
            }
            for (auto& [id, l] : top) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(label(g_.tokenizer().token(id)).c_str());
                ImGui::TableNextColumn();
                ImGui::Text("%d", id);
                ImGui::TableNextColumn();
                ImGui::Text("%.3f", double(l));
                ImGui::TableNextColumn();
                float t = sampling_.temperature > 0 ? sampling_.temperature : 1.0f;
                double p = latest ? double(probs[size_t(id)]) : std::exp(double(l - top[0].second) / t) / z;
                ImGui::Text(latest ? "%.4f" : "%.4f*", p);
            }
            ImGui::EndTable();
        }
        if (!latest) ImGui::TextDisabled("* renormalized over the 20 kept entries");
        ImGui::End();
    }

    void attention_panel() {
        ImGui::Begin("Attention");
        const Gpt2Config& c = g_.model().config();
        if (!o_.show.empty() && o_.show.rfind("attention:", 0) == 0 && !parsed_show_) {
            std::sscanf(o_.show.c_str(), "attention:%d:%d", &layer_, &head_);
            layer_ = std::clamp(layer_, 0, c.n_layer - 1), head_ = std::clamp(head_, 0, c.n_head - 1);
            parsed_show_ = true;
        }
        int S = g_.model().pos();
        ImGui::Text("layer %d, head %d: softmax(q k^T / sqrt(d)) over %d tokens; rows: queries, columns: keys", layer_,
                    head_, S);
        // layer x head grid of thumbnails
        float thumb = std::clamp(220.0f / float(std::max(c.n_head, c.n_layer)), 14.0f, 40.0f);
        if (o_.show.empty()) {
            for (int l = 0; l < c.n_layer; ++l) {
                for (int h = 0; h < c.n_head; ++h) {
                    ViewTexture& v = views_["thumb" + std::to_string(l) + "." + std::to_string(h)];
                    v.resize(int(thumb), int(thumb));
                    display_.draw(attention_map(l, h, S), v);
                    ImGui::PushID(l * 1000 + h);
                    if (ImGui::ImageButton(tex_id(v), ImVec2(thumb, thumb), ImVec2(0, 1), ImVec2(1, 0), 1)) layer_ = l, head_ = h;
                    ImGui::PopID();
                    if (h + 1 < c.n_head) ImGui::SameLine();
                }
            }
        }
        // the selected matrix with token-labelled axes
        ImVec2 avail = ImGui::GetContentRegionAvail();
        float label_w = 90, label_h = 60;
        int cell = int(std::clamp(std::min(avail.x - label_w, avail.y - label_h) / float(std::max(S, 1)), 3.0f, 40.0f));
        ViewTexture& v = views_["attention"];
        v.resize(cell * S, cell * S);
        Heatmap hm = attention_map(layer_, head_, S);
        display_.draw(hm, v);
        ImVec2 origin = ImGui::GetCursorScreenPos();
        ImDrawList* dl = ImGui::GetWindowDrawList();
        ImVec2 img(origin.x + label_w, origin.y + label_h);
        // column labels: the key tokens, written downwards
        layout_row_labels_.clear();
        layout_col_labels_.clear();
        for (int s = 0; s < S; ++s) {
            std::string t = label(g_.tokenizer().token(g_.tokens()[size_t(s)]));
            layout_col_labels_.push_back(t);
            layout_row_labels_.push_back(t);
            if (cell >= 9) {
                float y = origin.y;
                for (size_t k = 0; k < t.size() && k < 4; ++k, y += 13)
                    dl->AddText(ImVec2(img.x + float(s * cell) + float(cell) / 2 - 3, y), IM_COL32(200, 200, 200, 255),
                                t.substr(k, 1).c_str());
            }
            if (cell >= 9) dl->AddText(ImVec2(origin.x, img.y + float(s * cell) + float(cell) / 2 - 7),
                                       IM_COL32(200, 200, 200, 255), t.substr(0, 12).c_str());
        }
        ImGui::SetCursorScreenPos(img);
        ImGui::Image(tex_id(v), ImVec2(float(v.width()), float(v.height())), ImVec2(0, 1), ImVec2(1, 0));
        attention_image_ = {img.x, img.y, float(v.width()), float(v.height())};
        attention_cell_ = cell;
        if (ImGui::IsItemHovered() && S > 0) {
            ImVec2 m = ImGui::GetMousePos();
            int t = std::clamp(int((m.y - img.y) / float(cell)), 0, S - 1), s = std::clamp(int((m.x - img.x) / float(cell)), 0, S - 1);
            float p = g_.model().probs(layer_).read(head_ * g_.model().n_ctx() + t, s);  // one 1x1 readback
            ImGui::BeginTooltip();
            ImGui::Text("query %d '%s' -> key %d '%s'", t, layout_row_labels_[size_t(t)].c_str(), s, layout_col_labels_[size_t(s)].c_str());
            if (s > t) ImGui::Text("masked (a key after the query)");
            else ImGui::Text("p = %.6f", double(p));
            ImGui::EndTooltip();
        }
        ImGui::End();
    }

    Heatmap attention_map(int l, int h, int S) const {
        Heatmap hm;
        hm.tensor = &g_.model().probs(l);
        hm.row0 = h * g_.model().n_ctx();
        hm.rows = S, hm.cols = S;
        hm.sequential = true;
        hm.causal = true;
        return hm;
    }

    void residual_panel() {
        ImGui::Begin("Residual stream");
        const Gpt2Config& c = g_.model().config();
        if (!o_.show.empty() && o_.show.rfind("residual:", 0) == 0 && !parsed_show_) {
            std::sscanf(o_.show.c_str(), "residual:%d", &res_layer_);
            res_layer_ = std::clamp(res_layer_, 0, c.n_layer - 1);
            parsed_show_ = true;
        }
        ImGui::SliderInt("block", &res_layer_, 0, c.n_layer - 1);
        ImGui::RadioButton("output", &res_mode_, 0);
        ImGui::SameLine();
        ImGui::RadioButton("attention's part", &res_mode_, 1);
        ImGui::SameLine();
        ImGui::RadioButton("MLP's part", &res_mode_, 2);
        ImGui::Checkbox("scale per token", &per_token_);
        if (!per_token_) {
            ImGui::SameLine();
            ImGui::SliderFloat("scale", &res_scale_, 0.01f, 50.0f, "%.2f", ImGuiSliderFlags_Logarithmic);
        }
        int S = g_.model().pos();
        Heatmap hm;
        hm.tensor = res_mode_ == 0 ? &g_.model().block_output(res_layer_)
                    : res_mode_ == 1 ? &g_.model().after_attention(res_layer_) : &g_.model().block_output(res_layer_);
        hm.minus = res_mode_ == 0 ? nullptr : res_mode_ == 1 ? &g_.model().block_input(res_layer_) : &g_.model().after_attention(res_layer_);
        hm.rows = S, hm.cols = c.n_embd, hm.per_row = per_token_, hm.scale = res_scale_;
        // legend: the diverging map from -scale to +scale (per token: each row's own largest |value|)
        ImDrawList* dl = ImGui::GetWindowDrawList();
        ImVec2 p = ImGui::GetCursorScreenPos();
        for (int i = 0; i < 100; ++i) {
            glm::vec3 col = diverging(float(i) / 49.5f - 1.0f);
            dl->AddRectFilled(ImVec2(p.x + float(i * 2), p.y), ImVec2(p.x + float(i * 2 + 2), p.y + 10),
                              IM_COL32(int(col.r * 255), int(col.g * 255), int(col.b * 255), 255));
        }
        ImGui::Dummy(ImVec2(200, 12));
        if (per_token_) ImGui::Text("-max|x| per token   0   +max|x|");
        else ImGui::Text("%.2f   0   %.2f", double(-res_scale_), double(res_scale_));
        ImVec2 avail = ImGui::GetContentRegionAvail();
        int w = std::max(64, int(avail.x) - 60), rowh = std::clamp(int(avail.y) / std::max(S, 1), 2, 24);
        ViewTexture& v = views_["residual"];
        v.resize(w, rowh * S);
        display_.draw(hm, v);
        ImVec2 img = ImGui::GetCursorScreenPos();
        ImGui::SetCursorScreenPos(ImVec2(img.x + 60, img.y));
        ImVec2 at = ImGui::GetCursorScreenPos();
        if (rowh >= 9)
            for (int t = 0; t < S; ++t)
                dl->AddText(ImVec2(img.x, at.y + float(t * rowh) + float(rowh) / 2 - 7), IM_COL32(200, 200, 200, 255),
                            label(g_.tokenizer().token(g_.tokens()[size_t(t)])).substr(0, 8).c_str());
        ImGui::Image(tex_id(v), ImVec2(float(v.width()), float(v.height())), ImVec2(0, 1), ImVec2(1, 0));
        if (ImGui::IsItemHovered() && S > 0) {
            ImVec2 m = ImGui::GetMousePos();
            int t = std::clamp(int((m.y - at.y) / float(rowh)), 0, S - 1);
            int ch = std::clamp(int((m.x - at.x) / float(w) * float(c.n_embd)), 0, c.n_embd - 1);
            float val = hm.tensor->read(t, ch) - (hm.minus ? hm.minus->read(t, ch) : 0.0f);
            ImGui::SetTooltip("token %d '%s', channel %d: %.5f", t, label(g_.tokenizer().token(g_.tokens()[size_t(t)])).c_str(), ch, double(val));
        }
        ImGui::End();
    }

    void atlas_panel() {
        ImGui::Begin("Tensor atlas");
        ImGui::SliderFloat("zoom", &atlas_zoom_, 0.25f, 4.0f, "%.2f");
        ImGui::TextDisabled("every tensor of the latest forward; each row scaled by its largest |value|; magenta: NaN/Inf");
        ImGui::BeginChild("canvas", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
        float x_left = ImGui::GetContentRegionAvail().x;
        for (auto& [name, t] : g_.model().atlas()) {
            int rows = name.find("probs") != std::string::npos ? t->rows() : std::min(t->rows(), std::max(g_.model().pos(), 1));
            if (name == "logits") rows = 1;
            int cols = t->cols();
            float k = 120.0f * atlas_zoom_ / float(std::max(rows, cols));
            int w = std::max(4, int(float(cols) * k)), h = std::max(4, int(float(rows) * k));
            ViewTexture& v = views_["atlas " + name];
            v.resize(w, h);
            Heatmap hm;
            hm.tensor = t, hm.rows = rows, hm.cols = cols, hm.per_row = true;
            display_.draw(hm, v);
            if (x_left < float(w) + 10) x_left = ImGui::GetContentRegionAvail().x;
            else ImGui::SameLine();
            x_left -= float(w) + 10;
            ImGui::BeginGroup();
            ImGui::TextUnformatted(name.c_str());
            ImVec2 at = ImGui::GetCursorScreenPos();
            ImGui::Image(tex_id(v), ImVec2(float(w), float(h)), ImVec2(0, 1), ImVec2(1, 0));
            if (ImGui::IsItemHovered()) {
                ImVec2 m = ImGui::GetMousePos();
                int r = std::clamp(int((m.y - at.y) / float(h) * float(rows)), 0, rows - 1);
                int col = std::clamp(int((m.x - at.x) / float(w) * float(cols)), 0, cols - 1);
                ImGui::SetTooltip("%s [%d, %d] = %.5f   (shape %d x %d)", name.c_str(), r, col, double(t->read(r, col)), t->rows(), t->cols());
            }
            ImGui::EndGroup();
        }
        ImGui::EndChild();
        ImGui::End();
    }

    void passes_panel() {
        ImGui::Begin("Render passes");
        ImGui::Checkbox("time each pass (glFinish after each draw)", &time_passes_);
        if (pending_.empty()) {
            if (ImGui::Button("Step mode: record the next token's passes")) record_next_token();
        } else {
            ImGui::Text("step mode: pass %zu of %zu", next_pass_, pending_.size());
            ImGui::SameLine();
            if (ImGui::Button("Next pass")) replay_one();
            ImGui::SameLine();
            if (ImGui::Button("Next layer")) {
                std::string scope = next_pass_ < pending_.size() ? pending_[next_pass_].scope : "";
                while (next_pass_ < pending_.size() && pending_[next_pass_].scope == scope) replay_one();
            }
            ImGui::SameLine();
            if (ImGui::Button("Finish the token")) while (!pending_.empty()) replay_one();
        }
        double total = 0;
        for (auto& p : passes_) total += p.ms;
        ImGui::Text("latest forward: %zu draws in %zu passes, %.2f ms", passes_.size(), passes_.size(), total);
        ImGui::BeginChild("list", ImVec2(ImGui::GetContentRegionAvail().x * 0.55f, 0));
        std::string open_scope;
        bool open = false;
        for (size_t i = 0; i < passes_.size(); ++i) {
            const PassRow& p = passes_[i];
            if (i == 0 || p.scope != passes_[i - 1].scope) {
                if (open) ImGui::TreePop();
                open = ImGui::TreeNode((p.scope + "##" + std::to_string(i)).c_str());
            }
            if (!open) continue;
            if (ImGui::Selectable((p.op + " -> " + p.output + "##" + std::to_string(i)).c_str(), selected_pass_ == int(i)))
                selected_pass_ = int(i);
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("%s\ninputs: %s\noutput: %s\n%.3f ms", p.program.c_str(), p.inputs.c_str(), p.output.c_str(), p.ms);
        }
        if (open) ImGui::TreePop();
        ImGui::EndChild();
        ImGui::SameLine();
        ImGui::BeginChild("detail");
        // the last pass drawn: its source, and its output as an image (which ping-pong buffer: x or y)
        if (last_pass_desc_.output) {
            const Pass& p = last_pass_desc_;
            ImGui::Text("last drawn: %s (%s) into %s", p.op.c_str(), p.scope.empty() ? g_.engine().scope().c_str() : p.scope.c_str(),
                        p.output->name().c_str());
            ViewTexture& v = views_["pass output"];
            int rows = std::min(p.output->rows(), std::max(p.row1, 1)), cols = p.output->cols();
            v.resize(std::min(320, cols * 4), std::min(160, std::max(8, rows * 8)));
            Heatmap hm;
            hm.tensor = p.output, hm.rows = rows, hm.cols = cols, hm.per_row = true;
            display_.draw(hm, v);
            ImGui::Image(tex_id(v), ImVec2(float(v.width()), float(v.height())), ImVec2(0, 1), ImVec2(1, 0));
            for (auto& in : p.inputs) {  // its input textures, each as an image (rows scaled by their largest |value|)
                ImGui::Text("input %s: %s [%d x %d]", in.name.c_str(), in.tensor->name().c_str(), in.tensor->rows(),
                            in.tensor->cols());
                ViewTexture& iv = views_["pass input " + in.name];
                int r = std::min(in.tensor->rows(), 256), c = in.tensor->cols();
                iv.resize(std::min(320, std::max(8, c)), std::min(96, std::max(4, r)));
                Heatmap ih;
                ih.tensor = in.tensor, ih.rows = r, ih.cols = c, ih.per_row = true;
                display_.draw(ih, iv);
                ImGui::Image(tex_id(iv), ImVec2(float(iv.width()), float(iv.height())), ImVec2(0, 1), ImVec2(1, 0));
            }
            if (ImGui::CollapsingHeader("GLSL source as compiled"))
                ImGui::TextUnformatted(g_.engine().fragment_source(p).c_str());
        }
        ImGui::EndChild();
        ImGui::End();
    }

    void caps_panel() {
        ImGui::Begin("Capabilities");
        caps_text();
        ImGui::End();
    }

    void caps_text() {
        const gl::Caps& c = g_.caps();
        ImGui::Text("%s", c.backend.c_str());
        ImGui::Text("%s; GLSL %s", c.version.c_str(), c.glsl_version.c_str());
        ImGui::Text("%s (%s)", c.renderer.c_str(), c.vendor.c_str());
        ImGui::Text("max texture %d (using %d), %d texture units", c.max_texture_size, g_.engine().storage().max_size, c.max_texture_units);
        ImGui::Text("highp float %d bits, int %d bits", c.highp_float_bits, c.highp_int_bits);
        ImGui::TextWrapped("fp32 target: %s", c.fp32.why.c_str());
        ImGui::TextWrapped("fp16 target: %s", c.fp16.why.c_str());
        ImGui::TextWrapped("tier %s: %s", tier_name(g_.engine().tier()), g_.engine().tier_reason().c_str());
        if (ImGui::TreeNode("extensions")) {
            for (auto& e : c.extensions) ImGui::BulletText("%s", e.c_str());
            ImGui::TreePop();
        }
    }

    // What the attention panel drew, for tests: image rect (window pixels, top-left origin), labels, cell values.
    nlohmann::json attention_layout() const {
        nlohmann::json j;
        int S = g_.model().pos();
        j["layer"] = layer_, j["head"] = head_, j["tokens"] = S, j["cell"] = attention_cell_;
        j["image"] = {attention_image_[0], attention_image_[1], attention_image_[2], attention_image_[3]};
        j["row_labels"] = layout_row_labels_;
        j["col_labels"] = layout_col_labels_;
        j["token_ids"] = g_.tokens();
        nlohmann::json cells = nlohmann::json::array();
        for (int t = 0; t < S; ++t)
            for (int s = 0; s < S; ++s)
                cells.push_back({{"row", t}, {"col", s}, {"masked", s > t},
                                 {"value", g_.model().probs(layer_).read(head_ * g_.model().n_ctx() + t, s)}});
        j["cells"] = cells;
        j["tier"] = tier_name(g_.engine().tier());
        return j;
    }

    Engine& engine() { return g_.engine(); }
    bool generating_ = false;
    int generated() const { return int(g_.tokens().size()) - g_.prompt_tokens(); }

private:
    ViewerOptions o_;
    Generator g_;
    Display display_;
    SamplerOptions sampling_;
    char prompt_[4096] = {};
    std::vector<Step> history_;
    int selected_step_ = -1;
    std::string status_;
    std::map<std::string, ViewTexture> views_;
    int layer_ = 0, head_ = 0, res_layer_ = 0, res_mode_ = 0;
    bool per_token_ = true, parsed_show_ = false;
    float res_scale_ = 2.0f, atlas_zoom_ = 1.0f;
    std::vector<PassRow> passes_;
    bool capturing_ = false, new_list_ = false, time_passes_ = true;
    Clock::time_point last_pass_;
    Pass last_pass_desc_{""};
    std::vector<Pass> pending_;
    size_t next_pass_ = 0;
    int selected_pass_ = -1;
    std::array<float, 4> attention_image_{};
    int attention_cell_ = 0;
    std::vector<std::string> layout_row_labels_, layout_col_labels_;
};

}  // namespace

// [SECTION] main loop and screenshots

int run_viewer(const ViewerOptions& o) {
    bool batch = !o.screenshot.empty();
    auto win = gl::create_window_context(o.width, o.height, "gpt2gl viewer", !batch);
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // no imgui.ini written into the user's directory
    struct stat st;
    const char* font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    if (stat(font, &st) == 0) io.Fonts->AddFontFromFileTTF(font, 15.0f);
    ImGui::StyleColorsDark();
    ImGui_ImplGlfw_InitForOpenGL(win->window(), true);
    ImGui_ImplOpenGL3_Init("#version 100");
    int rc = 0;
    {
        App app(o, *win);
        if (batch)
            while (app.generated() < o.generate && app.step_token()) {}
        int frame = 0;
        while (!win->should_close()) {
            glfwPollEvents();
            ImGui_ImplOpenGL3_NewFrame();
            ImGui_ImplGlfw_NewFrame();
            ImGui::NewFrame();
            app.frame(!o.show.empty());
            ImGui::Render();
            int w = 0, h = 0;
            win->framebuffer_size(&w, &h);
            gl::bind_framebuffer(0);
            glViewport(0, 0, w, h);
            glClearColor(0.10f, 0.10f, 0.12f, 1.0f);
            glClear(GL_COLOR_BUFFER_BIT);
            ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
            app.engine().invalidate_state();  // ImGui's renderer changed blending, scissor and bindings
            if (batch && ++frame == 3) {  // layout settles over the first frames
                std::vector<unsigned char> px(size_t(w) * h * 4);
                glPixelStorei(GL_PACK_ALIGNMENT, 1);
                glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
                stbi_flip_vertically_on_write(1);
                if (!stbi_write_png(o.screenshot.c_str(), w, h, 4, px.data(), w * 4)) {
                    std::fprintf(stderr, "gpt2gl: cannot write %s\n", o.screenshot.c_str());
                    rc = 1;
                }
                if (!o.layout.empty()) std::ofstream(o.layout) << app.attention_layout().dump(1) << "\n";
                break;
            }
            win->swap();
        }
    }
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    return rc;
}

}  // namespace gpt2gl
