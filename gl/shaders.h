// gl/shaders.h — shader sources embedded at build time (cmake/embed_glsl.cmake: glsl/ and viewer/, by file name),
// and the vertex shader every pass draws its quad with (glsl/quad.vert).
#pragma once
#include <string>
#include <vector>

namespace gl {

// The text of an embedded shader file, e.g. "matmul.frag". GPT2GL_GLSL_DIR, if set, reads it from that folder
// instead (edit a shader without rebuilding). Throws gl::Error if there is no such file.
std::string shader_source(const std::string& file);
std::vector<std::string> shader_files();
const std::string& quad_vertex_source();

}  // namespace gl
