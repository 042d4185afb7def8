#!/usr/bin/env bash
# Builds everything with warnings as errors and runs every test (unit, fuzz corpora, end to end);
# then builds again with AddressSanitizer + UndefinedBehaviorSanitizer and runs the unit tests
# and the end-to-end tests of `replayer run` (script nodes: the supervisor's event loop, signals,
# hooks, crashes; the demochain sync tests stay in the first build only, for time).
# Usage: scripts/test.sh [--fast]   (--fast skips the sanitizer build)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

jobs=$(nproc)
# One compiler cache for every checkout on this machine (paths taken relative to the checkout).
export CCACHE_BASEDIR="$PWD"
echo "== build (warnings as errors)"
cmake -S . -B build/ci -G Ninja -DREPLAYER_WERROR=ON -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
ninja -C build/ci -j "$jobs"
echo "== tests"
ctest --test-dir build/ci --output-on-failure -j "$jobs" --timeout 600

if [ "${1:-}" != "--fast" ]; then
  echo "== sanitizer build (address, undefined): unit tests and the e2e tests of run"
  cmake -S . -B build/asan -G Ninja -DREPLAYER_WERROR=ON -DREPLAYER_SANITIZE=ON \
    -DREPLAYER_DEMOCHAIN=OFF -DREPLAYER_BENCH=OFF -DREPLAYER_E2E=ON \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" >/dev/null
  ninja -C build/asan -j "$jobs"
  # halt_on_error: a sanitizer report fails the replayer process it is in, and with it the test.
  ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan --output-on-failure -j "$jobs" -L "unit|e2e" --timeout 600
fi
