// passes/engine.cpp — tier choice, program cache, pass execution. See engine.h.
#include "passes/engine.h"

#include "gl/profiles.h"
#include "gl/shaders.h"
#include "passes/ops.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace gpt2gl {

// [SECTION] Pass builders

Pass& Pass::define(const std::string& name, int value) {
    defines += "#define " + name + " " + std::to_string(value) + "\n";
    return *this;
}
Pass& Pass::define(const std::string& name) {
    defines += "#define " + name + "\n";
    return *this;
}
Pass& Pass::in(const std::string& name, const Tensor& t) {
    inputs.push_back({name, &t});
    return *this;
}
Pass& Pass::tex(const std::string& name, const gl::Texture& t) {
    textures.push_back({name, &t});
    return *this;
}
Pass& Pass::set(const std::string& name, float x) {
    uniforms.push_back({name, 1, {x, 0, 0, 0}});
    return *this;
}
Pass& Pass::set(const std::string& name, float x, float y) {
    uniforms.push_back({name, 2, {x, y, 0, 0}});
    return *this;
}
Pass& Pass::set(const std::string& name, float x, float y, float z) {
    uniforms.push_back({name, 3, {x, y, z, 0}});
    return *this;
}
Pass& Pass::set(const std::string& name, float x, float y, float z, float w) {
    uniforms.push_back({name, 4, {x, y, z, w}});
    return *this;
}
Pass& Pass::out(Tensor& t, int r0, int r1, int c0, int c1) {
    output = &t;
    row0 = r0;
    row1 = r1;
    col0 = c0;
    col1 = c1;
    return *this;
}

Pass& Pass::out(TensorGroup& g, int r0, int r1, int c0, int c1) {
    group = &g;
    define("DRAW_BUFFERS", int(g.tensors.size()));
    return out(g.tensors[0], r0, r1, c0, c1);
}

Pass& Pass::sum_layers(int n) {
    layers = n;
    return *this;
}
Pass& Pass::add_to_output() {
    accumulate = true;
    return *this;
}
Pass& Pass::to_view(const gl::Framebuffer* target, Rect r) {
    view = true;
    view_target = target;
    view_rect = r;
    return *this;
}

// [SECTION] Engine

Engine::Engine(const gl::Caps& probed, const EngineOptions& opt) : caps_(probed), options_(opt) {
    gl::apply_profile(caps_, opt.gpu_profile);
    const gl::Caps& caps = caps_;
    gl::forget_bindings();
    int limit = std::min(caps.max_texture_size, caps.max_viewport > 0 ? caps.max_viewport : caps.max_texture_size);
    if (opt.max_texture_size > 0) {
        if (opt.max_texture_size > limit)
            throw gl::Error("a texture size limit of " + std::to_string(opt.max_texture_size) +
                            " is above this GPU's limit of " + std::to_string(limit));
        if (opt.max_texture_size < 16) throw gl::Error("a texture size limit must be at least 16");
        limit = opt.max_texture_size;
    }

    Tier tier;
    if (opt.precision == "auto") {
        tier = !caps.highp() ? Tier::half : caps.fp32.ok ? Tier::fp32 : caps.fp16.ok ? Tier::fp16 : Tier::rgba8;
        tier_reason_ = !caps.highp() ? "auto: fragment shaders have no highp (highp float mantissa " +
                                           std::to_string(caps.highp_float_bits) + " bits): FP16 arithmetic"
                       : caps.fp32.ok ? "auto: fp32 render targets work (" + caps.fp32.why + ")"
                       : caps.fp16.ok ? "auto: no fp32 render target (" + caps.fp32.why + "); half float works"
                                      : "auto: no float render target (fp32: " + caps.fp32.why +
                                            "; fp16: " + caps.fp16.why + "); fp32 values packed in RGBA8";
    } else if (!parse_tier(opt.precision, &tier)) {
        throw gl::Error("unknown precision '" + opt.precision + "' (expected auto, fp32, fp16, rgba8 or half)");
    } else {
        tier_reason_ = "precision " + opt.precision + " was asked for";
    }
    if (tier != Tier::half && !caps.highp())
        throw gl::Error("precision " + opt.precision + " needs highp in fragment shaders, which this GPU lacks "
                        "(highp float mantissa " + std::to_string(caps.highp_float_bits) + " bits)"
                        "\nHINT: ask for precision auto or half");
    // FP16 holds integers exactly up to 2048 and texel centres (x + 0.5) / size up to 1024: the half tier's textures
    // stay within 1024 (a power of two) so that every coordinate its shaders compute is exact.
    if (tier == Tier::half)
        for (int p = 1024; p >= 16; p /= 2)
            if (p <= limit) {
                limit = p;
                break;
            }
    storage_.max_size = limit;
    if (tier == Tier::fp32 && !caps.fp32.ok)
        throw gl::Error("precision fp32 is not available on this GL context: " + caps.fp32.why +
                        "\nHINT: ask for precision auto, fp16 or rgba8");
    if (tier == Tier::fp16 && !caps.fp16.ok)
        throw gl::Error("precision fp16 is not available on this GL context: " + caps.fp16.why +
                        "\nHINT: ask for precision auto, fp32 or rgba8");
    storage_.tier = tier;
    const char* coded = tier == Tier::half ? "RGBA8 (2 halves)" : "RGBA8 (packed fp32)";
    storage_.format = tier == Tier::fp32   ? caps.fp32.format
                      : tier == Tier::fp16 ? caps.fp16.format
                                           : gl::TexFormat{caps.rgba8.internal, GL_RGBA, GL_UNSIGNED_BYTE, coded, GL_UNSIGNED_BYTE};
    storage_.bytes = caps.rgba8;
    storage_.half = caps.fp16.format;
    storage_.has_half = caps.fp16.ok;
    storage_.packed = caps.fp32.format;
    storage_.has_packed = caps.fp32.ok;
    if (coded_tier(tier)) check_codec();
    if (tier == Tier::half && opt.weights != "tier" && opt.weights != "auto")
        throw gl::Error("weights " + opt.weights + " are not available on the half tier, which stores weights as its "
                        "activations\nHINT: ask for weights tier");
    if (opt.weights == "tier" || opt.weights == "auto") {
        weights_ = tier;
        auto_weights_ = opt.weights == "auto" && tier != Tier::half;
    } else if (opt.weights == "q8" || opt.weights == "q8-rgba8") {
        // The RGBA8 layout: on the H100 its matmuls ran ~10% faster than the packed one's, whose unpacking costs
        // more than its fewer fetches save there (docs/benchmarks.md, 2026-11-27).
        weights_ = Tier::q8;
    } else if (opt.weights == "q8-packed") {
        if (!storage_.has_packed)
            throw gl::Error("q8-packed weights need float textures that sample exactly: " + caps.fp32.why +
                            "\nHINT: ask for weights q8 (it falls back to q8-rgba8)");
        weights_ = Tier::q8p;
    } else if (opt.weights == "q4-packed") {
        if (!storage_.has_packed)
            throw gl::Error("q4-packed weights need float textures that sample exactly: " + caps.fp32.why +
                            "\nHINT: ask for weights q8");
        if (coded_tier(tier))
            throw gl::Error(std::string("q4-packed weights need a float tier (fp32 or fp16); the ") + tier_name(tier) +
                            " tier's fragments keep one output each\nHINT: ask for weights q8");
        weights_ = Tier::q4p;
    } else if (opt.weights == "fp16") {
        if (tier == Tier::rgba8)
            throw gl::Error("fp16 weights need a float tier (fp32 or fp16); the rgba8 tier decodes every texel"
                            "\nHINT: ask for weights q8 or tier");
        if (!caps.fp16.ok) throw gl::Error("fp16 weights are not available on this GL context: " + caps.fp16.why);
        weights_ = Tier::fp16;
    } else {
        throw gl::Error("unknown weights '" + opt.weights +
                        "' (expected tier, auto, fp16, q8, q8-packed, q8-rgba8 or q4-packed)");
    }
}

// Bytes a weight takes stored as t: fp32 4, fp16 2, rgba8 and half 4 (one value a texel), q8 1, q8p 16 per 12, q4p
// 16 per 24 and a 4-byte scale per 24 (the embedding's, q8p, counted so too).
static double bytes_per_weight(Tier t) {
    return t == Tier::q4p ? 20.0 / 24 : t == Tier::q8p ? 16.0 / 12 : t == Tier::q8 ? 1.0 : t == Tier::fp16 ? 2.0 : 4.0;
}

void Engine::fit_weights(double values, double embedding) {
    if (auto_weights_) {
        const double bytes = values * bytes_per_weight(storage_.tier);
        char as[96];
        std::snprintf(as, sizeof as, "%.0f MB as %s", bytes / 1e6, tier_name(storage_.tier));
        if (bytes <= options_.auto_weights_bytes) {
            weights_ = storage_.tier;
            weights_reason_ = std::string("exact weights (") + as + ")";
        } else {
            // packed where float textures sample exactly, but not on rgba8, whose one-output fragments unpack more
            // than the fetches save (H200, 124M: 14.2 -> 17.3 ms/token; docs/benchmarks.md, 2026-11-28)
            weights_ = storage_.has_packed && storage_.tier != Tier::rgba8 ? Tier::q8p : Tier::q8;
            weights_reason_ = std::string("8-bit weights (") + as + ", over " +
                              std::to_string(long(options_.auto_weights_bytes / 1e6)) + " MB)";
        }
    }
    weight_bytes_ = (values - embedding) * bytes_per_weight(weights_) +
                    embedding * bytes_per_weight(weights_ == Tier::q4p ? Tier::q8p : weights_);
}

Engine::~Engine() = default;

const char* Engine::format_name(const Tensor& t) const {
    if (t.tier() == Tier::q8) return storage_.bytes.name;
    if (t.tier() == Tier::q8p) return "RGBA32F (12 x int8)";
    if (t.tier() == Tier::q4p) return "RGBA32F (24 x int4)";
    if (t.tier() == Tier::fp16 && storage_.tier != Tier::fp16) return storage_.half.name;
    return storage_.format.name;
}

std::string Engine::weights_label() const {
    return weights_ == storage_.tier ? ""
           : weights_ == Tier::q8        ? "q8"
           : weights_ == Tier::q8p       ? "q8 packed"
           : weights_ == Tier::q4p       ? "q4 packed"
                                         : "fp16 weights";
}

// The rgba8 and half tiers are only right if the shader codec is exact here: copy values across the exponent range
// (half: values that are halves, whose low half is 0, come back bit-exactly whatever precision the shader has).
void Engine::check_codec() {
    const bool half = storage_.tier == Tier::half;
    std::vector<float> v;
    for (int e = half ? -14 : -126; e <= (half ? 15 : 127); e += half ? 1 : 3)
        for (float m : {1.0f, 1.1920929e-7f + 1.0f, 1.5f, 1.9999999f, 1.3333334f})
            v.push_back((e % 2 ? -1.0f : 1.0f) * std::ldexp(m, e));
    if (half) {  // as halves; those rounded past 65504 dropped
        v = round_to_half(v);
        v.erase(std::remove_if(v.begin(), v.end(), [](float x) { return std::isinf(x); }), v.end());
    }
    int n = int(v.size());
    Tensor a(storage_, "codec check input", 1, n), b(storage_, "codec check output", 1, n);
    a.upload(v.data());
    run(Pass("copy").in("X", a).out(b, 0, 1, 0, n));
    std::vector<float> got = b.download();
    for (int i = 0; i < n; ++i)
        if (std::memcmp(&got[i], &v[i], 4) != 0) {
            std::ostringstream s;
            s << "the " << tier_name(storage_.tier) << " tier's codec is not exact on this GPU: " << v[i]
              << " came back as " << got[i] << "\nHINT: ask for another precision (fp32, fp16, rgba8) if available";
            throw gl::Error(s.str());
        }
}

std::string compose_fragment(Tier tier, const std::string& op, const std::string& defines, bool view,
                             const std::string& draw_buffers_ext) {
    bool mrt = defines.find("#define DRAW_BUFFERS ") != std::string::npos;
    return "#version 100\n" + (mrt ? "#extension " + draw_buffers_ext + " : require\n" : "") +
           std::string(coded_tier(tier) ? "#define CODED\n" : "") +
           (tier == Tier::half ? "#define TIER_HALF\n" : "") + defines +
           gl::shader_source("prelude.glsl") + gl::shader_source(op + ".frag") +
           (view ? "" : gl::shader_source("pass_main.glsl"));
}

std::string Engine::fragment_source(const Pass& p) const {
    return compose_fragment(storage_.tier, p.op, p.defines, p.view, caps_.draw_buffers_ext);
}

Engine::Compiled& Engine::compiled(const Pass& p) {
    Compiled& c = programs_[p.op][p.defines];
    if (!c.program)
        c.program = std::make_unique<gl::Program>(
            gl::ProgramDesc{gl::quad_vertex_source(), fragment_source(p), p.op + ".frag"});
    return c;
}

// fp32 only: blending onto an fp16 target rounds the incoming value to half before the add, so y += a loses
// a half ulp of |a| (measured on an H100: 4 ulps of the sum where y and a nearly cancel); fp16 keeps ping-pong.
bool Engine::can_accumulate() const { return storage_.tier == Tier::fp32 && caps_.fp32.blend; }

// A slice's sum stored as fp32 exactly loses nothing; fp16 would round each to half (and the half tier's FP16 sums
// of GPT-2's outlier channels could overflow), so those tiers do not split.
bool Engine::k_partials() const {
    return !can_accumulate() && (storage_.tier == Tier::rgba8 || storage_.tier == Tier::fp32);
}

// Decode (a few rows) gives a matmul only n4 fragments of k4 steps each (coded tiers: 4 n4, one per value): too few
// to fill a big GPU, each waiting on a long chain of texture fetches. Cutting K into slices makes `slices` times more
// fragments of k4/slices steps. Auto aims at ~64k fragments, with slices of at least 8 texels; prefill tiles at
// ~4k, enough to fill the GPU (their slices blend onto the same pixels one after another, which costs: H200, 124M
// prefill of 512 tokens split for 64k fragments 187 ms with fp16 weights, 261 with packed q8; not split 162, 168).
int Engine::split_k(int rows, int n4, int k4, bool tiled) const {
    if (!(can_accumulate() || k_partials()) || options_.split_k == 0 || options_.split_k == 1) return 1;
    int most = std::min(gl::Quad::kMaxLayers, k4);
    if (options_.split_k > 1) return std::min(options_.split_k, most);
    long fragments = long(rows) * n4 * (coded_tier(storage_.tier) ? 4 : 1), target = tiled ? 4096 : 65536;
    int want = int(std::min<long>(most, (target + fragments - 1) / fragments));
    return std::max(1, std::min(want, k4 / 8));
}

// Per k4 step a tile of R rows x C texels fetches R texels of x and 4 C of W for 16 R C multiply-adds. Auto: on the
// fp32 tier with unpacked weights 4 x 2, whose RGBA32F x fetches cost about twice an RGBA16F W fetch; else
// R x 1, as packed weights unpack each W texel once per fragment (H200, 124M prefill of 128 tokens, GPU time:
// 4 x 2 48 ms, 8 x 1 57, none 75 with fp16 weights; fp16 tier 8 x 1 49, 4 x 2 53; q8 packed 8 x 1 64, 4 x 2 68;
// docs/benchmarks.md; packed weights' 4 x 2, which now fetch each x texel once for both blocks, are timed against
// their 8 x 1 per shape: passes/matmul.cpp). The rgba8 tier, whose fragments keep one output each, one row of all
// draw buffers, each x texel decoded once for them all (124M q8, prefill of 128 tokens: 1 x 8 137 ms, 1 x 4 178,
// 1 x 2 270, none 452); its decode's tiles are tuned (passes/matmul.cpp).
Engine::Tiles Engine::tiles(int rows) const {
    Tiles t;
    if (storage_.tier == Tier::half || options_.draw_buffers == 0) return t;
    int n = std::min(caps_.draw_buffers, options_.draw_buffers > 0 ? options_.draw_buffers : 8);
    bool wide = storage_.tier == Tier::fp32 && weights_ != Tier::q8p && weights_ != Tier::q4p && n >= 4;
    const bool coded = coded_tier(storage_.tier);
    t.cols = options_.tile_cols > 0 ? std::max(1, std::min(n, options_.tile_cols)) : coded ? n : wide ? 2 : 1;
    t.rows = n / t.cols;
    // rgba8: one-row tiles only, and decode's (one row) only where asked for (else tuned: passes/matmul.cpp)
    if (coded && (t.rows > 1 || (options_.tile_cols <= 0 && rows < 2))) return Tiles();
    // decode keeps one output texel a fragment, unless asked for tiles of one row (tile_cols = draw buffers)
    if (t.count() < 2 || (t.rows > 1 && rows < 2 * t.rows)) return Tiles();
    t.texel_outputs = coded ? 1 : 4;
    return t;
}

TensorGroup& Engine::group(int n, int rows, int cols) {
    std::unique_ptr<TensorGroup>& g = groups_[{n, pow2_at_least(rows), cols}];
    if (!g) g = std::make_unique<TensorGroup>(storage_, "tiles", n, pow2_at_least(rows), cols);
    return *g;
}

Tensor& Engine::scratch(const std::string& name, int rows, int cols) {
    auto key = std::make_tuple(name, pow2_at_least(rows), cols);
    auto it = scratch_.find(key);
    if (it == scratch_.end()) it = scratch_.emplace(key, tensor(name, pow2_at_least(rows), cols)).first;
    return it->second;
}

int Engine::fitting_slices(int slices, int rows, int cols) const {
    const int max = storage_.max_size;
    while (slices > 1 && !Layout::make(pow2_at_least(slices * rows), cols, storage_.tier, max).fits(max)) slices /= 2;
    return slices;
}

int Engine::context_slices(int s4, int slice4) const {
    if (!(can_accumulate() || k_partials()) || s4 <= slice4) return 1;
    return std::min(gl::Quad::kMaxLayers, (s4 + slice4 - 1) / slice4);
}

// 64 MB streamed (as `gpt2gl probe` measures memory): more than the GPUs measured hold in their caches (H100, H200:
// 50 MB of L2), so that a trial after it reads its weights from memory, as a forward of a model bigger than the cache
// does. Timed with its weights in the cache, a trial ranked a matmul's ways otherwise: fp16 weights' c_fc at 774M took
// K whole at 0.093 ms against 0.111 for K split, faster than its 13 MB could stream from memory (0.12 ms at the
// probe's 109 GB/s), and the forward's matmuls then took 12.5 -> 14.4 ms (docs/benchmarks.md, 2026-11-29). S holds
// ones, uploaded (memory never written might be read from no DRAM at all).
const Tensor& Engine::flush_caches() {
    const int iter = 64;
    int rows = storage_.tier == Tier::fp16 ? 32 : 16, cols = 16384;  // of sums; S has iter x as many rows: 64 MB
    // (fp16: 2 bytes a value); less where textures are smaller (what fits one)
    while (!Layout::make(iter * rows, cols, storage_.tier, storage_.max_size).fits(storage_.max_size))
        (rows > 1 ? rows : cols) /= 2;
    const size_t made = scratch_.size();
    Tensor& s = scratch("cache flush", iter * rows, cols);
    if (scratch_.size() > made) {
        const Layout& l = s.layout();
        s.upload_texels(std::vector<float>(size_t(l.width) * l.height * size_t(l.texel_elems == 4 ? 4 : 1), 1.0f));
    }
    Tensor& sums = scratch("cache flush sums", rows, cols);
    draw(Pass("probe").define("STREAM").define("ITER", iter).in("S", s).out(sums, 0, rows, 0, cols));
    return sums;
}

// Draws made aside are neither recorded (step mode), counted nor observed: what they change is put back on leaving.
struct Engine::Aside {
    Engine& e;
    long draws;
    bool recording;
    decltype(observer_) observer;
    explicit Aside(Engine& en)
        : e(en), draws(en.draw_calls_), recording(en.recording_), observer(std::move(en.observer_)) {
        e.recording_ = false;
        e.observer_ = nullptr;
    }
    ~Aside() {
        e.draw_calls_ = draws;
        e.recording_ = recording;
        e.observer_ = std::move(observer);
    }
};

void Engine::unpacking(Pass& p) {
    constexpr float kRint = 12582912.0f;  // 1.5 2^23
    if (rint_ == Rint::unchecked) {
        Aside aside(*this);
        rint_ = Rint::adds;
        if (!packed_weights_exact(*this)) rint_ = Rint::floor;
    }
    p.set("u_rint", kRint, kRint, 0.0f);
    if (rint_ == Rint::floor) p.define("RINT_FLOOR");
}

int Engine::tuned_way(const std::string& key, int n) const {
    if (n < 2 || !options_.tune) return 0;
    auto it = tuned_.find({key, n});
    return it == tuned_.end() ? -1 : it->second;
}

int Engine::tuned(const std::string& key, int n, const std::function<std::string(int)>& name,
                  const std::function<void(int)>& draw, const std::function<void()>& wait) {
    if (n < 2 || !options_.tune) return 0;
    auto it = tuned_.find({key, n});  // one shape may have more ways elsewhere
    if (it != tuned_.end()) return it->second;
    Aside aside(*this);  // the trials
    // the scratch tensors and draw-buffer groups that the trials make are let go after them: the way chosen makes its
    // own again, and the others' would stay for nothing (a 124M LM head's 1 x 2 tiles: 2 x 13 MB)
    std::set<decltype(groups_)::key_type> groups;
    std::set<decltype(scratch_)::key_type> scratch;
    for (auto& kv : groups_) groups.insert(kv.first);
    for (auto& kv : scratch_) scratch.insert(kv.first);
    // Flushed where the model's weights stream from memory in a forward, on a GPU that streams 64 MB within 5 ms (a
    // rasterizer slower than that runs at a CPU's pace: llvmpipe streams 1.9 GB/s, 34 ms a flush, which cost a 124M
    // load 2-4 s there, its choices alike with and without it; docs/benchmarks.md, 2026-11-29). The half
    // tier, whose passes never split, tunes nothing (and its FP16 indices would not reach the flush's 16384 cols).
    bool flush = weight_bytes_ > 64e6 && storage_.tier != Tier::half;  // timed after the warm-up, below
    // ms of one draw of way i on an idle GPU, to its end: as it runs in a forward, where each pass waits for the one
    // before it (back to back, a GPU could overlap the draws of a way that fills few of its lanes). Two clocks: a GPU
    // timer's, the draw alone, and the wall clock's from the draw's issue to its output read back, which adds the
    // readback's latency (~0.2 ms on an H200, hiding differences of a few percent between draws of tens of us).
    struct Times {
        double gpu = 1e30, wall = 1e30;  // the best of the samples
    };
    gl::SpanTimer timer(caps_.timer_query);
    bool timer_ok = timer.ok();
    auto sample = [&](int i, Times& t) {
        if (flush) flush_caches().read(0, 0);  // read back: done before the draw (a browser's glFinish returns at once)
        const auto t0 = std::chrono::steady_clock::now();
        if (timer_ok) timer.start();
        draw(i);
        if (timer_ok) {
            std::vector<double> ms = timer.stop();  // waits for the GPU
            if (ms.empty()) timer_ok = false;  // a disjoint event (the GPU's clock changed): the wall clock's alone
            else t.gpu = std::min(t.gpu, ms[0]);
        }
        wait();
        const double wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        t.wall = std::min(t.wall, wall);
        return wall;
    };
    // Rounds of every way until warm_ms have passed: the first compiles each, the rest bring an idle GPU's clock up.
    // After a model's loading an H200 runs at 345 MHz and reaches its 1980 only after a few hundred ms of work: timed
    // there, the trials took 5-7x a forward's time and ranked otherwise (fp16 weights' c_fc chose K whole, and the
    // forward's matmuls took 1.83 -> 2.51 ms); warmed 30 ms, hardly less, 300 ms, a forward's time in some runs, not
    // all (the clock rises under sustained full load: rounds of ~5 ms or ~300 ms queued at once did no better;
    // docs/benchmarks.md). A shape tuned within 200 ms of the last finds the clock as the last did.
    glFinish();
    const auto warm0 = std::chrono::steady_clock::now();
    const double warm_ms = warm0 - tuned_at_ < std::chrono::milliseconds(200) ? 30.0 : 300.0;
    do {
        for (int i = 0; i < n; ++i) draw(i);
        wait();
    } while (std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - warm0).count() < warm_ms);
    if (flush && flush_ms_ < 0) {  // timed once an engine, warm: the second flush (the first makes and fills S)
        flush_caches().read(0, 0);
        const auto f0 = std::chrono::steady_clock::now();
        flush_caches().read(0, 0);
        flush_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - f0).count();
    }
    flush = flush && flush_ms_ <= 5.0;
    // the best of 3 to 21 draws each (~3 ms of them), alternating, so that a slow moment of a shared machine hits
    // every way alike
    std::vector<Times> times(static_cast<size_t>(n));
    const int samples = int(std::clamp(std::ceil(3.0 / std::max(sample(0, times[0]), 1e-3)), 3.0, 21.0));
    for (int k = 0; k < samples; ++k)
        for (int i = 0; i < n; ++i) sample(i, times[size_t(i)]);
    // GPU timer times where they see the draws: llvmpipe's timer queries gave 0.05 ms for a 124M LM head whose draw
    // took 15 ms
    bool gpu_timed = timer_ok;
    for (const Times& t : times) gpu_timed = gpu_timed && !(t.wall > 1.0 && t.gpu < t.wall / 3);
    std::vector<double> best;
    for (const Times& t : times) best.push_back(gpu_timed ? t.gpu : t.wall);
    // another way than the rule's must beat it by 5%: within that, the best draws of ways alike differ by chance
    const int fastest = int(std::min_element(best.begin(), best.end()) - best.begin());
    const int chosen = best[size_t(fastest)] < 0.95 * best[0] ? fastest : 0;
    for (auto it = groups_.begin(); it != groups_.end();)
        it = groups.count(it->first) ? std::next(it) : groups_.erase(it);
    for (auto it = scratch_.begin(); it != scratch_.end();)
        it = scratch.count(it->first) ? std::next(it) : scratch_.erase(it);
    tuned_[{key, n}] = chosen;
    tuned_at_ = std::chrono::steady_clock::now();
    std::vector<std::string> ways;
    for (int i = 0; i < n; ++i) ways.push_back(name(i));
    tunings_.push_back({key, ways, best, chosen, gpu_timed, flush});
    return chosen;
}

void Engine::run(const Pass& p) {
    if (recording_) {
        recorded_.push_back(p);
        recorded_.back().scope = scope_;
        return;
    }
    draw(p);
}

void Engine::begin_recording() {
    recorded_.clear();
    recording_ = true;
}

std::vector<Pass> Engine::end_recording() {
    recording_ = false;
    return std::move(recorded_);
}

// Slots are found by name once per program; a pass that names its inputs differently (never, in practice) rebinds.
void Engine::bind_slots(Compiled& c, const Pass& p) {
    size_t n = p.inputs.size() + p.textures.size() + p.uniforms.size();
    bool same = c.rect != -1 && c.names.size() == n;  // rect: looked up yet (a pass may have no inputs)
    for (size_t i = 0; same && i < p.inputs.size(); ++i) same = c.names[i] == p.inputs[i].name;
    for (size_t i = 0; same && i < p.textures.size(); ++i) same = c.names[p.inputs.size() + i] == p.textures[i].name;
    for (size_t i = 0; same && i < p.uniforms.size(); ++i)
        same = c.names[p.inputs.size() + p.textures.size() + i] == p.uniforms[i].name;
    if (same) return;
    const gl::Program& prog = *c.program;
    c.names.clear();
    c.slots.clear();
    for (auto& in : p.inputs) {
        c.names.push_back(in.name);
        c.slots.insert(c.slots.end(), {prog.uniform(in.name), prog.uniform(in.name + "_geo"), prog.uniform(in.name + "_inv")});
    }
    for (auto& t : p.textures) {
        c.names.push_back(t.name);
        c.slots.push_back(prog.uniform(t.name));
    }
    for (auto& u : p.uniforms) {
        c.names.push_back(u.name);
        c.slots.push_back(prog.uniform(u.name));
    }
    c.out_geo = prog.uniform("u_out_geo");
    c.rect = prog.uniform("u_rect");
    c.cell = prog.uniform("u_cell");
    c.center = prog.uniform("u_center");
}

// The half tier's shaders compute indices in FP16, whose integers are exact up to 2048: every index a pass's shaders
// compute must stay within that (its textures' own coordinates stay within 1024).
static void check_half_indices(const Pass& p) {
    auto check = [&](const std::string& what, long n) {
        if (n > 2048)
            throw gl::Error("pass " + p.op + ": " + what + " " + std::to_string(n) + " is beyond the half tier's " +
                            "FP16 indices (exact up to 2048)\nHINT: a smaller model, or a tier with highp (fp32, fp16, "
                            "rgba8) on a GPU that has it");
    };
    for (auto& in : p.inputs) {
        const Layout& l = in.tensor->layout();
        check(in.tensor->name() + "'s texels per row", l.texels_per_row);
        check(in.tensor->name() + "'s lines (rows x segments)", long(l.rows) * l.nseg);
    }
    check(p.output->name() + "'s last row", p.row1);
    check(p.output->name() + "'s cols in one pass", p.col1 - p.col0);
}

void Engine::draw(const Pass& p) {
    if (!p.scope.empty()) scope_ = p.scope;  // a recorded pass carries the scope it was made in
    if ((p.layers > 1 || p.accumulate) && !can_accumulate())
        throw gl::Error("pass " + p.op + " -> " + p.output->name() + " sums by blending, which the " +
                        tier_name(storage_.tier) + " tier cannot do here");
    if (p.layers < 1 || p.layers > gl::Quad::kMaxLayers)
        throw gl::Error("pass " + p.op + ": " + std::to_string(p.layers) + " layers (1 to " +
                        std::to_string(gl::Quad::kMaxLayers) + ")");
    Compiled& c = compiled(p);
    const gl::Program& prog = *c.program;
    prog.use();
    if (!state_ok_) {  // the only fixed-function state passes rely on; dithering would alter RGBA8 bytes
        glDisable(GL_DEPTH_TEST);
        glDisable(GL_STENCIL_TEST);
        glDisable(GL_SCISSOR_TEST);
        glDisable(GL_CULL_FACE);
        glDisable(GL_DITHER);
        glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
        state_ok_ = true;
    }
    bind_slots(c, p);
    size_t slot = 0;
    int unit = 0;
    for (auto& in : p.inputs) {
        const Layout& l = in.tensor->layout();
        in.tensor->texture().bind(unit);
        prog.set_int(c.slots[slot++], unit++);
        const float geo[4] = {float(l.rows), float(l.seg_w), float(l.band_h), float(l.cols)};
        const float inv[2] = {1.0f / float(l.width), 1.0f / float(l.height)};
        prog.set(c.slots[slot++], 4, geo);
        prog.set(c.slots[slot++], 2, inv);
    }
    for (auto& t : p.textures) {
        t.texture->bind(unit);
        prog.set_int(c.slots[slot++], unit++);
    }
    for (auto& u : p.uniforms) prog.set(c.slots[slot++], u.n, u.v);
    if (c.center != -1) {  // the half tier's texel centre offset (glsl/prelude.glsl uv_of)
        const float half = 0.5f;
        prog.set(c.center, 1, &half);
    }
    if (p.view) return draw_view(p, c);
    if (storage_.tier == Tier::half) check_half_indices(p);
    const Layout& o = p.output->layout();
    const float out_geo[4] = {float(o.rows), float(o.seg_w), float(o.band_h), float(o.cols)};
    prog.set(c.out_geo, 4, out_geo);
    if (p.group) p.group->framebuffer.bind();
    else p.output->framebuffer().bind();
    quad_.bind();
    gl::blend_add(p.layers > 1 || p.accumulate);
    int tc0 = p.col0 / o.texel_elems, tc1 = (p.col1 + o.texel_elems - 1) / o.texel_elems;
    for (const Rect& r : o.rects(p.row0, p.row1, tc0, tc1)) {
        glViewport(r.x, r.y, r.w, r.h);
        if (p.layers > 1 && !p.accumulate) {  // the layers sum onto zeros
            glEnable(GL_SCISSOR_TEST);
            glScissor(r.x, r.y, r.w, r.h);
            glClearColor(0, 0, 0, 0);
            glClear(GL_COLOR_BUFFER_BIT);
            glDisable(GL_SCISSOR_TEST);
        }
        const float rect[4] = {float(r.x), float(r.y), float(r.w), float(r.h)};
        prog.set(c.rect, 4, rect);
        if (c.cell != -1) {  // the half tier: (row, tc) of this rect's texels from small numbers (glsl/pass_main.glsl)
            Layout::Cell at = o.cell(r.x, r.y);
            const float cell[4] = {float(at.tc - tc0 - r.x), float(at.row - r.y), float(tc0 / 4), float(o.cols - tc0)};
            prog.set(c.cell, 4, cell);
        }
        quad_.draw(p.layers);
        ++draw_calls_;
    }
    if (gl::debug_enabled()) gl::check(("pass " + p.op + " -> " + p.output->name()).c_str());
    if (observer_) observer_(p);
}

void Engine::draw_view(const Pass& p, Compiled& c) {
    if (p.view_target) p.view_target->bind();
    else gl::bind_framebuffer(0);
    quad_.bind();
    gl::blend_add(false);
    const Rect& r = p.view_rect;
    glViewport(r.x, r.y, r.w, r.h);
    const float rect[4] = {float(r.x), float(r.y), float(r.w), float(r.h)};
    c.program->set(c.rect, 4, rect);
    quad_.draw();
    ++draw_calls_;
    if (gl::debug_enabled()) gl::check(("view pass " + p.op).c_str());
}

}  // namespace gpt2gl
