#!/usr/bin/env bash
# scripts/test.sh — sets up, builds and runs every test (what .ci/run calls):
#   0. the GL-free core (model/) configured with GPT2GL_CORE_ONLY (no GL, window or UI package looked for) and its
#      own suite; its test binary must link no GL library;
#   1. the release build and the whole suite (ctest; includes the suite again on a true ES 2.0 context, and the
#      viewer under Xvfb);
#   2. the browser build (Emscripten, WebGL 1.0) and its tests in headless Chromium (node --test web/test/);
#   3. the whole suite built with AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer on);
#   4. a bounded libFuzzer run (about a minute in all) of the parsers, from the seed corpus in tests/fuzz/corpus.
# `scripts/test.sh --quick` runs only stages 0 and 1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/setup.sh

echo "== 0/4 the GL-free core and its tests"
cmake -S . -B build-core -G Ninja -DCMAKE_BUILD_TYPE=Release -DGPT2GL_CORE_ONLY=ON
cmake --build build-core -j2
if readelf -d build-core/gpt2gl_core_tests | grep -iE 'NEEDED.*(GL|EGL|glfw)'; then
  echo "the core's test binary links a GL library"; exit 1
fi
(cd build-core && ctest --output-on-failure -j2 -L core)

echo "== 1/4 release build and tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j2
(cd build && ctest --output-on-failure -j2)
[ "${1:-}" = "--quick" ] && exit 0

echo "== 2/4 browser build and tests"
scripts/build_web.sh
node --test web/test/

echo "== 3/4 ASan + UBSan build and tests"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGPT2GL_SANITIZE=ON
cmake --build build-asan -j2
# Mesa and LLVM keep some allocations until exit: tests/lsan.supp names those libraries, nothing of gpt2gl's.
(cd build-asan && LSAN_OPTIONS="suppressions=$root/tests/lsan.supp" ASAN_OPTIONS=detect_leaks=1 \
  UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j2)

echo "== 4/4 fuzzing the parsers"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DGPT2GL_FUZZ=ON -DGPT2GL_TESTS=OFF -DGPT2GL_CORE_ONLY=ON
cmake --build build-fuzz -j2 --target fuzz_safetensors fuzz_llmc fuzz_config fuzz_tokenizer
for target in safetensors llmc config tokenizer; do
  corpus=$(mktemp -d)  # new inputs go here, never into the repository's seeds
  rc=0
  LSAN_OPTIONS="suppressions=$root/tests/lsan.supp" build-fuzz/fuzz_$target -max_total_time=15 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 "$corpus" "tests/fuzz/corpus/$target" > "$corpus.log" 2>&1 || rc=$?
  echo "fuzz_$target: $(grep -E 'stat::number_of_executed_units' "$corpus.log" | awk '{print $2}') inputs, exit $rc"
  if [ "$rc" -ne 0 ]; then tail -40 "$corpus.log"; echo "fuzz_$target failed"; exit 1; fi
  rm -rf "$corpus" "$corpus.log"
done
echo "all tests passed"
