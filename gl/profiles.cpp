// gl/profiles.cpp — see profiles.h. Limits from the vendors' and Mesa's documentation of each family.
#include "gl/profiles.h"

#include <algorithm>

namespace gl {

const std::vector<GpuProfile>& gpu_profiles() {
    static const std::vector<GpuProfile> p = {
        // name, device, max texture, units, float render, half render, float blend, highp, extensions, draw buffers
        {"videocore-iv", "Raspberry Pi 0-3: Broadcom VideoCore IV (Mesa vc4), ES 2.0, no float or half textures", 2048, 8,
         false, false, false, true, true, 1},
        {"mali-400", "Mali-400/450 (Utgard; Mesa lima): fragment shaders compute in FP16 only, no float textures", 4096, 8,
         false, false, false, false, true, 1},
        {"mali-t720", "Mali-T720 (Midgard): float textures can be sampled but not rendered into", 8192, 16, false, false,
         false, true, true, 4},
        {"adreno-306", "Adreno 306: float and half render targets, no float blending", 4096, 16, true, true, false, true,
         true, 4},
        {"powervr-sgx544", "PowerVR SGX 544: half-float render targets only, ES 2.0", 4096, 8, false, true, false, true,
         true, 1},
        {"no-float-blend", "this GPU without float blending, as a WebGL 1 browser lacking EXT_float_blend shows it",
         1 << 16, 32, true, true, false, true, true, 8},
        {"webgl-min", "the WebGL 1.0 minimum (a browser hiding extensions): 2048 textures, no extensions", 2048, 8, false,
         false, false, true, false, 1},
    };
    return p;
}

void apply_profile(Caps& c, const std::string& name) {
    if (name.empty()) return;
    const auto& all = gpu_profiles();
    auto it = std::find_if(all.begin(), all.end(), [&](const GpuProfile& p) { return name == p.name; });
    if (it == all.end()) {
        std::string names;
        for (auto& p : all) names += std::string(names.empty() ? "" : ", ") + p.name;
        throw Error("unknown GPU profile '" + name + "' (expected " + names + ")");
    }
    const GpuProfile& p = *it;
    const std::string why = std::string("the ") + p.name + " profile (" + p.device + ")";
    c.renderer += std::string(" emulating ") + p.name;
    c.max_texture_size = std::min(c.max_texture_size, p.max_texture_size);
    c.max_viewport = c.max_viewport > 0 ? std::min(c.max_viewport, p.max_texture_size) : p.max_texture_size;
    c.max_texture_units = std::min(c.max_texture_units, p.texture_units);
    if (!p.float_render && c.fp32.ok) c.fp32.ok = false, c.fp32.why = why + " has no float render target";
    if (!p.half_render && c.fp16.ok) c.fp16.ok = false, c.fp16.why = why + " has no half-float render target";
    if (!p.float_blend) {
        for (FloatSupport* f : {&c.fp32, &c.fp16}) f->blend = false, f->blend_why = why + " does not blend floats";
    }
    if (!p.highp) {  // mediump at best: FP16 arithmetic
        c.highp_float_bits = 10, c.highp_int_bits = 0;
        c.highp_bits_computed = 0, c.mediump_bits_computed = std::min(c.mediump_bits_computed, 10);
    }
    // the extensions that would say otherwise
    auto hidden = [&](const std::string& e) {
        if (!p.extensions) return true;
        bool fl = e.find("texture_float") != std::string::npos || e.find("color_buffer_float") != std::string::npos;
        bool half = e.find("half_float") != std::string::npos;
        bool blend = e.find("float_blend") != std::string::npos;
        return (fl && !p.float_render) || (half && !p.half_render) || (blend && !p.float_blend);
    };
    c.extensions.erase(std::remove_if(c.extensions.begin(), c.extensions.end(), hidden), c.extensions.end());
    c.timer_query = c.timer_query && p.extensions;
    if (c.draw_buffers > p.draw_buffers) {
        c.draw_buffers = p.draw_buffers;
        c.draw_buffers_why = why + (p.draw_buffers > 1 ? " writes " + std::to_string(p.draw_buffers) + " at most"
                                                       : " writes one texture a pass");
    }
}

}  // namespace gl
