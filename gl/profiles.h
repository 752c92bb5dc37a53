// gl/profiles.h — old GPUs by name, emulated: a profile masks what the capability probe found down to what that
// device offers (texture size, texture units, float and half render targets, float blending, fragment highp, draw
// buffers, the extensions that say so), so the engine chooses what it would choose there and runs within those limits. It is
// emulation of the limits, not of the device: the arithmetic is still this GPU's (README: GPUs by family).
#pragma once
#include <string>
#include <vector>

#include "gl/caps.h"

namespace gl {

struct GpuProfile {
    const char* name;    // what --gpu-profile and ?profile= take
    const char* device;  // the hardware it stands for
    int max_texture_size, texture_units;
    bool float_render, half_render, float_blend, highp, extensions;  // extensions: false hides every one
    int draw_buffers;  // textures one pass writes at once (EXT_draw_buffers; 1: none)
};
const std::vector<GpuProfile>& gpu_profiles();

// Masks `caps` down to the named profile; "" leaves it as it is. Throws gl::Error listing the names for any other.
void apply_profile(Caps& caps, const std::string& name);

}  // namespace gl
