// glsl/quad.vert — the vertex shader of every pass: a full-screen quad (two triangles, a_pos.xy in [-1, 1]) drawn
// into the viewport of the pass's output rectangle u_rect = (x, y, w, h), in texels.
// v_texel: this fragment's absolute texel coordinates, x + 0.5 at texel centres. Fragment shaders use it instead of
// gl_FragCoord, which GLSL ES 1.00 makes mediump: at half precision (llvmpipe, many mobile GPUs) it cannot address
// texels past 1024.
// v_layer: the quad layer (gl::Quad::draw(layers)), the same at every vertex; summing passes tell slices apart by it.
#version 100
attribute vec3 a_pos;
uniform vec4 u_rect;
varying highp vec2 v_texel;
varying highp float v_layer;

void main() {
    v_texel = u_rect.xy + (a_pos.xy * 0.5 + 0.5) * u_rect.zw;
    v_layer = a_pos.z;
    gl_Position = vec4(a_pos.xy, 0.0, 1.0);
}
