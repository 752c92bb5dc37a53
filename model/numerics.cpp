// model/numerics.cpp — see numerics.h.
#include "model/numerics.h"

#include <glm/gtc/packing.hpp>

#include <algorithm>
#include <cmath>

namespace gpt2gl {

const char* tier_name(Tier t) {
    switch (t) {
        case Tier::fp32: return "fp32";
        case Tier::fp16: return "fp16";
        case Tier::rgba8: return "rgba8";
        case Tier::q8: return "q8";
        case Tier::q8p: return "q8p";
        case Tier::half: return "half";
        case Tier::q4p: return "q4p";
    }
    return "?";
}

bool parse_tier(const std::string& s, Tier* out) {
    for (Tier t : {Tier::fp32, Tier::fp16, Tier::rgba8, Tier::half})
        if (s == tier_name(t)) {
            *out = t;
            return true;
        }
    return false;
}

void quantize_q8(const float* w, int rows, int cols, std::vector<float>* q, std::vector<float>* scale) {
    q->assign(size_t(rows) * cols, 0.0f);
    scale->assign(size_t(rows), 0.0f);
    for (int r = 0; r < rows; ++r) {
        const float* row = w + size_t(r) * cols;
        float m = 0;
        for (int c = 0; c < cols; ++c)
            if (std::isfinite(row[c])) m = std::max(m, std::fabs(row[c]));
        if (m == 0) continue;
        float s = m / 127.0f;
        (*scale)[size_t(r)] = s;
        for (int c = 0; c < cols; ++c)
            if (std::isfinite(row[c])) (*q)[size_t(r) * cols + c] = std::clamp(std::nearbyint(row[c] / s), -127.0f, 127.0f);
    }
}

float pack_q8x3(float q0, float q1, float q2) { return q0 + 256.0f * q1 + 65536.0f * q2; }

void unpack_q8x3(float v, float* q0, float* q1, float* q2) {
    long n = std::lround(v);
    float* q[3] = {q0, q1, q2};
    for (float* d : q) {
        long digit = ((n + 128) & 255) - 128;  // in [-128, 127]
        *d = float(digit);
        n = (n - digit) / 256;
    }
}

std::vector<float> dequantize_q8(const std::vector<float>& q, const std::vector<float>& scale, int cols) {
    std::vector<float> w(q.size());
    for (size_t i = 0; i < q.size(); ++i) w[i] = q[i] * scale[i / size_t(cols)];
    return w;
}

void quantize_q4(const float* w, int rows, int cols, std::vector<float>* q, std::vector<float>* scale) {
    const int groups = (cols + kQ4Group - 1) / kQ4Group;
    q->assign(size_t(rows) * cols, 0.0f);
    scale->assign(size_t(rows) * groups, 0.0f);
    for (int r = 0; r < rows; ++r)
        for (int g = 0; g < groups; ++g) {
            const int c0 = g * kQ4Group, c1 = std::min(cols, c0 + kQ4Group);
            const float* row = w + size_t(r) * cols;
            float m = 0;
            for (int c = c0; c < c1; ++c)
                if (std::isfinite(row[c])) m = std::max(m, std::fabs(row[c]));
            if (m == 0) continue;
            float s = m / 7.0f;
            (*scale)[size_t(r) * groups + g] = s;
            for (int c = c0; c < c1; ++c)
                if (std::isfinite(row[c]))
                    (*q)[size_t(r) * cols + c] = std::clamp(std::nearbyint(row[c] / s), -7.0f, 7.0f);
        }
}

std::vector<float> dequantize_q4(const std::vector<float>& q, const std::vector<float>& scale, int cols) {
    const size_t groups = size_t(cols + kQ4Group - 1) / kQ4Group;
    std::vector<float> w(q.size());
    for (size_t i = 0; i < q.size(); ++i) {
        size_t r = i / size_t(cols), c = i % size_t(cols);
        w[i] = q[i] * scale[r * groups + c / kQ4Group];
    }
    return w;
}

float pack_q4x6(const float q[6]) {
    float v = 0;
    for (int i = 5; i >= 0; --i) v = 16.0f * v + q[i];  // exact: every partial sum is an integer below 2^24
    return v;
}

void unpack_q4x6(float v, float q[6]) {
    long n = std::lround(v);
    for (int i = 0; i < 6; ++i) {
        long d = ((n + 8) & 15) - 8;  // the signed digit in [-8, 7]
        q[i] = float(d);
        n = (n - d) / 16;
    }
}

std::vector<float> round_to_half(const std::vector<float>& v) {
    std::vector<float> out(v.size());
    for (size_t i = 0; i < v.size(); ++i) out[i] = glm::unpackHalf1x16(glm::packHalf1x16(v[i]));
    return out;
}

static unsigned short flushed_half(float v) {
    unsigned short h = glm::packHalf1x16(v);
    return (h & 0x7c00) == 0 ? 0 : h;  // exponent 0: zero or subnormal -> +0
}

void pack_half2(float v, unsigned char out[4]) {
    v = std::isnan(v) ? 0.0f : std::clamp(v, -65504.0f, 65504.0f);
    unsigned short hi = flushed_half(v);
    unsigned short lo = flushed_half(v - glm::unpackHalf1x16(hi));
    out[0] = hi & 0xff, out[1] = hi >> 8, out[2] = lo & 0xff, out[3] = lo >> 8;
}

float unpack_half2(const unsigned char b[4]) {
    auto half = [](unsigned short h) { return (h & 0x7c00) == 0 ? 0.0f : glm::unpackHalf1x16(h); };
    return half((unsigned short)(b[0] | b[1] << 8)) + half((unsigned short)(b[2] | b[3] << 8));
}

std::vector<float> round_to_half2(const std::vector<float>& v) {
    std::vector<float> out(v.size());
    unsigned char b[4];
    for (size_t i = 0; i < v.size(); ++i) {
        pack_half2(v[i], b);
        out[i] = unpack_half2(b);
    }
    return out;
}

}  // namespace gpt2gl
