// viewer/widgets.h — drawing helpers over Dear ImGui that the panels share: token labels, rotated text, a colour
// legend, and GLSL with light syntax colouring.
#pragma once
#include <imgui.h>

#include <string>

#include "viewer/display.h"

namespace gpt2gl {

// A token's text as a label: newline, tab, carriage return escaped; other control bytes as \xNN; "" as "·".
std::string token_label(const std::string& raw);
// At most `n` characters of a label (UTF-8 aware), an ellipsis when cut.
std::string truncate_label(const std::string& s, size_t n);

ImTextureID tex_id(const ViewTexture& v);
ImU32 rgb(glm::vec3 c, float alpha = 1.0f);

// Text drawn at `pos` turned by `angle` radians about `pos` (counter-clockwise on screen for negative angles).
void text_rotated(ImDrawList* dl, ImVec2 pos, ImU32 col, const std::string& text, float angle);

// A vertical colour bar of the map (sequential: 0..1, else diverging -1..1) at p, size, with labels at its ends and
// middle written beside it.
void colour_bar(ImDrawList* dl, ImVec2 p, ImVec2 size, bool sequential, const std::string& top, const std::string& mid,
                const std::string& bottom);

// GLSL source with comments, preprocessor lines, keywords, types and numbers coloured, one line per row.
void glsl_text(const std::string& source);

}  // namespace gpt2gl
