// viewer/panels.h — (inside the viewer) the state its windows share, the actions that run the model, and one
// function per window. The windows only read the engine's textures (display passes, single-texel reads, a cached
// download for the head view and norms); every run of the model goes through the Generator.
#pragma once
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "runtime/generator.h"
#include "viewer/app.h"
#include "viewer/display.h"

namespace gpt2gl {

// --show: one window full-window (screenshots, tests, a projector), or all of them.
struct Show {
    enum Panel { all, attention, headview, residual, logits, atlas, passes, caps, text } panel = all;
    int a = 0, b = 0;  // attention, headview: layer, head; residual: layer; passes: the pass to select (-1: none)
};
// Throws std::runtime_error naming the forms it takes.
Show parse_show(const std::string& s, const Gpt2Config& c);

// One drawn pass as the pass list shows it.
struct PassRecord {
    Pass pass;
    std::string scope;
    double ms = 0;  // glFinish-synced when timing is on, else the CPU time to issue it
};

// A generated token and the most likely tokens of the logits it was drawn from.
struct GeneratedStep {
    int token;
    std::vector<std::pair<int, float>> top;  // (id, logit)
};

struct ViewerState {
    using Clock = std::chrono::steady_clock;
    ViewerState(const ViewerOptions& o, Generator& gen);

    const ViewerOptions& o;
    Generator& g;
    Display display;
    Show show;
    std::map<std::string, ViewTexture> views;  // by name, resized as panels need
    ViewTexture& view(const std::string& name, int w, int h);
    long forwards = 0;  // counts every forward: cached downloads know when they are stale
    const std::vector<float>& downloaded(const Tensor& t);  // t's contents, downloaded once per forward

    // controls
    char prompt[4096] = {};
    SamplerOptions sampling;
    bool generating = false;
    std::string status;
    std::vector<GeneratedStep> history;
    int selected_step = -1;  // a generated token whose logits the logits window shows (-1: the next token's)

    // attention: the head shown, and the visible window of the matrix (zoom: tokens shown = ceil(S / zoom))
    int layer = 0, head = 0;
    float zoom = 1.0f, row0 = 0.0f, col0 = 0.0f;
    // residual stream
    int res_layer = 0, res_mode = 0;  // mode: 0 the block's output, 1 its attention's part, 2 its MLP's part
    bool per_token = true;
    float res_scale = 2.0f;
    float atlas_zoom = 1.0f;

    // render passes
    std::vector<PassRecord> passes;  // of the latest forward
    bool capturing = false, new_list = false, time_passes = true;
    Clock::time_point last_pass;
    std::vector<Pass> pending;  // step mode: the next token's passes, not yet drawn
    size_t next_pass = 0;
    int selected_pass = -1;
    bool reveal_pass = true;  // open the list at the selected pass (set when it is chosen from outside the list)

    nlohmann::json layout;  // what the windows drew where (--layout, for tests)
    struct ImFont* mono = nullptr;  // for code and the pass list (null: the UI font)

private:
    std::map<const Tensor*, std::pair<long, std::vector<float>>> cache_;
};

// [SECTION] actions (viewer/app.cpp)
void run_prompt(ViewerState& s);
bool step_token(ViewerState& s);        // false when generation ended (context full, <|endoftext|>)
void record_next_token(ViewerState& s);  // step mode: the next token's passes, drawn one by one after
void draw_next_pass(ViewerState& s);

// [SECTION] windows
void controls_window(ViewerState& s);   // viewer/panels.cpp
void text_window(ViewerState& s);
void logits_window(ViewerState& s);
void residual_window(ViewerState& s);
void atlas_window(ViewerState& s);
void caps_window(ViewerState& s);
void attention_window(ViewerState& s);  // viewer/attention.cpp
void head_view_window(ViewerState& s);
void passes_window(ViewerState& s);     // viewer/passes_window.cpp

}  // namespace gpt2gl
