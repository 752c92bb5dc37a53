#!/usr/bin/env bash
# scripts/test.sh — sets up, builds and runs every test (what .ci/run calls).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j2
cd build && ctest --output-on-failure -j2
