// bench/probe.h — `gpt2gl probe`: the ceilings of this GPU's fragment pipeline, the roofline the passes live under:
// arithmetic (GFLOP/s), texel fetches that hit the cache (G/s) and bytes streamed from memory (GB/s), each from
// large passes of glsl/probe.frag, timed glFinish-synced (best of a few), each pass's output checked; the same
// stream shaped as a decode step's split-K matvec (where the tier blends), and the GPU time of one tiny pass that
// reads the one before (a chain of them), the price of each draw a token adds.
#pragma once
#include <nlohmann/json.hpp>

#include <ostream>

#include "passes/engine.h"

namespace gpt2gl {

// small: a few MB and milliseconds, for tests; else sized to swamp launch costs on an H100 (~0.3 GB of textures).
nlohmann::json run_probe(Engine& e, std::ostream& out, bool small = false);

}  // namespace gpt2gl
