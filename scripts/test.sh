#!/usr/bin/env bash
# Builds everything with warnings as errors and runs every test (unit, fuzz corpora, end to end);
# then builds again with AddressSanitizer + UndefinedBehaviorSanitizer and runs the unit tests
# and the end-to-end tests of `replayer run` (label e2e-run: script nodes through switches,
# hooks, signals, crash points; the supervisor's event loop under the sanitizers).
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
# The container tests (ctest label `containers`: image, Kubernetes manifests, compose network on
# the real chain) run where rootful podman works and are reported as skipped elsewhere; what they
# cost is printed below.
rm -f build/containers/timings.log
ctest --test-dir build/ci --output-on-failure -j "$jobs" --timeout 600
if [ -s build/containers/timings.log ]; then
  echo "== container steps (docker/, tests/deploy/)"
  cat build/containers/timings.log
fi

if [ "${1:-}" != "--fast" ]; then
  echo "== sanitizer build (address, undefined): unit tests and the e2e tests of run"
  cmake -S . -B build/asan -G Ninja -DREPLAYER_WERROR=ON -DREPLAYER_SANITIZE=ON \
    -DREPLAYER_DEMOCHAIN=OFF -DREPLAYER_BENCH=OFF -DREPLAYER_E2E=ON -DREPLAYER_E2E_ONLY_RUN=ON \
    -DREPLAYER_SDKCHAIN=OFF -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" >/dev/null
  ninja -C build/asan -j "$jobs"
  # The e2e harness passes these to the replayer it runs and fails a test on any report.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build/asan --output-on-failure -j "$jobs" -L "unit|e2e-run" --timeout 600
fi
