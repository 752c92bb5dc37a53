// cli/main.cpp — the gpt2gl command line: a thin main over model/ (and passes/ for `info`).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "gl/caps.h"
#include "gl/context.h"
#include "passes/engine.h"

using namespace gpt2gl;

static void print_info(const gl::Caps& c, const Engine& e) {
    std::printf("backend        %s\n", c.backend.c_str());
    std::printf("GL_VERSION     %s\n", c.version.c_str());
    std::printf("GLSL           %s\n", c.glsl_version.c_str());
    std::printf("GL_RENDERER    %s (%s)\n", c.renderer.c_str(), c.vendor.c_str());
    std::printf("context        %s\n", c.es3 ? "OpenGL ES 3.x" : "OpenGL ES 2.0 / WebGL 1.0");
    std::printf("max texture    %d (using %d)\n", c.max_texture_size, e.storage().max_size);
    std::printf("texture units  %d\n", c.max_texture_units);
    std::printf("highp          float %d bits, int %d bits\n", c.highp_float_bits, c.highp_int_bits);
    std::printf("fp32 target    %s: %s\n", c.fp32.ok ? "yes" : "no", c.fp32.why.c_str());
    std::printf("fp16 target    %s: %s\n", c.fp16.ok ? "yes" : "no", c.fp16.why.c_str());
    std::printf("timer query    %s\n", c.timer_query ? "yes" : "no");
    std::printf("tier           %s (%s; texels %s)\n", tier_name(e.tier()), e.tier_reason().c_str(),
                e.storage().format.name);
}

int main(int argc, char** argv) {
    CLI::App app{"gpt2gl: GPT-2 through the OpenGL ES 2.0 / WebGL 1.0 graphics pipeline"};
    app.require_subcommand(1);
    EngineOptions eo;
    auto add_engine_flags = [&](CLI::App* sub) {
        sub->add_option("--precision", eo.precision, "Storage tier: auto, fp32, fp16 or rgba8")
            ->check(CLI::IsMember({"auto", "fp32", "fp16", "rgba8"}));
        sub->add_option("--max-texture-size", eo.max_texture_size, "Use at most this texture size (tests folding)");
    };
    CLI::App* info = app.add_subcommand("info", "Print the GL context, what the capability probe found and the tier");
    add_engine_flags(info);
    CLI11_PARSE(app, argc, argv);

    try {
        auto ctx = gl::create_headless_context();
        gl::Caps caps = gl::probe_caps(ctx->backend());
        Engine engine(caps, eo);
        if (*info) print_info(caps, engine);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gpt2gl: %s\n", e.what());
        return 1;
    }
    return 0;
}
