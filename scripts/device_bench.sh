#!/usr/bin/env bash
# scripts/device_bench.sh — the whole GPU benchmark in one command, for a machine with a GPU and no network (the
# project's lent H100 / H200), as README "How fast" reports it: the probe's ceilings, every GPT-2 size at context 128
# with fp16 and packed q8 weights, 124M over contexts and weight formats, the rgba8 tier, the HF transformers peer, and
# the decode plot (each variant beside its weights streamed at the probe's rate, and HF eager).
# Run from the repository root with a gpt2gl binary built elsewhere:  scripts/device_bench.sh BINARY OUTDIR
# (it writes 13 files: where only a few files come back from a lent machine, as 8 from the project's, tar OUTDIR)
# (needs libEGL/libGLESv2 from glvnd and, if EGL finds no vendor, __EGL_VENDOR_LIBRARY_FILENAMES set; the plot needs
# matplotlib, else it is left out).
set -uo pipefail
bin=${1:?usage: scripts/device_bench.sh BINARY OUTDIR}
out=${2:?usage: scripts/device_bench.sh BINARY OUTDIR}
mkdir -p "$out"
"$bin" info > "$out/info.txt" 2>&1
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader >> "$out/info.txt" 2>/dev/null
for t in fp32 fp16; do "$bin" probe --precision $t --json "$out/probe-$t.json" 2>&1 | tee -a "$out/probe.txt"; done
"$bin" bench --no-cpu -m 124M,355M,774M,1.5B --precision fp32 --weights fp16,q8-packed --contexts 128 --steps 8 \
  --json "$out/sizes.json" 2>&1 | tee "$out/sizes.txt"
"$bin" bench --no-cpu -m 124M --precision fp32 --weights tier,fp16,q8-packed --contexts 128,512,1000 --steps 16 \
  --json "$out/contexts.json" 2>&1 | tee "$out/contexts.txt"
"$bin" bench --no-cpu -m 124M --precision rgba8 --weights q8 --contexts 128 --steps 8 \
  --json "$out/rgba8.json" 2>&1 | tee "$out/rgba8.txt"
python3 scripts/bench_hf.py --sizes 124M,355M,774M,1.5B --contexts 128,512,1000 --out "$out/hf.json" 2>&1 |
  grep -v -i warn | tee "$out/hf.txt"
# packed q8 streams RGBA32F texels, fp16 weights RGBA16F ones: the probe's rates for each
stream=$(python3 -c 'import json, sys
r = [json.load(open(p))["stream_gbs"] for p in sys.argv[1:]]
print("fp16 weights=%.1f,q8 packed=%.1f" % (r[1], r[0]))' "$out/probe-fp32.json" "$out/probe-fp16.json")
python3 scripts/plot_bench.py "$out/sizes.txt" --hf "$out/hf.json" --decode-bars 128 --stream "$stream" \
  --title "Decode at context 128, $(head -n 1 "$out/info.txt" | cut -c1-40)" --out "$out/decode.png" ||
  echo "no plot (matplotlib missing)"
