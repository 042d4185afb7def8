#!/usr/bin/env bash
# `replayer audit` of a 30-segment schedule whose binaries sit on a loopback mirror
# (`replayer registry serve`): wall time cold (empty audit cache: every artefact downloaded,
# hashed, unpacked, ELF-checked and its `version` run) and warm (second run: answered from the
# audit cache, no request at all).
#
# Usage: bench/audit/run.sh [--replayer PATH] [--bin-dir DIR] [--segments 30] [--runs 3]
#                           [--parallel 4] [--keep]
#   --replayer  a replayer binary with the `audit` command (default: builds build/bench-audit)
#   --bin-dir   demochain release binaries demochaind-v{1.0.0,2.0.0,2.1.0,3.0.0}
#               (default: built in build/bench-audit)
# Artefacts: the demochain releases in turn, every other one as a tar.gz (bin/demochaind plus a
# marker file) and the rest raw; each carries a distinct marker so that all 30 checksums differ.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
replayer="" bin_dir="" segments=30 runs=3 parallel=4 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --replayer) replayer=$(realpath "$2"); shift 2 ;;
    --bin-dir) bin_dir=$(realpath "$2"); shift 2 ;;
    --segments) segments=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --parallel) parallel=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$replayer" ] || [ -z "$bin_dir" ]; then
  build=build/bench-audit
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DREPLAYER_TESTS=OFF \
    -DREPLAYER_BENCH=OFF >/dev/null
  ninja -C "$build" replayer demochain >/dev/null
  [ -n "$replayer" ] || replayer=$root/$build/replayer/replayer
  [ -n "$bin_dir" ] || bin_dir=$root/$build/demochain/bin
fi
"$replayer" audit --help >/dev/null 2>&1 || { echo "$replayer has no audit command" >&2; exit 1; }

work=$(mktemp -d /tmp/bench-audit-XXXXXX)
mirror_pid=""
cleanup() {
  [ -n "$mirror_pid" ] && kill "$mirror_pid" 2>/dev/null && wait "$mirror_pid" 2>/dev/null
  if [ "$keep" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

versions=(v1.0.0 v2.0.0 v2.1.0 v3.0.0)
mkdir -p "$work/art" "$work/mirror" "$work/auditor"
export DAEMON_NAME=demochaind
echo "preparing $segments artefacts and the mirror..."
for i in $(seq 1 "$segments"); do
  v=${versions[$(( (i - 1) % 4 ))]}
  src="$work/art/src$i"
  mkdir -p "$src/bin"
  cp "$bin_dir/demochaind-$v" "$src/bin/demochaind"
  printf 'audit bench marker %s\n' "$i" >>"$src/bin/demochaind"  # distinct content, still runs
  if [ $((i % 2)) = 0 ]; then
    echo "segment $i" >"$src/README"
    tar -C "$src" -czf "$work/art/seg$i.tar.gz" bin README
    art="$work/art/seg$i.tar.gz"
  else
    art="$work/art/seg$i"
    mv "$src/bin/demochaind" "$art"
  fi
  DAEMON_HOME=$work/mirror "$replayer" registry add "$art" --name "seg$i" >/dev/null
  echo "$v $(sha256sum "$art" | cut -d' ' -f1) $(stat -c %s "$art")" >>"$work/artefacts.txt"
done
DAEMON_HOME=$work/mirror "$replayer" registry serve --listen 127.0.0.1:0 >"$work/serve.out" 2>&1 &
mirror_pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.out")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/serve.out" >&2; exit 1; }

# The schedule: genesis, then gov plans and halt heights in turn, 1,000 blocks apart.
platform=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
{
  echo '{"format_version": 1, "chain_id": "bench-1", "daemon_name": "demochaind", "segments": ['
  i=0
  while read -r v sha size; do
    i=$((i + 1))
    kind=gov-plan name="seg$i"
    [ $i = 1 ] && kind=genesis
    [ $((i % 3)) = 0 ] && kind=halt-height
    [ $i -gt 1 ] && echo ','
    printf '{"first_height": %d, "kind": "%s", "name": "%s", "version": "%s", ' \
      $(( (i - 1) * 1000 + 1 )) "$kind" "$name" "$v"
    printf '"binaries": {"linux/%s": "http://127.0.0.1:%s/sha256/%s?checksum=sha256:%s"}}' \
      "$platform" "$port" "$sha" "$sha"
  done <"$work/artefacts.txt"
  echo ']}'
} >"$work/schedule.json"

total_mb=$(awk '{s += $3} END {printf "%.0f", s / 1048576}' "$work/artefacts.txt")
echo "schedule: $segments segments, $total_mb MiB of artefacts on http://127.0.0.1:$port"

audit() {  # prints the wall time in seconds; the table goes to $work/audit.out
  local t0 t1 rc
  t0=$(date +%s.%N)
  rc=0
  DAEMON_HOME=$work/auditor "$replayer" audit --plans "$work/schedule.json" \
    --parallel "$parallel" "$@" >"$work/audit.out" 2>"$work/audit.err" || rc=$?
  t1=$(date +%s.%N)
  if [ "$rc" != 0 ]; then cat "$work/audit.out" "$work/audit.err" >&2; exit 1; fi
  echo "$t1 - $t0" | bc
}
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

cold="" warm=""
for r in $(seq 1 "$runs"); do
  rm -rf "$work/auditor/cosmovisor/registry/audit-cache"
  cold="$cold $(audit)"
  warm="$warm $(audit)"
done
grep -E '^[0-9]+ rows' "$work/audit.out"
echo "cold (download + verify + unpack + version probe):$cold s; median $(echo "$cold" | median) s"
echo "warm (audit cache, no request):$warm s; median $(echo "$warm" | median) s"
serial=$(parallel=1; rm -rf "$work/auditor/cosmovisor/registry/audit-cache"; audit)
echo "cold with --parallel 1: $serial s"
