// passes/tensor.h — tensors in textures: storage tiers, the tensor -> texture layout, and the Tensor object.
// Knows layouts and tiers, not GPT-2.
//
// Layout of a tensor [rows, cols] (row-major) in one texture, in texel columns tc:
//   float tiers (fp32, fp16): a texel holds 4 consecutive cols (RGBA), tc = c / 4, texels_per_row = ceil(cols/4)
//   rgba8 tier:               a texel holds one fp32 as its 4 bytes, tc = c,  texels_per_row = 4 * ceil(cols/4)
//   half tier:                a texel holds one value as two halves (pack_half2), laid out as rgba8; width and height
//                             rounded up to powers of two (exact texel coordinates in FP16)
//   q8 (weights only):        an RGBA8 texel holds 4 consecutive cols as int8 + 128, laid out as the float tiers
//   q8p (weights only):       an RGBA32F texel holds 4 consecutive cols, each channel 3 int8 (pack_q8x3), laid out
//                             as the float tiers
//   q4p (weights only):       the same with 6 signed 4-bit values to a channel (pack_q4x6)
// A row longer than MAX_TEXTURE_SIZE is cut into segments of seg_w texels; segment s of every row makes the lines
// yl = s*rows + row; when there are more lines than MAX_TEXTURE_SIZE they fold into bands of band_h lines laid side
// by side: (x, y) = (band*seg_w + tc - s*seg_w, yl - band*band_h). Shaders do the same math (glsl/prelude.glsl).
// Weight matrices are stored transposed and split over several textures when one is too small (SplitTensor).
#pragma once
#include <string>
#include <vector>

#include "gl/gl.h"
#include "model/numerics.h"

namespace gpt2gl {

struct Rect {
    int x = 0, y = 0, w = 0, h = 0;
};

// The least power of two >= n (n >= 1): the half tier's texture sides, so that 1 / size is exact in FP16.
inline int pow2_at_least(int n) {
    int p = 1;
    while (p < n) p *= 2;
    return p;
}

struct Layout {
    int rows = 0, cols = 0;
    int texels_per_row = 0;
    int seg_w = 0, nseg = 0;
    int band_h = 0, nbands = 0;
    int width = 0, height = 0;
    int texel_elems = 4;  // tensor elements per texel: 4 (float tiers, q8) or 1 (rgba8, half)

    static Layout make(int rows, int cols, Tier tier, int max_size);
    bool fits(int max_size) const;           // one texture, every index below 2^24
    bool plain() const { return nseg == 1 && nbands == 1; }  // texel (row, tc) at (tc, row)
    Rect texel(int row, int tc) const;       // (x, y) of one texel, w = h = 1
    struct Cell {
        int row, tc;
    };
    Cell cell(int x, int y) const;           // the inverse: which (row, tc) the texel at (x, y) holds
    // Rectangles of texels covering rows [row0, row1) x texel cols [tc0, tc1), each a viewport for one draw.
    std::vector<Rect> rects(int row0, int row1, int tc0, int tc1) const;
    // The most rows (a multiple of 4) of `cols` cols that fit one texture.
    static int max_rows(int cols, Tier tier, int max_size);
    // The most cols (a multiple of 4) of `rows` rows that fit one texture.
    static int max_cols(int rows, Tier tier, int max_size);
};

// What every tensor of an engine shares: the tier, its texel format and the size limit in force.
struct Storage {
    Tier tier = Tier::fp32;
    gl::TexFormat format;
    gl::TexFormat bytes;  // RGBA8 textures of the q8 weights (Caps::rgba8)
    gl::TexFormat half;   // RGBA16F textures of fp16 weights beside the fp32 tier (Caps::fp16), if has_half
    bool has_half = false;
    gl::TexFormat packed;  // RGBA32F textures of q8p and q4p weights (Caps::fp32: sampled exactly), if has_packed
    bool has_packed = false;
    int max_size = 0;  // MAX_TEXTURE_SIZE, or a lower forced limit
};

// A tensor [rows, cols] in one texture, with its framebuffer made on first use as a render target.
class Tensor {
public:
    Tensor() = default;
    Tensor(const Storage& storage, std::string name, int rows, int cols);  // zeros; throws if it cannot fit
    Tensor(Tensor&&) = default;
    Tensor& operator=(Tensor&&) = default;

    void upload(const float* data);   // rows*cols floats, row-major
    std::vector<float> download() const;  // rows*cols floats
    // The raw image, for tests: width*height*4 floats (float tiers; q8: the int8 values) or width*height (rgba8: each
    // texel's bytes as a float; half: each texel's value).
    std::vector<float> download_texels() const;
    void upload_texels(const std::vector<float>& texels);

    float read(int row, int col) const;  // one element, one 1x1 glReadPixels (the viewer's hover readout)
    const gl::Framebuffer& framebuffer() const;
    const gl::Texture& texture() const { return texture_; }
    const Layout& layout() const { return layout_; }
    Tier tier() const { return tier_; }
    // One plain image whose texels are not rgba8-coded: texel (row, tc) at (tc, row), fetched with no addressing
    // (shaders' NAME_PLAIN defines, glsl/prelude.glsl load_plain).
    bool plain_image() const { return layout_.plain() && !coded_tier(tier_); }
    long bytes() const;  // of the texture: texels x (fp32, q8p and q4p 16, fp16 8, rgba8, half and q8 4)
    const std::string& name() const { return name_; }
    int rows() const { return layout_.rows; }
    int cols() const { return layout_.cols; }
    explicit operator bool() const { return bool(texture_); }

private:
    std::string name_;
    Tier tier_ = Tier::fp32;
    Layout layout_;
    gl::Texture texture_;
    mutable gl::Framebuffer framebuffer_;
};

// Tensors of one shape that one pass writes at once (draw buffers): its fragments write gl_FragData[i] into
// tensors[i], the framebuffer holding them all as colour attachments (needs Caps::draw_buffers >= their count).
struct TensorGroup {
    std::vector<Tensor> tensors;
    gl::Framebuffer framebuffer;
    TensorGroup(const Storage& storage, const std::string& name, int n, int rows, int cols);
};

// A weight matrix W [rows, cols] = (out, in), stored transposed: part i holds W[r0 : r0 + n, :]^T as a tensor
// [cols, n] (r0 = i * rows_per_part, n <= rows_per_part, a multiple of 4 that fits one texture). A texel then holds
// 4 consecutive output rows of one input col, so the fragments of neighbouring outputs read neighbouring texels.
// `as` is how the weights are stored: the storage's tier, fp16 (half textures beside the fp32 tier), or q8 / q8p: the
// parts hold int8 q in [-127, 127] and `scale` (1, rows), in the storage's tier, holds one scale per row:
// w[r, c] ~ q[r, c] * scale[r] (quantize_q8). q8p packs 3 input cols into each element: part i is a tensor
// [packed_rows, n] whose element (j, r) = pack_q8x3(q[r0 + r, 3j .. 3j + 2]); packed_rows = 4 * ceil(cols / 12), so
// that groups of 12 inputs (3 texels of x) meet 4 whole rows, the input cols past `cols` packed as q = 0.
// q4p (the layers' matrices of weights "q4-packed"): q in [-7, 7] per group of 24 input cols (quantize_q4), 6 packed
// into each element: element (j, r) = pack_q4x6(q[r0 + r, 6j .. 6j + 5]), packed_rows = 4 * ceil(cols / 24), so
// that a group (6 texels of x) meets 4 whole rows; `scale` is (groups, rows): element (g, r) = the scale of row r's
// group g, so that its texel (g, c4) holds the scales of the 4 outputs W's texels (4g .. 4g + 3, c4) make.
// by_rows (the coded tiers, rgba8 and half, whose fragments keep one output each; their own or q8 weights): part i
// holds W[r0 : r0 + n, :] itself, a tensor [n, cols] (q8: in one plain image where it fits): the fragment walks its
// output's row, where W^T's texels would give it 4 outputs' weights to keep one.
struct SplitTensor {
    std::string name;
    int rows = 0, cols = 0, rows_per_part = 0;
    bool by_rows = false;
    std::vector<Tensor> parts;
    Tensor scale;  // q8 and q8p: (1, rows); q4p: (groups, rows)

    SplitTensor() = default;
    SplitTensor(const Storage& storage, std::string name, int rows, int cols, const float* data, Tier as);
    bool quantized() const { return bool(scale); }
    bool packed() const { return q4() || (!parts.empty() && parts[0].tier() == Tier::q8p); }  // q8p or q4p
    bool q4() const { return !parts.empty() && parts[0].tier() == Tier::q4p; }
    int inputs_per_element() const { return q4() ? 6 : packed() ? 3 : 1; }  // input cols in one stored value
    int part_rows(size_t i) const { return by_rows ? parts[i].rows() : parts[i].cols(); }  // W's rows in part i
    std::vector<float> download_stored() const;  // (rows, cols) as stored: the weights, or q8's / q4's integers
    std::vector<float> download() const;         // (rows, cols); q8, q4: q * scale
};

}  // namespace gpt2gl
