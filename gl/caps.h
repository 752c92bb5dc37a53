// gl/caps.h — what this GL context can do, probed once by actually rendering and reading back.
// The engine picks its storage tier from this; passes never look at extensions themselves.
#pragma once
#include <string>
#include <vector>

#include "gl/gl.h"

namespace gl {

// A float texel format that the probe rendered into, sampled from and read back exactly.
struct FloatSupport {
    bool ok = false;
    TexFormat format;
    std::string why;  // how it was found, or why it failed
    bool blend = false;     // additive blending into it is exact and unclamped (split-K passes accumulate this way)
    std::string blend_why;  // or why not
};

struct Caps {
    std::string backend, version, glsl_version, renderer, vendor;
    bool es3 = false;  // ES 3.x context (sized float formats); false on ES 2.0 and WebGL 1.0
    std::vector<std::string> extensions;
    int max_texture_size = 0, max_texture_units = 0, max_viewport = 0;
    int highp_float_bits = 0;  // fragment-shader highp float mantissa bits (0: no highp)
    int highp_int_bits = 0;    // fragment-shader highp int range bits
    int mediump_float_bits = 0;  // fragment-shader mediump float mantissa bits, as reported
    // Mantissa bits fragment arithmetic really keeps at each precision, measured by a pass (measure_mantissa in
    // gl/caps.cpp): 1 + 2^-k told apart from 1 for k = 8 .. 23. 23: fp32; 10: FP16 (Mesa's llvmpipe computes
    // mediump so); 0: fewer than 8, or not measured.
    int highp_bits_computed = 0, mediump_bits_computed = 0;
    FloatSupport fp32;         // RGBA32F (ES3) or RGBA+FLOAT (OES_texture_float + color_buffer_float)
    FloatSupport fp16;         // RGBA16F (ES3) or RGBA+HALF_FLOAT_OES
    bool timer_query = false;  // EXT_disjoint_timer_query
    // Textures one pass can write at once (gl_FragData[i] in GLSL ES 1.00 through EXT_draw_buffers / WEBGL_draw_buffers),
    // up to 8; 1 without the extension or when the probe's pass into that many targets did not read back right.
    int draw_buffers = 1;
    std::string draw_buffers_why;
    std::string draw_buffers_ext;  // the extension shaders name for it: GL_EXT_draw_buffers or GL_NV_draw_buffers
    // Byte textures (q8 weights, the rgba8 tier): sized RGBA8 on ES 3, unsized GL_RGBA on ES 2.0 and WebGL 1.0.
    TexFormat rgba8;

    bool has(const std::string& ext) const;
    bool highp() const { return highp_float_bits >= 23 && highp_int_bits >= 16; }
};

// Needs a current context. Cheap (a few 4x1 draws); call once.
Caps probe_caps(const std::string& backend);


}  // namespace gl
