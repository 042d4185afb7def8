#!/usr/bin/env bash
# Registry benchmarks: download + verify vs curl, SHA-256 throughput, parallel prefetch.
# Usage: bench/registry/run.sh [--size-mb 500] [--runs 3] [--dir /tmp]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/bench-registry
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DREPLAYER_DEMOCHAIN=OFF \
  -DREPLAYER_TESTS=OFF >/dev/null
ninja -C "$build" registry_bench >/dev/null
"$build/bench/registry/registry_bench" "$@"
