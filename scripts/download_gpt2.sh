#!/usr/bin/env bash
# scripts/download_gpt2.sh — downloads a GPT-2 checkpoint from the Hugging Face hub into a directory that
# `gpt2gl -m DIR` reads as is (no conversion step). Needs network access and curl.
#   scripts/download_gpt2.sh [gpt2|gpt2-medium|gpt2-large|gpt2-xl] [DIR]
set -euo pipefail
name="${1:-gpt2}"
case "$name" in
  gpt2|gpt2-medium|gpt2-large|gpt2-xl) ;;
  *) echo "usage: $0 [gpt2|gpt2-medium|gpt2-large|gpt2-xl] [DIR]" >&2; exit 2 ;;
esac
dir="${2:-models/$name}"
if [ -e "$dir/model.safetensors" ]; then
  echo "$dir/model.safetensors exists; not downloading over it" >&2
  exit 1
fi
mkdir -p "$dir"
base="https://huggingface.co/openai-community/$name/resolve/main"
for f in config.json vocab.json merges.txt model.safetensors; do
  echo "downloading $name/$f"
  curl -fL --progress-bar -o "$dir/$f.part" "$base/$f"
  mv "$dir/$f.part" "$dir/$f"
done
echo "done: build/gpt2gl generate -m $dir -p \"Hello\""
