#!/usr/bin/env bash
# A real Cosmos SDK upgrade, timed from the outside, under the real `replayer run` and, in the
# same run, under the real `cosmovisor run` (Cosmovisor v1.5.0, the comparison anchor:
# sdkchain/build.sh cosmovisor), N times each, alternating, every run on a fresh localnet
# (sdkchain/: simd v0.50.15 -> v0.53.8 by governance, plan v050-to-v053):
#   A  data/upgrade-info.json written (its mtime) -> the new node's first output line
#   B  last block committed by v0.50 ("committed state height=H-1") -> first block committed by
#      v0.53 ("committed state height=H"), each line stamped as the supervisor relays it
#   R  data/upgrade-info.json written -> the new node exec'd (Replayer's "started ... from
#      upgrades/" line, Cosmovisor's "running app path=.../upgrades/..." line): stop, backup,
#      switch and the new binary's `pre-upgrade`
#   S  the new node exec'd -> its first committed block: the node's own start-up
#   P  data/upgrade-info.json written -> old node stopped, data backed up, `current` switched,
#      i.e. everything before the new binary's `pre-upgrade` (Replayer's "current-switched" line;
#      Cosmovisor logs nothing between its "backup completed" line and `pre-upgrade`, so that
#      line, before its symlink swap of a few microseconds)
#   H  last block committed by v0.50 -> data/upgrade-info.json written: the chain's own block
#      interval (timeout_commit 300 ms) up to x/upgrade's halt at H, before any supervisor acts;
#      B = H + R + S
#   A_pre (Replayer only) upgrade-info.json written -> the new binary's first line, its
#      `pre-upgrade` answer (Replayer relays it; Cosmovisor swallows it)
# Both at their defaults: DAEMON_POLL_INTERVAL unset (300 ms for both; Replayer also watches
# data/ with inotify), DAEMON_SHUTDOWN_GRACE unset (SIGKILL), backups on (Replayer: a hard-link
# snapshot; Cosmovisor: a full copy of data/), DAEMON_RESTART_AFTER_UPGRADE true. Each home is
# set up by its own tool (`init` + `add-upgrade v050-to-v053`). Median, min, max of each, and
# the median ratios Replayer/Cosmovisor of A, P, R and B.
# Usage: [REPLAYER=path] [COSMOVISOR=path] bench/sdkchain/run.sh [N]   (default 3)
#        NO_COSMOVISOR=1: the Replayer column alone; BENCH_KEEP=1: keep the homes and logs
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-3}
bash sdkchain/build.sh simd >&2
if [ -z "${REPLAYER:-}" ]; then  # REPLAYER=<path> measures an already built binary
  cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DREPLAYER_TESTS=OFF \
    -DREPLAYER_DEMOCHAIN=OFF >/dev/null
  ninja -C build/bench -j2 replayer >/dev/null
  REPLAYER=$PWD/build/bench/replayer/replayer
fi
tools=(replayer)
if [ "${NO_COSMOVISOR:-0}" != 1 ]; then
  if [ -z "${COSMOVISOR:-}" ]; then
    bash sdkchain/build.sh cosmovisor >&2
    COSMOVISOR=$PWD/build/sdkchain/bin/cosmovisor-v1.5.0
  fi
  tools+=(cosmovisor)
fi
S1=$PWD/build/sdkchain/bin/simd-v0.50.15
S2=$PWD/build/sdkchain/bin/simd-v0.53.8
L=$PWD/sdkchain/localnet.sh
WORK=$(mktemp -d /tmp/replayer-bench-sdkchain-XXXXXX)
sup=
cleanup() {
  [ -n "$sup" ] && kill -TERM "$sup" 2>/dev/null || true
  if [ -n "${BENCH_KEEP:-}" ]; then echo "bench: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

one() {  # one <tool> <i>: one governance upgrade on a fresh localnet; prints "tool=... A=... ..."
  local tool=$1 i=$2 home=$WORK/home-$1-$2 bin
  bin=$REPLAYER
  [ "$tool" = cosmovisor ] && bin=$COSMOVISOR
  bash "$L" init "$home" "$S1" >/dev/null
  export DAEMON_HOME=$home DAEMON_NAME=simd COSMOVISOR_COLOR_LOGS=false HOME=$WORK
  "$bin" init "$S1" >/dev/null 2>&1
  "$bin" add-upgrade v050-to-v053 "$S2" >/dev/null 2>&1
  # Every line the supervisor relays (node stdout+stderr and its own), stamped with wall-clock
  # ms as it arrives. $! is the supervisor itself, so it is stopped by its own PID.
  "$bin" run start --home "$home" > >(python3 -u -c '
import sys, time
for line in sys.stdin:
    sys.stdout.write("%d %s" % (time.time() * 1000, line))
' > "$home/stamped.log") 2>&1 &
  sup=$!
  bash "$L" wait-height "$home" 2 90 >/dev/null
  local plan
  plan=$(( $(bash "$L" height "$home") + 40 ))
  bash "$L" propose "$home" "$S1" v050-to-v053 "$plan" >/dev/null
  bash "$L" wait-height "$home" $(( plan + 2 )) 180 >/dev/null
  kill -TERM "$sup" 2>/dev/null || true
  wait "$sup" || true
  sup=
  sleep 0.2  # the stamper drains the pipe
  python3 - "$tool" "$home" "$plan" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import os, re, sys
tool, home, plan, load = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
info_ms = os.stat(f"{home}/data/upgrade-info.json").st_mtime_ns / 1e6
lines = [l.split(" ", 1) for l in open(f"{home}/stamped.log", errors="replace")]
strip = lambda s: re.sub(r"\x1b\[[0-9;]*m", "", s)
def first(pred, after=0.0):
    for t, l in lines:
        if float(t) >= after and pred(strip(l)):
            return float(t)
    raise SystemExit(f"bench: line not found in {home}/stamped.log")
committed = lambda h: (lambda l: "committed state" in l and re.search(rf"\bheight={h}\b", l))
own = lambda l: f"module={tool}" in l
last_old = first(committed(plan - 1))
if tool == "replayer":
    launched = first(lambda l: own(l) and "started " in l and "from upgrades/" in l, last_old)
else:
    launched = first(lambda l: own(l) and "running app" in l and "/upgrades/" in l, last_old)
node_first_line = first(lambda l: not own(l), launched)
first_new = first(committed(plan), launched)
if tool == "replayer":
    switched = first(lambda l: own(l) and "current-switched" in l, last_old)
    extra = f" A_pre={first(lambda l: not own(l), switched) - info_ms:.1f}"
else:
    switched = first(lambda l: own(l) and "backup completed" in l, last_old)
    extra = ""
extra += f" P={switched - info_ms:.1f} H={info_ms - last_old:.1f}"
print(f"tool={tool} load={load} A={node_first_line - info_ms:.1f} B={first_new - last_old:.1f} "
      f"S={first_new - launched:.1f} R={launched - info_ms:.1f}{extra}")
PY
  unset DAEMON_HOME
  [ -n "${BENCH_KEEP:-}" ] || rm -rf "$home"
}

for i in $(seq 1 "$N"); do
  for t in "${tools[@]}"; do  # not in a pipeline: a failure stops the supervisor through the trap
    one "$t" "$i" > "$WORK/row"
    cat "$WORK/row"; cat "$WORK/row" >> "$WORK/samples"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$WORK/samples" <<'PY'
import statistics, sys
rows = [dict(kv.split("=") for kv in l.split()) for l in open(sys.argv[1]) if l.startswith("tool=")]
med = {}
for tool in ("replayer", "cosmovisor"):
    mine = [r for r in rows if r["tool"] == tool]
    if not mine:
        continue
    for key, what in (("A", "upgrade-info.json written -> new node's first line"),
                      ("A_pre", "upgrade-info.json written -> new binary's first line (pre-upgrade)"),
                      ("P", "upgrade-info.json written -> stopped, backed up, switched"),
                      ("R", "upgrade-info.json written -> new node exec'd (supervisor's part)"),
                      ("B", "last v0.50 block -> first v0.53 block"),
                      ("S", "new node exec'd -> its first block (the node's own start-up)"),
                      ("H", "last v0.50 block -> upgrade-info.json written (block interval)")):
        if key not in mine[0]:
            continue
        v = sorted(float(r[key]) for r in mine)
        med[tool, key] = statistics.median(v)
        print(f"{tool:10s} {what:66s} runs={len(v)} median={med[tool, key]:7.1f} ms "
              f"min={v[0]:7.1f} max={v[-1]:7.1f}")
    if (tool, "B") in med:
        print(f"{tool:10s} B - S (switch downtime beyond the node's own start-up), median: "
              f"{med[tool, 'B'] - med[tool, 'S']:.1f} ms")
for key in ("A", "P", "R", "B"):
    if ("replayer", key) in med and ("cosmovisor", key) in med:
        print(f"ratio Replayer/Cosmovisor, median {key}: {med['replayer', key] / med['cosmovisor', key]:.3f}")
PY
