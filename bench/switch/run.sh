#!/usr/bin/env bash
# Switch latency: from the moment a running node finishes writing data/upgrade-info.json to the
# first line of the new binary, through the real `replayer run`, default settings (SIGKILL, data
# snapshot on, journal fsyncs). Median and max of N runs (default 30), then the same with
# UNSAFE_SKIP_BACKUP=true for comparison.  Usage: bench/switch/run.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-30}
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DREPLAYER_TESTS=OFF \
  -DREPLAYER_DEMOCHAIN=OFF >/dev/null
ninja -C build/bench replayer bench_node >/dev/null
REPLAYER=$PWD/build/bench/replayer/replayer
NODE=$PWD/build/bench/bench/switch/bench_node
WORK=$(mktemp -d /tmp/replayer-bench-switch-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

measure() {  # measure <label> [VAR=value ...]
  local label=$1; shift
  local samples=()
  for i in $(seq 1 "$N"); do
    local home=$WORK/home-$i
    rm -rf "$home"; mkdir -p "$home"
    env DAEMON_HOME="$home" DAEMON_NAME=benchd "$REPLAYER" init "$NODE" >/dev/null
    env DAEMON_HOME="$home" DAEMON_NAME=benchd "$REPLAYER" add-upgrade v2 "$NODE" >/dev/null
    # a small LevelDB-like data folder for the snapshot step
    mkdir -p "$home/data/application.db"
    for f in 1 2 3 4; do head -c 2097152 /dev/urandom > "$home/data/application.db/00000$f.ldb"; done
    head -c 65536 /dev/urandom > "$home/data/application.db/MANIFEST-000005"
    env DAEMON_HOME="$home" DAEMON_NAME=benchd COSMOVISOR_DISABLE_LOGS=true "$@" \
      "$REPLAYER" run start >/dev/null
    local a b
    a=$(cat "$home/t_written"); b=$(cat "$home/t_first_line")
    samples+=("$(( (b - a) / 1000 ))")
    rm -rf "$home"
  done
  printf '%s\n' "${samples[@]}" | sort -n | awk -v label="$label" '
    { v[NR] = $1 }
    END { med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
          printf "%-34s runs=%d  median=%.2f ms  min=%.2f ms  max=%.2f ms\n", label, NR, med / 1000, v[1] / 1000, v[NR] / 1000 }'
}

measure "default (snapshot on)"
measure "UNSAFE_SKIP_BACKUP=true" UNSAFE_SKIP_BACKUP=true
