#!/usr/bin/env bash
# scripts/build_web.sh — builds the browser version into build-web/site: a static site (index.html, app.js,
# gpt2gl.js, gpt2gl.wasm, gpt2gl.data with the default model) that any static file server can serve, e.g.
#   python3 -m http.server -d build-web/site 8000     then open http://localhost:8000/
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs  # Debian's emscripten finds acorn there
emcmake cmake -S . -B build-web -DCMAKE_BUILD_TYPE=Release
cmake --build build-web -j2
echo "site: build-web/site"
