// viewer/captions.h — what one fragment of each op computes, in a paragraph for a student: the render-pass windows of
// the viewer and of the page show it beside the op's GLSL.
#pragma once
#include <string>

namespace gpt2gl {

const char* op_caption(const std::string& op);  // "" for an unknown op

}  // namespace gpt2gl
