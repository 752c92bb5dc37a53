// viewer/app.h — `gpt2gl view`: a GLFW window (OpenGL ES 2.0) where a person watches GPT-2 run and steps through
// its render passes. Dear ImGui for the controls; heatmaps drawn from the engine's textures by viewer/display.h.
#pragma once
#include <string>
#include <vector>

#include "model/sampler.h"
#include "passes/engine.h"

namespace gpt2gl {

struct ViewerOptions {
    std::string model;
    std::string prompt = "ROMEO:";
    EngineOptions engine;
    SamplerOptions sampling;
    int n_ctx = 128;
    bool ignore_eot = false;  // generate on past <|endoftext|>
    int width = 1400, height = 900;
    // Non-interactive: run the prompt (and `generate` tokens), draw the panel in `show` full-window, write a PNG to
    // `screenshot` and, if set, what was drawn where to `layout` (JSON), then exit.
    // attention:LAYER:HEAD | headview:LAYER:HEAD | residual:LAYER | logits | atlas | passes[:N] | caps | text
    std::string show;
    std::string screenshot, layout;
    int generate = 0;
    std::vector<float> mouse;  // (x, y) in window pixels: where the mouse is for the screenshot (hover readouts)
    int step_passes = -1;      // >= 0: step mode, this many passes of the next token drawn before the screenshot
};

int run_viewer(const ViewerOptions& o);  // returns the process exit code

}  // namespace gpt2gl
