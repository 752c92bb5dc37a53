#!/usr/bin/env bash
# scripts/device_decode.sh — decode-step levers measured in one run on a GPU with `gpt2gl bench`:
#   the rgba8 tier with its K slices summed by ksum passes (auto) and without split-K (0), twice, alternating;
#   one-row decode tiles (--draw-buffers C --tile-cols C: each fragment makes C output texels, x read once for all),
#   C = 0 (none), 2, 4, on 124M and 1.5B with fp16 and packed q8 weights; the probe's rgba8 and fp32 ceilings.
# Run from the repository root:  scripts/device_decode.sh BINARY OUTDIR
set -uo pipefail
bin=${1:?usage: scripts/device_decode.sh BINARY OUTDIR}
out=${2:?usage: scripts/device_decode.sh BINARY OUTDIR}
mkdir -p "$out"
run() {  # name args...
  local name=$1; shift
  echo "### $name: $*"
  "$bin" bench --no-cpu --json "$out/$name.json" "$@" 2>&1 | grep -v "^gpt2gl bench on"
}
{
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
"$bin" probe --precision rgba8
"$bin" probe --precision fp32
for rep in 1 2; do
  run rgba8-124M-$rep -m 124M --precision rgba8 --weights q8 --split-k -1,0 --contexts 128,512 --steps 8
done
run rgba8-default -m default --precision rgba8 --split-k -1,0 --contexts 128 --steps 16
for c in 0 2 4; do
  run decode-tiles-124M-$c -m 124M --precision fp32 --weights fp16,q8-packed --contexts 128 --steps 16 \
      --draw-buffers $c --tile-cols $c
done
for c in 0 2 4; do
  run decode-tiles-1.5B-$c -m 1.5B --precision fp32 --weights fp16,q8-packed --contexts 128 --steps 8 \
      --draw-buffers $c --tile-cols $c
done
} 2>&1 | tee "$out/decode.txt"
