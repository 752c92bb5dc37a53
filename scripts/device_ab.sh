#!/usr/bin/env bash
# scripts/device_ab.sh — one change's effect on a GPU, measured in one run: the same `gpt2gl bench` with a baseline
# binary and a new one, alternating per case, then the new one's extra variants, the probe and the HF peer.
# Run from the repository root:  scripts/device_ab.sh BASE_BINARY NEW_BINARY OUTDIR
set -uo pipefail
base=${1:?usage: scripts/device_ab.sh BASE NEW OUTDIR}
new=${2:?usage: scripts/device_ab.sh BASE NEW OUTDIR}
out=${3:?usage: scripts/device_ab.sh BASE NEW OUTDIR}
mkdir -p "$out"
{
{ "$new" info; nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; } > "$out/info.txt" 2>&1
"$new" probe --precision fp32 > "$out/probe.txt" 2>&1
run() {  # label binary args...
  local label=$1 bin=$2; shift 2
  echo "### $label: $*"
  "$bin" bench --no-cpu "$@" 2>&1 | grep -v "^gpt2gl bench on"
}
for w in fp16 q8; do
  for who in base new; do
    bin=$base; [ $who = new ] && bin=$new
    run "$who 124M $w" "$bin" -m 124M --precision fp32 --weights $w --contexts 128,512,1000 --steps 16
  done
done
for who in base new; do
  bin=$base; [ $who = new ] && bin=$new
  run "$who 1.5B q8" "$bin" -m 1.5B --precision fp32 --weights q8 --contexts 128 --steps 8
  run "$who 124M rgba8 tier q8" "$bin" -m 124M --precision rgba8 --weights q8 --contexts 128 --steps 8
done
run "new 124M q8-rgba8" "$new" -m 124M --precision fp32 --weights q8-rgba8 --contexts 128 --steps 16
run "new 124M q8 split-k" "$new" -m 124M --precision fp32 --weights q8 --contexts 128 --steps 16 --split-k 4,8,16,32
run "new 1.5B fp16" "$new" -m 1.5B --precision fp32 --weights fp16 --contexts 128 --steps 8
python3 scripts/bench_hf.py --sizes 124M,1.5B --contexts 128,512,1000 --out "$out/hf.json" 2>&1 | grep -v -i warn
} 2>&1 | tee "$out/ab.txt"
