#!/usr/bin/env bash
# A real Cosmos SDK upgrade under `replayer run`, timed from the outside, N times on fresh
# localnets (sdkchain/: simd v0.50.15 -> v0.53.8 by governance, plan v050-to-v053):
#   A  data/upgrade-info.json written (its mtime) -> the new binary's first output line
#   B  last block committed by v0.50 ("committed state height=H-1") -> first block committed by
#      v0.53 ("committed state height=H"), each line stamped when Replayer relays it
#   R  data/upgrade-info.json written -> the new node exec'd (Replayer's "started" line): stop,
#      snapshot, switch and the new binary's `pre-upgrade`
#   S  the new node exec'd -> its first committed block: the node's own start-up
# Median, min, max of each. Cosmovisor v1.7.1 is not measured: the module proxy refuses its
# source (sdkchain/README.md), so the comparison column stays empty.
# Usage: [REPLAYER=path] bench/sdkchain/run.sh [N]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-3}
bash sdkchain/build.sh simd >&2
if [ -z "${REPLAYER:-}" ]; then  # REPLAYER=<path> measures an already built binary
  cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DREPLAYER_TESTS=OFF \
    -DREPLAYER_DEMOCHAIN=OFF >/dev/null
  ninja -C build/bench replayer >/dev/null
  REPLAYER=$PWD/build/bench/replayer/replayer
fi
S1=$PWD/build/sdkchain/bin/simd-v0.50.15
S2=$PWD/build/sdkchain/bin/simd-v0.53.8
L=$PWD/sdkchain/localnet.sh
WORK=$(mktemp -d /tmp/replayer-bench-sdkchain-XXXXXX)
trap 'for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

for i in $(seq 1 "$N"); do
  home=$WORK/home-$i
  bash "$L" init "$home" "$S1" >/dev/null
  export DAEMON_HOME=$home DAEMON_NAME=simd COSMOVISOR_COLOR_LOGS=false HOME=$WORK
  "$REPLAYER" init "$S1" >/dev/null
  "$REPLAYER" add-upgrade v050-to-v053 "$S2" >/dev/null
  # Every line Replayer relays (node stdout+stderr and its own), stamped with wall-clock ms.
  ( "$REPLAYER" run start --home "$home" 2>&1 | python3 -u -c '
import sys, time
for line in sys.stdin:
    sys.stdout.write("%d %s" % (time.time() * 1000, line))
' > "$home/stamped.log" ) &
  run=$!
  bash "$L" wait-height "$home" 2 90 >/dev/null
  plan=$(( $(bash "$L" height "$home") + 40 ))
  bash "$L" propose "$home" "$S1" v050-to-v053 "$plan" >/dev/null
  bash "$L" wait-height "$home" $(( plan + 2 )) 180 >/dev/null
  pkill -TERM -f "^$REPLAYER run start --home $home" || true
  wait "$run" || true
  python3 - "$home" "$plan" <<'PY'
import os, re, sys
home, plan = sys.argv[1], int(sys.argv[2])
info_ms = os.stat(f"{home}/data/upgrade-info.json").st_mtime_ns / 1e6
lines = [l.split(" ", 1) for l in open(f"{home}/stamped.log", errors="replace")]
strip = lambda s: re.sub(r"\x1b\[[0-9;]*m", "", s)
def first(pred, after=0.0):
    for t, l in lines:
        if float(t) >= after and pred(strip(l)):
            return float(t)
    raise SystemExit(f"bench: line not found in {home}/stamped.log")
committed = lambda h: (lambda l: "committed state" in l and re.search(rf"\bheight={h}\b", l))
is_replayer = lambda l: "module=replayer" in l
last_old = first(committed(plan - 1))
switched = first(lambda l: "current-switched" in l, last_old)
# The new binary's first line: its `pre-upgrade` answer (Replayer runs it before the node).
first_new_line = first(lambda l: not is_replayer(l), switched)
launched = first(lambda l: is_replayer(l) and "started " in l and "from upgrades/" in l, switched)
node_first_line = first(lambda l: not is_replayer(l), launched)
first_new = first(committed(plan), launched)
print(f"A={first_new_line - info_ms:.1f} A2={node_first_line - info_ms:.1f} "
      f"B={first_new - last_old:.1f} S={first_new - launched:.1f} R={launched - info_ms:.1f}")
PY
  unset DAEMON_HOME
done | tee "$WORK/samples"
python3 - "$WORK/samples" <<'PY'
import statistics, sys
rows = [dict(kv.split("=") for kv in l.split()) for l in open(sys.argv[1]) if l.startswith("A=")]
for key, what in (("A", "upgrade-info.json written -> new binary's first line (pre-upgrade)"),
                  ("A2", "upgrade-info.json written -> new node's first line"),
                  ("R", "upgrade-info.json written -> new node exec'd (Replayer's part)"),
                  ("B", "last v0.50 block -> first v0.53 block"),
                  ("S", "new node exec'd -> its first block (the node's own start-up)")):
    v = sorted(float(r[key]) for r in rows)
    print(f"{what:66s} runs={len(v)} median={statistics.median(v):7.1f} ms min={v[0]:7.1f} max={v[-1]:7.1f}")
PY
