// model/numerics.h — the number formats tensors are stored in, and their arithmetic on the CPU: what a half
// texture holds, what 8-bit weights stand for. GL-free: the engine stores in these formats, the CPU reference
// computes on what they hold.
#pragma once
#include <string>
#include <vector>

namespace gpt2gl {

// fp32, fp16, rgba8, half: how every tensor of an engine is stored (rgba8: an fp32 as the 4 bytes of an RGBA8
// texel; half: for GPUs whose fragment shaders compute in FP16 only, a value as two halves hi + lo in the bytes of
// an RGBA8 texel, pack_half2).
// Weight matrices only, beside any of them: q8, int8 weights 4 to an RGBA8 texel; q8p, the same int8 weights packed
// 3 to a float channel (pack_q8x3), 12 to an RGBA32F texel; q4p, 4-bit weights with a scale per 24 inputs, packed 6
// to a float channel (pack_q4x6), 24 to an RGBA32F texel.
enum class Tier { fp32, fp16, rgba8, q8, q8p, half, q4p };
const char* tier_name(Tier t);
bool parse_tier(const std::string& s, Tier* out);  // fp32, fp16, rgba8 or half
// Whether a tier codes one value in each RGBA8 texel (rgba8, half): layouts and shaders read 4 texels per vec4.
inline bool coded_tier(Tier t) { return t == Tier::rgba8 || t == Tier::half; }

// v rounded to the nearest half (what fp16 textures hold).
std::vector<float> round_to_half(const std::vector<float>& v);

// The half tier's texel: v as hi = half(v) in bytes 0-1 and lo = half(v - hi) in bytes 2-3, each little-endian
// (byte 0: mantissa bits 0-7; byte 1: mantissa bits 8-9, exponent << 2, sign << 7), so hi + lo keeps ~21 bits.
// Values beyond +-65504 (the largest half) are clamped to it; halves below 2^-14 (subnormal) are flushed to 0, as the
// shader's codec does (glsl/prelude.glsl decode_float, TIER_HALF).
void pack_half2(float v, unsigned char out[4]);
float unpack_half2(const unsigned char b[4]);
// What the half tier stores for v: unpack_half2(pack_half2(v)).
std::vector<float> round_to_half2(const std::vector<float>& v);

// Symmetric 8-bit quantization per row of w (rows, cols): scale[r] = max_c |w[r, c]| / 127 and
// q[r, c] = round(w[r, c] / scale[r]) in [-127, 127] (a row of zeros gets scale 0; non-finite weights become 0).
void quantize_q8(const float* w, int rows, int cols, std::vector<float>* q, std::vector<float>* scale);
// Three int8 values in [-127, 127] as one float, signed digits of base 256: q0 + 256 q1 + 65536 q2, an integer of
// magnitude below 2^23 and so exact in fp32 (a shader takes it apart by rounding; glsl/prelude.glsl unpack_q8x3).
float pack_q8x3(float q0, float q1, float q2);
void unpack_q8x3(float v, float* q0, float* q1, float* q2);
// q[r, c] * scale[r]: the weights quantize_q8's output stands for.
std::vector<float> dequantize_q8(const std::vector<float>& q, const std::vector<float>& scale, int cols);

// Symmetric 4-bit quantization of w (rows, cols) in groups of kQ4Group consecutive cols of a row:
// scale[r, g] = max |w[r, 24g .. 24g + 23]| / 7 and q[r, c] = round(w[r, c] / scale[r, c / 24]) in [-7, 7] (scale is
// (rows, groups), groups = ceil(cols / 24); an all-zero group gets scale 0; non-finite weights become 0).
constexpr int kQ4Group = 24;
void quantize_q4(const float* w, int rows, int cols, std::vector<float>* q, std::vector<float>* scale);
// q[r, c] * scale[r, c / 24]: the weights quantize_q4's output stands for.
std::vector<float> dequantize_q4(const std::vector<float>& q, const std::vector<float>& scale, int cols);
// Six values in [-7, 7] as one float, signed digits of base 16: q0 + 16 q1 + ... + 16^5 q5, an integer of magnitude
// below 2^24 and so exact in fp32 (glsl/prelude.glsl unpack_q4x6 takes it apart by rounding, which -8 would tie).
float pack_q4x6(const float q[6]);
void unpack_q4x6(float v, float q[6]);

}  // namespace gpt2gl
