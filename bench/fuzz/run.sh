#!/usr/bin/env bash
# Fuzz campaign: builds the libFuzzer targets (clang; every project target instrumented with
# -fsanitize=fuzzer-no-link,address,undefined and UB fatal, the targets linked with
# -fsanitize=fuzzer) and runs each for SECONDS (default 300), one at a time (PARALLEL=N: N at once)
# Prints per target the executions, the coverage libFuzzer reports at the end (cov: edges,
# ft: features), the corpus size and the findings. The seed corpus (tests/fuzz/corpus/<name>) is
# only read; new inputs go to build/fuzz/corpus/<name>, findings (crash-*, leak-*, timeout-*,
# oom-*) to build/fuzz/findings/<target>/, each run's log to build/fuzz/logs/<target>.log.
# A finding stops that target's run (libFuzzer's default); the script exits 1 if any was found.
# Installs what it needs first (scripts/setup.sh --fuzz: clang and libclang-rt-14-dev; CI does not
# fuzz).
# Usage: bench/fuzz/run.sh [SECONDS] [TARGET...]   (default: every tests/fuzz/fuzz_*.cpp)
#   JOBS=N   parallel compile jobs (default 2);  SKIP_BUILD=1   run the targets already built
#   PARALLEL=N   fuzz N targets at once (default 1)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-300}
[ $# -gt 0 ] && shift
build=build/fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi

bash scripts/setup.sh --fuzz
export CCACHE_BASEDIR="$PWD"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DREPLAYER_FUZZ=ON -DREPLAYER_DEMOCHAIN=OFF \
    -DREPLAYER_BENCH=OFF -DREPLAYER_E2E=OFF -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" >/dev/null
  ninja -C "$build" -j "${JOBS:-2}" "${targets[@]}" >/dev/null
fi

# One target's run; writes its table row to $build/logs/<target>.row.
run_one() {
  local t=$1 name=${1#fuzz_}
  local corpus="$build/corpus/$name" findings="$build/findings/$t" log="$build/logs/$t.log"
  mkdir -p "$corpus" "$findings" "$(dirname "$log")"
  local start; start=$(date +%s)
  "$build/tests/fuzz/$t" "$corpus" "tests/fuzz/corpus/$name" -max_total_time="$secs" \
    -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$findings/" \
    >"$log" 2>&1 || true
  local took=$(( $(date +%s) - start ))
  local execs last cov ft corp n
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  n=$(find "$findings" -type f | wc -l)
  {
    printf '%-24s %8s %12s %8s %8s %8s %9s\n' "$t" "$took" "${execs:-?}" "${cov:-?}" "${ft:-?}" \
      "${corp:-?}" "$n"
    if [ "$n" -gt 0 ]; then
      grep -E 'ERROR: |runtime error|SUMMARY' "$log" | head -3 | sed 's/^/    /'
      find "$findings" -type f | head -3 | sed 's/^/    /'
    fi
  } >"$build/logs/$t.row"
}

# PARALLEL=N runs N targets at once (default 1: one core, the numbers comparable run to run).
parallel=${PARALLEL:-1}
echo "fuzz campaign: ${#targets[@]} targets, $secs s each, $parallel at a time, $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
running=0
for t in "${targets[@]}"; do
  rm -f "$build/logs/$t.row"
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then wait -n || true; running=$((running - 1)); fi
done
wait
found=0
printf '%-24s %8s %12s %8s %8s %8s %9s\n' target seconds executions cov ft corpus findings
for t in "${targets[@]}"; do
  cat "$build/logs/$t.row"
  [ "$(find "$build/findings/$t" -type f | wc -l)" -gt 0 ] && found=1
done
exit $found
