#!/usr/bin/env bash
# Switch latency: from the moment a running node finishes writing data/upgrade-info.json to the
# first line of the new binary, through the real `replayer run` and, in the same run, the real
# `cosmovisor run` (Cosmovisor v1.5.0 from sdkchain/build.sh cosmovisor, the comparison anchor),
# samples alternating between the two. Default settings for both (DAEMON_POLL_INTERVAL unset:
# 300 ms for both; SIGKILL; data backup on: Replayer's snapshot, Cosmovisor's full copy), then
# the same with UNSAFE_SKIP_BACKUP=true for both, then with DAEMON_POLL_INTERVAL=10ms for both.
# Median, min, max of N runs each (default 30) and the median ratio Replayer/Cosmovisor. Each home is set up by its own tool (`replayer init`
# + `add-upgrade`, `cosmovisor init` + `add-upgrade`).
# Usage: bench/switch/run.sh [N]   (Env: REPLAYER=<path> NODE=<bench_node path>: already built
#        binaries; COSMOVISOR=<path>: another Cosmovisor build; NO_COSMOVISOR=1: Replayer alone)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-30}
if [ -z "${REPLAYER:-}" ] || [ -z "${NODE:-}" ]; then  # REPLAYER=, NODE=: already built binaries
  cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DREPLAYER_TESTS=OFF \
    -DREPLAYER_DEMOCHAIN=OFF >/dev/null
  ninja -C build/bench -j2 replayer bench_node >/dev/null
  REPLAYER=$PWD/build/bench/replayer/replayer
  NODE=$PWD/build/bench/bench/switch/bench_node
fi
tools=(replayer)
if [ "${NO_COSMOVISOR:-0}" != 1 ]; then
  if [ -z "${COSMOVISOR:-}" ]; then
    bash sdkchain/build.sh cosmovisor >&2
    COSMOVISOR=$PWD/build/sdkchain/bin/cosmovisor-v1.5.0
  fi
  tools+=(cosmovisor)
  echo "cosmovisor: $("$COSMOVISOR" version 2>&1 | head -1)"
fi
WORK=$(mktemp -d /tmp/replayer-bench-switch-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

one() {  # one <tool> <home> [VAR=value ...]: one switch, prints its latency in microseconds
  local tool=$1 home=$2; shift 2
  rm -rf "$home"; mkdir -p "$home"
  local bin=$REPLAYER
  [ "$tool" = cosmovisor ] && bin=$COSMOVISOR
  env DAEMON_HOME="$home" DAEMON_NAME=benchd "$bin" init "$NODE" >/dev/null 2>&1
  env DAEMON_HOME="$home" DAEMON_NAME=benchd "$bin" add-upgrade v2 "$NODE" >/dev/null 2>&1
  # a small LevelDB-like data folder for the snapshot / backup step
  mkdir -p "$home/data/application.db"
  for f in 1 2 3 4; do head -c 2097152 /dev/urandom > "$home/data/application.db/00000$f.ldb"; done
  head -c 65536 /dev/urandom > "$home/data/application.db/MANIFEST-000005"
  env DAEMON_HOME="$home" DAEMON_NAME=benchd COSMOVISOR_DISABLE_LOGS=true "$@" \
    "$bin" run start >/dev/null 2>"$WORK/stderr" || {
      echo "bench: $tool run failed: $(cat "$WORK/stderr")" >&2; exit 1; }
  local a b
  a=$(cat "$home/t_written"); b=$(cat "$home/t_first_line")
  echo "$(( (b - a) / 1000 ))"
  rm -rf "$home"
}

stats() {  # stats <label> <file of microsecond samples>: prints "label runs median min max", ms
  sort -n "$2" | awk -v label="$1" '
    { v[NR] = $1 }
    END { med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
          printf "%-46s runs=%d  median=%.2f ms  min=%.2f ms  max=%.2f ms\n", label, NR, med / 1000, v[1] / 1000, v[NR] / 1000 }'
}

median_of() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

measure() {  # measure <label> [VAR=value ...]: N samples per tool, alternating
  local label=$1; shift
  local t
  for t in "${tools[@]}"; do : > "$WORK/samples-$t"; done
  for i in $(seq 1 "$N"); do
    for t in "${tools[@]}"; do one "$t" "$WORK/home" "$@" >> "$WORK/samples-$t"; done
  done
  for t in "${tools[@]}"; do stats "$t, $label" "$WORK/samples-$t"; done
  if [ "${#tools[@]}" = 2 ]; then
    awk -v r="$(median_of "$WORK/samples-replayer")" -v c="$(median_of "$WORK/samples-cosmovisor")" \
      -v label="$label" 'BEGIN { printf "ratio Replayer/Cosmovisor, %s: %.3f\n", label, r / c }'
  fi
}

measure "default (backup on)"
measure "UNSAFE_SKIP_BACKUP=true" UNSAFE_SKIP_BACKUP=true
# The same short poll for both: what is left of Cosmovisor's figure without its poll wait.
measure "DAEMON_POLL_INTERVAL=10ms (backup on)" DAEMON_POLL_INTERVAL=10ms
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
