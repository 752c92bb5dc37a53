#!/usr/bin/env bash
# scripts/device_prefill.sh — the prefill tiles (draw buffers) measured in one run on a GPU: `gpt2gl bench` without
# tiles (--draw-buffers 0) and with the automatic ones, 124M with each weight storage and 1.5B with fp16 weights,
# per-pass GPU times of a prefill included, then the probe's fp32 ceilings and the HF transformers peer, all on the
# same machine.   Run from the repository root:  scripts/device_prefill.sh BINARY OUTDIR
set -uo pipefail
bin=${1:?usage: scripts/device_prefill.sh BINARY OUTDIR}
out=${2:?usage: scripts/device_prefill.sh BINARY OUTDIR}
mkdir -p "$out"
run() {  # name args...
  local name=$1; shift
  echo "### $name: $*"
  "$bin" bench --no-cpu --draw-buffers 0,-1 --json "$out/$name.json" "$@" 2>&1
}
{
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
"$bin" probe --precision fp32
run 124M -m 124M --precision fp32 --weights fp16,tier,q8-packed --contexts 128,512 --steps 16
run 124M-fp16-tier -m 124M --precision fp16 --contexts 128 --steps 8
run 1.5B -m 1.5B --precision fp32 --weights fp16 --contexts 128 --steps 8
python3 scripts/bench_hf.py --sizes 124M,1.5B --contexts 128,512 --out "$out/hf.json" 2>&1 | grep -v -i warn
} 2>&1 | tee "$out/prefill.txt"
