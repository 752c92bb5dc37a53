// viewer/app.cpp — `gpt2gl view`: the window, the main loop, screenshots, and the actions that run the model.
// The windows themselves are in panels.cpp, attention.cpp and passes_window.cpp.
//
// Index: [SECTION] state  [SECTION] actions  [SECTION] layout  [SECTION] main loop and screenshots
#include "viewer/app.h"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "gl/context_glfw.h"
#include "viewer/panels.h"

namespace gpt2gl {

// [SECTION] state

Show parse_show(const std::string& text, const Gpt2Config& c) {
    Show s;
    if (text.empty()) return s;
    std::string name = text.substr(0, text.find(':'));
    std::vector<int> args;
    std::stringstream in(text.find(':') == std::string::npos ? "" : text.substr(text.find(':') + 1));
    bool ok = true;
    for (std::string item; std::getline(in, item, ':');) {
        try {
            size_t used = 0;
            args.push_back(std::stoi(item, &used));
            ok = ok && used == item.size();
        } catch (const std::exception&) {
            ok = false;
        }
    }
    auto need = [&](size_t n, int lim0, int lim1) {
        return ok && args.size() == n && (n < 1 || (args[0] >= 0 && args[0] < lim0)) &&
               (n < 2 || (args[1] >= 0 && args[1] < lim1));
    };
    const std::map<std::string, Show::Panel> plain = {{"logits", Show::logits}, {"atlas", Show::atlas},
                                                      {"caps", Show::caps}, {"text", Show::text}};
    if ((name == "attention" || name == "headview") && need(2, c.n_layer, c.n_head)) {
        s.panel = name == "attention" ? Show::attention : Show::headview;
        s.a = args[0], s.b = args[1];
    } else if (name == "residual" && need(1, c.n_layer, 0)) {
        s.panel = Show::residual, s.a = args[0];
    } else if (name == "passes" && (need(0, 0, 0) || (ok && args.size() == 1 && args[0] >= 0))) {
        s.panel = Show::passes, s.a = args.empty() ? -1 : args[0];
    } else if (plain.count(name) && need(0, 0, 0)) {
        s.panel = plain.at(name);
    } else {
        throw std::runtime_error("--show " + text + ": expected attention:LAYER:HEAD or headview:LAYER:HEAD (layer 0 to " +
                                 std::to_string(c.n_layer - 1) + ", head 0 to " + std::to_string(c.n_head - 1) +
                                 "), residual:LAYER, logits, atlas, passes or passes:N, caps, text");
    }
    return s;
}

ViewerState::ViewerState(const ViewerOptions& opt, Generator& gen)
    : o(opt), g(gen), display(gen.engine()), show(parse_show(opt.show, gen.config())), sampling(opt.sampling) {
    std::snprintf(prompt, sizeof prompt, "%s", opt.prompt.c_str());
    if (show.panel == Show::attention || show.panel == Show::headview) layer = show.a, head = show.b;
    if (show.panel == Show::residual) res_layer = show.a;
    if (show.panel == Show::passes) selected_pass = show.a;
}

ViewTexture& ViewerState::view(const std::string& name, int w, int h) {
    ViewTexture& v = views[name];
    v.resize(w, h);
    return v;
}

const std::vector<float>& ViewerState::downloaded(const Tensor& t) {
    auto& entry = cache_[&t];
    if (entry.first != forwards || entry.second.empty()) entry = {forwards, t.download()};
    return entry.second;
}

// Lists each pass the engine draws while capturing (the latest forward's passes).
static void on_pass(ViewerState& s, const Pass& p) {
    if (!s.capturing) return;
    if (s.new_list) s.passes.clear(), s.new_list = false;
    if (s.time_passes) glFinish();
    auto now = ViewerState::Clock::now();
    s.passes.push_back({p, s.g.engine().scope(), std::chrono::duration<double, std::milli>(now - s.last_pass).count()});
    s.last_pass = now;
}

// [SECTION] actions

// Runs f with each pass it draws listed in the pass window (the list is replaced at the first pass drawn).
template <class F>
static void capture(ViewerState& s, F f) {
    s.new_list = true;
    s.capturing = true;
    if (s.time_passes) glFinish();
    s.last_pass = ViewerState::Clock::now();
    f();
    s.capturing = false;
    ++s.forwards;
}

void run_prompt(ViewerState& s) {
    s.history.clear();
    s.pending.clear();
    s.status.clear();
    s.selected_step = -1;
    s.g.set_sampling(s.sampling);
    try {
        std::vector<int> ids = s.g.tokenizer().can_encode() ? s.g.encode(s.prompt) : std::vector<int>{};
        capture(s, [&] { s.g.start(ids); });
    } catch (const std::exception& e) {  // a prompt longer than the context, invalid UTF-8: said, not cut
        s.status = e.what();
        if (s.g.tokens().empty()) capture(s, [&] { s.g.start({}); });
    }
}

static std::vector<std::pair<int, float>> top_logits(const std::vector<float>& l, int k) {
    std::vector<std::pair<int, float>> out;
    for (int id : top_ids(l, k)) out.push_back({id, l[size_t(id)]});
    return out;
}

bool step_token(ViewerState& s) {
    if (s.g.context_full()) {
        s.status = "the " + std::to_string(s.g.model().n_ctx()) + "-token context is full";
        return s.generating = false;
    }
    s.g.set_sampling(s.sampling);
    std::vector<std::pair<int, float>> top = top_logits(s.g.logits(), 20);
    int token = 0;
    capture(s, [&] { token = s.g.step(); });
    if (token == Generator::kEndOfText) {
        s.status = "the model ended the text (<|endoftext|>)";
        return s.generating = false;
    }
    s.history.push_back({token, std::move(top)});
    return true;
}

void record_next_token(ViewerState& s) {
    if (s.g.context_full()) return;
    s.g.set_sampling(s.sampling);
    std::vector<std::pair<int, float>> top = top_logits(s.g.logits(), 20);
    s.pending = s.g.record_step();
    if (s.pending.empty()) {
        s.status = "the model ended the text (<|endoftext|>)";
        return;
    }
    s.history.push_back({s.g.tokens().back(), std::move(top)});
    s.passes.clear();
    s.next_pass = 0;
}

void draw_next_pass(ViewerState& s) {
    if (s.next_pass >= s.pending.size()) return;
    s.capturing = true;
    s.last_pass = ViewerState::Clock::now();
    s.g.engine().draw(s.pending[s.next_pass++]);
    s.capturing = false;
    s.selected_pass = int(s.passes.size()) - 1;  // follow the pass just drawn
    s.reveal_pass = true;
    ++s.forwards;
    if (s.next_pass == s.pending.size()) {
        s.g.finish_step();
        s.pending.clear();
    }
}

// [SECTION] layout

static void place(float x, float y, float w, float h, bool fixed) {
    ImGui::SetNextWindowPos(ImVec2(x, y), fixed ? ImGuiCond_Always : ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(w, h), fixed ? ImGuiCond_Always : ImGuiCond_FirstUseEver);
}

// Every window, tiled to the display: controls, text and logits on the left; attention and the render passes in
// the middle; the residual stream and the tensor atlas on the right. --show: one of them, full-window.
static void frame(ViewerState& s) {
    if (s.generating && !step_token(s)) s.generating = false;
    ImGuiIO& io = ImGui::GetIO();
    float W = io.DisplaySize.x, H = io.DisplaySize.y;
    if (s.show.panel != Show::all) {
        place(0, 0, W, H, true);
        switch (s.show.panel) {
            case Show::attention: return attention_window(s);
            case Show::headview: return head_view_window(s);
            case Show::residual: return residual_window(s);
            case Show::logits: return logits_window(s);
            case Show::atlas: return atlas_window(s);
            case Show::passes: return passes_window(s);
            case Show::caps: return caps_window(s);
            case Show::text: return text_window(s);
            case Show::all: break;
        }
    }
    float left = std::clamp(W * 0.22f, 300.0f, 480.0f), mid = (W - left) * 0.56f, right = W - left - mid;
    place(0, 0, left, H * 0.36f, false);
    controls_window(s);
    place(0, H * 0.36f, left, H * 0.26f, false);
    text_window(s);
    place(0, H * 0.62f, left, H * 0.38f, false);
    logits_window(s);
    place(left, 0, mid, H * 0.62f, false);
    attention_window(s);
    place(left, H * 0.62f, mid, H * 0.38f, false);
    passes_window(s);
    place(left + mid, 0, right, H * 0.62f, false);
    residual_window(s);
    place(left + mid, H * 0.62f, right, H * 0.38f, false);
    atlas_window(s);
}

// [SECTION] main loop and screenshots

static bool write_screenshot(const std::string& path, int w, int h) {
    std::vector<unsigned char> px(size_t(w) * h * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
    stbi_flip_vertically_on_write(1);
    return stbi_write_png(path.c_str(), w, h, 4, px.data(), w * 4) != 0;
}

// DejaVu Sans for the UI and DejaVu Sans Mono for code, with the scripts tokens come in (Latin, Greek, Cyrillic)
// and the marks the windows use (ellipsis, arrows); ImGui's own font when the files are missing.
static void load_fonts(ViewerState& s, float px) {
    static ImVector<ImWchar> ranges;  // must outlive the font atlas's build
    ImFontGlyphRangesBuilder b;
    ImGuiIO& io = ImGui::GetIO();
    b.AddRanges(io.Fonts->GetGlyphRangesDefault());
    b.AddRanges(io.Fonts->GetGlyphRangesCyrillic());
    static const ImWchar extra[] = {0x0100, 0x024F, 0x0370, 0x03FF, 0x2000, 0x206F, 0x2190, 0x21FF, 0x2500, 0x257F, 0};
    b.AddRanges(extra);
    b.BuildRanges(&ranges);
    struct stat st;
    const std::string dir = "/usr/share/fonts/truetype/dejavu/";
    if (stat((dir + "DejaVuSans.ttf").c_str(), &st) != 0) return;
    io.Fonts->AddFontFromFileTTF((dir + "DejaVuSans.ttf").c_str(), px, nullptr, ranges.Data);
    if (stat((dir + "DejaVuSansMono.ttf").c_str(), &st) == 0)
        s.mono = io.Fonts->AddFontFromFileTTF((dir + "DejaVuSansMono.ttf").c_str(), px * 0.95f, nullptr, ranges.Data);
}

// Headless runs (--screenshot): generate, step passes, then frames until the layout settles.
static void prepare_batch(ViewerState& s) {
    while (int(s.history.size()) < s.o.generate && step_token(s)) {}
    if (s.o.step_passes < 0) return;
    record_next_token(s);
    for (int i = 0; i < s.o.step_passes && !s.pending.empty(); ++i) draw_next_pass(s);
}

int run_viewer(const ViewerOptions& o) {
    bool batch = !o.screenshot.empty();
    auto win = gl::create_window_context(o.width, o.height, "gpt2gl viewer", !batch);
    GeneratorOptions go;
    go.model = o.model, go.engine = o.engine, go.sampling = o.sampling, go.n_ctx = o.n_ctx, go.inspect = true;
    go.stop_at_eot = !o.ignore_eot;
    Generator g(go, win.get());
    ViewerState s(o, g);  // parses --show before any window opens
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // no imgui.ini written into the user's directory
    load_fonts(s, std::clamp(float(o.height) / 60.0f, 14.0f, 20.0f));  // grows with big windows and projectors
    ImGui::StyleColorsDark();
    ImGui_ImplGlfw_InitForOpenGL(win->window(), true);
    ImGui_ImplOpenGL3_Init("#version 100");
    g.engine().observe([&s](const Pass& p) { on_pass(s, p); });
    run_prompt(s);
    if (batch) prepare_batch(s);
    int rc = 0;
    for (int n = 0; !win->should_close(); ++n) {
        glfwPollEvents();
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        if (batch && o.mouse.size() == 2) io.MousePos = ImVec2(o.mouse[0], o.mouse[1]);
        ImGui::NewFrame();
        s.layout = nlohmann::json::object();
        frame(s);
        ImGui::Render();
        int w = 0, h = 0;
        win->framebuffer_size(&w, &h);
        gl::bind_framebuffer(0);
        glViewport(0, 0, w, h);
        glClearColor(0.10f, 0.10f, 0.12f, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        g.engine().invalidate_state();  // ImGui's renderer changed blending, scissor and bindings
        if (batch && n == 3) {  // the layout settles over the first frames
            if (!write_screenshot(o.screenshot, w, h)) {
                std::fprintf(stderr, "gpt2gl: cannot write %s\n", o.screenshot.c_str());
                rc = 1;
            }
            if (!o.layout.empty()) std::ofstream(o.layout) << s.layout.dump(1) << "\n";
            break;
        }
        win->swap();
    }
    g.engine().observe(nullptr);
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    return rc;
}

}  // namespace gpt2gl
