// passes/tensor.cpp — layouts, uploads and downloads per tier. See tensor.h.
#include "passes/tensor.h"

#include <glm/gtc/packing.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace gpt2gl {

static constexpr long kExact = 1L << 24;  // float index arithmetic in shaders is exact below this

static int ceil_div(long a, long b) { return int((a + b - 1) / b); }

// [SECTION] Layout

Layout Layout::make(int rows, int cols, Tier tier, int max_size) {
    Layout l;
    l.rows = rows;
    l.cols = cols;
    const bool coded = coded_tier(tier);
    int unit = coded ? 4 : 1;  // rgba8, half: a vec4 load reads 4 side-by-side texels of one segment
    l.texel_elems = coded ? 1 : 4;
    l.texels_per_row = coded ? 4 * ceil_div(cols, 4) : ceil_div(cols, 4);
    l.seg_w = std::max(1, std::min(l.texels_per_row, max_size / unit * unit));
    l.nseg = ceil_div(l.texels_per_row, l.seg_w);
    long lines = long(l.nseg) * rows;
    l.nbands = std::max(1, ceil_div(lines, max_size));
    l.band_h = std::max(1, ceil_div(lines, l.nbands));
    l.width = l.nbands * l.seg_w;
    l.height = l.band_h;
    if (tier == Tier::half) {  // powers of two: 1/width and 1/height are exact in FP16 (texel centres stay exact)
        l.width = pow2_at_least(l.width);
        l.height = pow2_at_least(l.height);
    }
    return l;
}

bool Layout::fits(int max_size) const {
    return width <= max_size && height <= max_size && long(nseg) * rows < kExact && long(width) * height < kExact * 4;
}

Rect Layout::texel(int row, int tc) const {
    int s = tc / seg_w;
    long yl = long(s) * rows + row;
    int band = int(yl / band_h);
    return {band * seg_w + tc - s * seg_w, int(yl - long(band) * band_h), 1, 1};
}

std::vector<Rect> Layout::rects(int row0, int row1, int tc0, int tc1) const {
    std::vector<Rect> out;
    if (row0 >= row1 || tc0 >= tc1) return out;
    for (int s = tc0 / seg_w; s <= (tc1 - 1) / seg_w; ++s) {
        int xs0 = std::max(tc0 - s * seg_w, 0), xs1 = std::min(tc1 - s * seg_w, seg_w);
        long yl0 = long(s) * rows + row0, yl1 = long(s) * rows + row1;
        for (long b = yl0 / band_h; b <= (yl1 - 1) / band_h; ++b) {
            int y0 = int(std::max(yl0 - b * band_h, 0L)), y1 = int(std::min(yl1 - b * band_h, long(band_h)));
            out.push_back({int(b) * seg_w + xs0, y0, xs1 - xs0, y1 - y0});
        }
    }
    return out;
}

// The largest multiple of 4 for which fits() holds, fits being true at 4 and false from some n on: doubling, then
// bisection (a few dozen layouts, where walking down in steps of 4 took tens of thousands).
template <class Fits>
static int largest_fitting(Fits fits) {
    if (!fits(4)) return 0;
    long lo = 4, hi = 4;  // fits(lo); grow hi until it does not fit, then bisect (in steps of 4)
    while (fits(hi) && hi < (1L << 30)) lo = hi, hi *= 2;
    while (hi - lo > 4) {
        long mid = (lo + hi) / 8 * 4;
        (fits(mid) ? lo : hi) = mid;
    }
    return int(lo);
}

int Layout::max_rows(int cols, Tier tier, int max_size) {
    return largest_fitting([&](long rows) { return make(int(rows), cols, tier, max_size).fits(max_size); });
}

int Layout::max_cols(int rows, Tier tier, int max_size) {
    return largest_fitting([&](long cols) { return make(rows, int(cols), tier, max_size).fits(max_size); });
}

// [SECTION] Tensor

static std::string too_big(const std::string& name, int rows, int cols, const Layout& l, int max_size) {
    return name + ": tensor [" + std::to_string(rows) + ", " + std::to_string(cols) + "] needs a " +
           std::to_string(l.width) + "x" + std::to_string(l.height) + " texture, over the limit of " +
           std::to_string(max_size) + " (MAX_TEXTURE_SIZE, or the lower limit asked for)";
}

Tensor::Tensor(const Storage& st, std::string name, int rows, int cols)
    : name_(std::move(name)), tier_(st.tier), layout_(Layout::make(rows, cols, st.tier, st.max_size)) {
    if (rows <= 0 || cols <= 0) throw gl::Error(name_ + ": empty tensor shape");
    if (!layout_.fits(st.max_size)) throw gl::Error(too_big(name_, rows, cols, layout_, st.max_size));
    texture_ = gl::Texture({layout_.width, layout_.height, st.format, nullptr, name_.c_str()});
}

long Tensor::bytes() const {
    const bool floats = tier_ == Tier::fp32 || tier_ == Tier::q8p || tier_ == Tier::q4p;
    return long(layout_.width) * layout_.height * (floats ? 16 : tier_ == Tier::fp16 ? 8 : 4);
}

Layout::Cell Layout::cell(int x, int y) const {
    int band = x / seg_w, xs = x - band * seg_w;
    long yl = long(band) * band_h + y;
    int s = int(yl / rows);
    return {int(yl - long(s) * rows), s * seg_w + xs};
}

const gl::Framebuffer& Tensor::framebuffer() const {
    if (!framebuffer_) framebuffer_ = gl::Framebuffer(texture_, name_.c_str());
    return framebuffer_;
}

TensorGroup::TensorGroup(const Storage& st, const std::string& name, int n, int rows, int cols) {
    std::vector<const gl::Texture*> colors;
    for (int i = 0; i < n; ++i) tensors.emplace_back(st, name + "[" + std::to_string(i) + "]", rows, cols);
    for (auto& t : tensors) colors.push_back(&t.texture());
    framebuffer = gl::Framebuffer(colors, name.c_str());
}

void Tensor::upload_texels(const std::vector<float>& texels) {
    if (tier_ == Tier::q8) {
        std::vector<unsigned char> bytes(texels.size());
        for (size_t i = 0; i < texels.size(); ++i) bytes[i] = (unsigned char)(std::lround(std::clamp(texels[i], -127.0f, 127.0f)) + 128);
        texture_.upload(bytes.data());
    } else if (tier_ == Tier::half) {
        std::vector<unsigned char> bytes(texels.size() * 4);
        for (size_t i = 0; i < texels.size(); ++i) pack_half2(texels[i], &bytes[4 * i]);
        texture_.upload(bytes.data());
    } else if (tier_ == Tier::fp16) {
        std::vector<unsigned short> half(texels.size());
        for (size_t i = 0; i < texels.size(); ++i) half[i] = glm::packHalf1x16(texels[i]);
        texture_.upload(half.data());
    } else {  // fp32 and q8p: floats; rgba8: the float's own 4 bytes are the texel
        texture_.upload(texels.data());
    }
}

// Calls f(row, first col, image offset, count) for each run of a row's elements that lie side by side in the image:
// one per segment (float tiers: 4 elements per texel, rgba8: one per texel).
template <typename F>
static void for_each_run(const Layout& l, F f) {
    const int per = l.texel_elems, run = l.seg_w * per;
    for (int r = 0; r < l.rows; ++r)
        for (int s = 0; s < l.nseg; ++s) {
            int c0 = s * run;
            if (c0 >= l.cols) break;
            Rect p = l.texel(r, s * l.seg_w);
            f(r, c0, (size_t(p.y) * l.width + p.x) * per, std::min(run, l.cols - c0));
        }
}

void Tensor::upload(const float* data) {
    const Layout& l = layout_;
    std::vector<float> img(size_t(l.width) * l.height * l.texel_elems, 0.0f);
    for_each_run(l, [&](int r, int c0, size_t at, int n) {
        std::copy_n(data + size_t(r) * l.cols + c0, n, img.begin() + long(at));
    });
    upload_texels(img);
}

std::vector<float> Tensor::download_texels() const {
    const Layout& l = layout_;
    framebuffer().bind();
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    std::vector<float> img;
    if (tier_ == Tier::rgba8) {
        img.resize(size_t(l.width) * l.height);
        glReadPixels(0, 0, l.width, l.height, GL_RGBA, GL_UNSIGNED_BYTE, img.data());
    } else if (tier_ == Tier::half) {
        std::vector<unsigned char> bytes(size_t(l.width) * l.height * 4);
        glReadPixels(0, 0, l.width, l.height, GL_RGBA, GL_UNSIGNED_BYTE, bytes.data());
        img.resize(size_t(l.width) * l.height);
        for (size_t i = 0; i < img.size(); ++i) img[i] = unpack_half2(&bytes[4 * i]);
    } else if (tier_ == Tier::q8) {
        std::vector<unsigned char> bytes(size_t(l.width) * l.height * 4);
        glReadPixels(0, 0, l.width, l.height, GL_RGBA, GL_UNSIGNED_BYTE, bytes.data());
        img.assign(bytes.begin(), bytes.end());
        for (float& v : img) v -= 128.0f;
    } else if (texture_.format().read_type == GL_FLOAT) {
        img.resize(size_t(l.width) * l.height * 4);
        glReadPixels(0, 0, l.width, l.height, GL_RGBA, GL_FLOAT, img.data());
    } else {  // a half framebuffer that only reads back as halves
        std::vector<unsigned short> half(size_t(l.width) * l.height * 4);
        glReadPixels(0, 0, l.width, l.height, GL_RGBA, texture_.format().read_type, half.data());
        img.resize(half.size());
        for (size_t i = 0; i < half.size(); ++i) img[i] = glm::unpackHalf1x16(half[i]);
    }
    gl::bind_framebuffer(0);
    gl::check(("reading back " + name_).c_str());
    return img;
}

float Tensor::read(int row, int col) const {
    if (row < 0 || row >= layout_.rows || col < 0 || col >= layout_.cols) return 0.0f;
    const Layout& l = layout_;
    Rect p = l.texel(row, l.texel_elems == 4 ? col / 4 : col);
    framebuffer().bind();
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    float v[4] = {0, 0, 0, 0};
    if (tier_ == Tier::rgba8) {
        glReadPixels(p.x, p.y, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, v);  // the float's own bytes
    } else if (tier_ == Tier::half) {
        unsigned char b[4];
        glReadPixels(p.x, p.y, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, b);
        v[0] = unpack_half2(b);
    } else if (tier_ == Tier::q8) {
        unsigned char b[4];
        glReadPixels(p.x, p.y, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, b);
        for (int i = 0; i < 4; ++i) v[i] = float(b[i]) - 128.0f;
    } else if (texture_.format().read_type == GL_FLOAT) {
        glReadPixels(p.x, p.y, 1, 1, GL_RGBA, GL_FLOAT, v);
    } else {
        unsigned short h[4];
        glReadPixels(p.x, p.y, 1, 1, GL_RGBA, texture_.format().read_type, h);
        for (int i = 0; i < 4; ++i) v[i] = glm::unpackHalf1x16(h[i]);
    }
    gl::bind_framebuffer(0);
    return l.texel_elems == 4 ? v[col % 4] : v[0];
}

std::vector<float> Tensor::download() const {
    const Layout& l = layout_;
    std::vector<float> img = download_texels();
    std::vector<float> out(size_t(l.rows) * l.cols);
    for_each_run(l, [&](int r, int c0, size_t at, int n) {
        std::copy_n(img.begin() + long(at), n, out.begin() + long(r) * l.cols + c0);
    });
    return out;
}

// [SECTION] SplitTensor

SplitTensor::SplitTensor(const Storage& st_in, std::string n, int r, int c, const float* data, Tier as)
    : name(std::move(n)), rows(r), cols(c) {
    std::vector<float> q;
    Storage st = st_in;
    if (as == Tier::fp16 && st.tier != Tier::fp16) {
        if (st.tier != Tier::fp32 || !st.has_half)
            throw gl::Error(name + ": fp16 weights need the fp32 tier and half-float textures");
        st.tier = Tier::fp16;
        st.format = st.half;
    }
    if ((as == Tier::q8p || as == Tier::q4p) && !st.has_packed)
        throw gl::Error(name + ": packed weights need float textures that sample exactly");
    if (as == Tier::q4p && st.tier != Tier::fp32 && st.tier != Tier::fp16)
        throw gl::Error(name + ": q4 weights need a float tier (fp32 or fp16)");
    const int groups = (cols + kQ4Group - 1) / kQ4Group;
    if (as == Tier::q8 || as == Tier::q8p || as == Tier::q4p) {
        scale = Tensor(st_in, name + ".scale", as == Tier::q4p ? groups : 1, rows);
        if (data) {
            std::vector<float> s;
            if (as == Tier::q4p) {
                quantize_q4(data, rows, cols, &q, &s);
                std::vector<float> by_group(s.size());  // (rows, groups) -> (groups, rows)
                for (int r = 0; r < rows; ++r)
                    for (int g = 0; g < groups; ++g) by_group[size_t(g) * rows + r] = s[size_t(r) * groups + g];
                s.swap(by_group);
            } else {
                quantize_q8(data, rows, cols, &q, &s);
            }
            scale.upload(s.data());
            data = q.data();
        }
        st.tier = as;
        st.format = as == Tier::q8 ? st.bytes : st.packed;
    }
    const int per = as == Tier::q4p ? 6 : as == Tier::q8p ? 3 : 1;  // input cols packed into one element
    const bool pack = per > 1;
    // the coded tiers' fragments keep one output: their own and q8 weights by rows
    by_rows = coded_tier(st_in.tier) && (as == st_in.tier || as == Tier::q8);
    const int stored_rows = pack ? 4 * ((cols + 4 * per - 1) / (4 * per)) : cols;  // rows of each part (W^T's)
    if (by_rows) {
        rows_per_part = Layout::max_rows(cols, st.tier, st.max_size);
        if (st.tier == Tier::q8 && (cols + 3) / 4 <= st.max_size)  // q8 texels read as plain images
            rows_per_part = std::min(rows_per_part, st.max_size / 4 * 4);
        if (st.tier == Tier::half)  // the part's lines (rows x segments) are FP16 indices, exact to 2048
            rows_per_part = std::min(rows_per_part, 2048 / Layout::make(1, cols, st.tier, st.max_size).nseg / 4 * 4);
    } else {
        rows_per_part = Layout::max_cols(stored_rows, st.tier, st.max_size);
        if (st.tier == Tier::half) rows_per_part = std::min(rows_per_part, st.max_size);  // one segment: FP16 indices
    }
    if (rows_per_part <= 0)
        throw gl::Error(name + ": even 4 rows of " + std::to_string(cols) +
                        " cols do not fit a texture under the limit of " + std::to_string(st.max_size));
    rows_per_part = std::min(rows_per_part, (rows + 3) / 4 * 4);
    std::vector<float> t;
    for (int r0 = 0; r0 < rows; r0 += rows_per_part) {
        int n = std::min(rows_per_part, rows - r0);
        std::string part = parts.empty() && r0 + n >= rows ? name : name + "[" + std::to_string(parts.size()) + "]";
        if (by_rows) {
            parts.emplace_back(st, part, n, cols);
            if (data) parts.back().upload(data + size_t(r0) * cols);
            continue;
        }
        parts.emplace_back(st, part, stored_rows, n);
        if (!data) continue;
        t.resize(size_t(n) * stored_rows);
        auto at = [&](int i, int k) { return k < cols ? data[size_t(r0 + i) * cols + k] : 0.0f; };
        for (int i = 0; i < n; ++i)
            for (int k = 0; k < stored_rows; ++k) {
                float v[6];
                for (int j = 0; j < per; ++j) v[j] = at(i, per * k + j);
                t[size_t(k) * n + i] = per == 6 ? pack_q4x6(v) : per == 3 ? pack_q8x3(v[0], v[1], v[2]) : v[0];
            }
        parts.back().upload(t.data());
    }
}

std::vector<float> SplitTensor::download_stored() const {
    std::vector<float> out(size_t(rows) * cols);
    for (size_t p = 0; p < parts.size(); ++p) {
        auto t = parts[p].download();  // (cols, n); q8p: (packed rows, n); by rows: (n, cols)
        int r0 = int(p) * rows_per_part, n = part_rows(p);
        if (by_rows) {
            std::copy(t.begin(), t.end(), out.begin() + long(r0) * cols);
            continue;
        }
        const int per = inputs_per_element();
        for (int k = 0; k < cols; ++k)
            for (int i = 0; i < n; ++i) {
                float v = t[size_t(k / per) * n + i], q[6];
                if (per == 6) unpack_q4x6(v, q);
                else if (per == 3) unpack_q8x3(v, &q[0], &q[1], &q[2]);
                out[size_t(r0 + i) * cols + k] = per > 1 ? q[k % per] : v;
            }
    }
    return out;
}

std::vector<float> SplitTensor::download() const {
    auto out = download_stored();
    if (!quantized()) return out;
    if (!q4()) return dequantize_q8(out, scale.download(), cols);
    const int groups = scale.rows();
    auto st = scale.download(), s = st;  // (groups, rows) -> (rows, groups)
    for (int r = 0; r < rows; ++r)
        for (int g = 0; g < groups; ++g) s[size_t(r) * groups + g] = st[size_t(g) * rows + r];
    return dequantize_q4(out, s, cols);
}

}  // namespace gpt2gl
