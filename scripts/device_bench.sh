#!/usr/bin/env bash
# scripts/device_bench.sh — the whole GPU benchmark in one command, for a machine with an NVIDIA GPU and no network
# (the project's lent H100): the probe's ceilings, gpt2gl's bench over every GPT-2 size, tier and weight storage, the
# HF transformers peer, and the plot.
# Run from the repository root with a gpt2gl binary built elsewhere:  scripts/device_bench.sh BINARY OUTDIR
# (needs libEGL/libGLESv2 from glvnd and, if EGL finds no vendor, __EGL_VENDOR_LIBRARY_FILENAMES set).
set -uo pipefail
bin=${1:?usage: scripts/device_bench.sh BINARY OUTDIR}
out=${2:?usage: scripts/device_bench.sh BINARY OUTDIR}
mkdir -p "$out"
"$bin" info > "$out/info.txt" 2>&1
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader >> "$out/info.txt" 2>/dev/null
for t in fp32 fp16 rgba8; do "$bin" probe --precision $t 2>&1 | tee -a "$out/probe.txt"; done
"$bin" bench -m model/default,124M,355M,774M,1.5B --precision fp32,fp16,rgba8 --contexts 16,128,512,1000 --steps 16 \
  --no-cpu --json "$out/bench.json" 2>&1 | tee "$out/bench.txt"
"$bin" bench -m model/default,124M,355M,774M,1.5B --precision fp32 --weights tier,fp16,q8 --contexts 128 --steps 8 \
  --no-cpu --json "$out/weights.json" 2>&1 | tee "$out/weights.txt"
python3 scripts/bench_hf.py --sizes 124M,355M,774M,1.5B --contexts 16,128,512,1000 --out "$out/hf.json" 2>&1 |
  grep -v -i warn | tee "$out/hf.txt"
python3 scripts/plot_bench.py "$out/bench.txt" --hf "$out/hf.json" --title "$(head -c 40 "$out/info.txt")" \
  --out "$out/curves.png" || echo "no plot (matplotlib missing)"
