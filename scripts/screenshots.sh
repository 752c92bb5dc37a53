#!/usr/bin/env bash
# scripts/screenshots.sh — makes the README's pictures again from the builds (build/ and build-web/), into
# docs/images/ (existing files are replaced: they are generated). Needs xvfb-run and Chromium (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/images
mkdir -p "$out"
prompt="ROMEO: But soft, what light through yonder window breaks?"
view() { xvfb-run -a -s '-screen 0 1920x1200x24' build/gpt2gl view -p "$prompt" --seed 11 "$@"; }
rm -f "$out"/viewer.png "$out"/viewer-attention.png "$out"/viewer-passes.png "$out"/page.png
view -n 8 --size 1400 --height 900 --screenshot "$out/viewer.png"
view -n 8 --size 1200 --height 760 --show attention:3:2 --mouse 700,430 --screenshot "$out/viewer-attention.png"
view --size 1200 --height 760 --show passes:8 --screenshot "$out/viewer-passes.png"
node scripts/page_screenshot.js "$out/page.png" --width 1400 --height 1100 --prompt "$prompt" --n 8
ls -l "$out"
