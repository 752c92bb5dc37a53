#!/usr/bin/env bash
# scripts/device_ab.sh — a change's effect on a GPU, measured in one run: `gpt2gl bench` with a baseline binary and
# the new one, alternating, then the new one over every GPT-2 size and weight storage, the rgba8 tier, the probe and
# the HF transformers peer, all on the same machine.
# Run from the repository root:  scripts/device_ab.sh BASE_BINARY NEW_BINARY OUTDIR
set -uo pipefail
base=${1:?usage: scripts/device_ab.sh BASE NEW OUTDIR}
new=${2:?usage: scripts/device_ab.sh BASE NEW OUTDIR}
out=${3:?usage: scripts/device_ab.sh BASE NEW OUTDIR}
mkdir -p "$out"
run() {  # label binary args...
  local label=$1 bin=$2; shift 2
  echo "### $label: $*"
  "$bin" bench --no-cpu "$@" 2>&1 | grep -v "^gpt2gl bench on"
}
{
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
"$new" probe --precision fp32
"$new" probe --precision fp16
for who in base new; do
  bin=$base; [ $who = new ] && bin=$new
  run "$who 124M" "$bin" -m 124M --precision fp32 --weights fp16,q8 --contexts 128,512,1000 --steps 16
  run "$who 124M rgba8 tier" "$bin" -m 124M --precision rgba8 --weights q8 --contexts 128 --steps 8
done
run "new, every size" "$new" -m 124M,355M,774M,1.5B --precision fp32 --weights tier,fp16,q8 --contexts 128 --steps 8
python3 scripts/bench_hf.py --sizes 124M,355M,774M,1.5B --contexts 128,512,1000 --out "$out/hf.json" 2>&1 | grep -v -i warn
} 2>&1 | tee "$out/ab.txt"
