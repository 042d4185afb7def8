#!/usr/bin/env bash
# sync benchmark: Replayer's overhead on a real replay. A 50,000-block demochain history with
# four switches (gov "v2", the v2.1.0 halt-height patch, gov "v3", gov "v4"; made by
# demochain/make-history) is served by an archive peer on 127.0.0.1. In the same run, in
# alternating order, REPS times each, on fresh node homes:
#
#   DIRECT    every segment's binary run by hand: `<bin> start --home H --peer P --rpc-listen ""
#             --halt-height <next switch height - 1>` (last: --halt-height BLOCKS); the sum of
#             the five processes' wall times (start to exit).
#   REPLAYER  `replayer sync --plans SCHEDULE --until BLOCKS -- start --peer P --rpc-listen ""`
#             on a home whose Cosmovisor layout already holds every binary (nothing is fetched),
#             default settings (a data snapshot before each switch), start to exit.
#   NOBACKUP  the same with UNSAFE_SKIP_BACKUP=true.
#
# All node output goes to a file in every mode. Every run's final height and app hash are
# checked against the archive's. Downtime per switch is read from the node's own log lines
# (relayed unchanged by Replayer): the time from the last "committed block height=H-1" line to
# the first "committed block height=H" line, H the switch height.
#
# usage: bench/sync/run.sh [--build-dir DIR] [--blocks N] [--reps R] [--out DIR] [--keep]
# (needs `ninja -C DIR replayer demochain`; default DIR build/h-bench; --keep leaves --out)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="$ROOT/build/h-bench"
BLOCKS=50000
REPS=3
OUT="$ROOT/bench/out/sync"
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) BUILD="$2"; shift 2 ;;
    --blocks) BLOCKS="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: $0 [--build-dir DIR] [--blocks N] [--reps R] [--out DIR] [--keep]" >&2; exit 64 ;;
  esac
done
case "$BUILD" in /*) ;; *) BUILD="$PWD/$BUILD" ;; esac
BIN="$BUILD/demochain/bin"
REPLAYER="$BUILD/replayer/replayer"
for f in "$BIN/demochaind-v4.0.0" "$REPLAYER"; do
  [ -x "$f" ] || { echo "missing $f; build first: ninja -C $BUILD replayer demochain" >&2; exit 1; }
done

PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$KEEP" -eq 0 ]; then rm -rf "$OUT/history" "$OUT/runs" "$OUT/mirror"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$OUT"
mkdir -p "$OUT/runs"
export COSMOVISOR_COLOR_LOGS=false
unset DAEMON_HOME DAEMON_NAME UNSAFE_SKIP_BACKUP DAEMON_SHUTDOWN_GRACE DAEMON_RESTART_DELAY \
  COSMOVISOR_DISABLE_RECASE DAEMON_DATA_BACKUP_DIR DAEMON_ALLOW_DOWNLOAD_BINARIES || true
now() { echo "$EPOCHREALTIME"; }
secs() { awk "BEGIN{printf \"%.3f\", $2 - $1}"; }
wait_for_file() {
  for _ in $(seq 1 500); do [ -s "$1" ] && return 0; sleep 0.02; done
  echo "timed out waiting for $1" >&2
  return 1
}

# 1. The history: switches at 20/40/60/80 % of the chain.
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
t0=$(now)
"$ROOT/demochain/make-history" --bin-dir "$BIN" --out "$OUT/history" --blocks "$BLOCKS" \
  --v2-height $((BLOCKS * 20 / 100)) --fix-height $((BLOCKS * 40 / 100)) \
  --v3-height $((BLOCKS * 60 / 100)) --v4-height $((BLOCKS * 80 / 100)) \
  --binary-port 1 >"$OUT/make-history.log" 2>&1
SUMMARY="$OUT/history/summary.json"
echo "history: $BLOCKS blocks in $(secs "$t0" "$(now)") s"
sj() { python3 -c "import json,sys; s=json.load(open('$SUMMARY')); print($1)"; }
FINAL_VERSION=$(sj "s['final_version']")
WANT="$BLOCKS $(sj "s['final_app_hash']")"
# SEGS: "version first_height last_height" per segment; SW: switch heights.
mapfile -t SEGS < <(sj "'\n'.join(f\"{g['version']} {g['first_height']} {g['last_height']}\" for g in s['segments'])")
mapfile -t SW < <(sj "'\n'.join(str(w['height']) for w in s['switches'])")
python3 - "$SUMMARY" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
for w in s["switches"]:
    print(f"  {w['kind']:<12} {w['name']:<7} at {w['height']:>6}: {w['previous_version']} -> {w['version']}")
EOF

# 2. The archive peer and a registry mirror (the schedule's URLs point at it, as in
# scripts/demo.sh; every binary is already in place, so nothing should be fetched).
"$BIN/demochaind-$FINAL_VERSION" start --home "$OUT/history/home" --rpc-listen 127.0.0.1:0 \
  --rpc-port-file "$OUT/peer.port" >"$OUT/peer.log" 2>&1 &
PIDS+=($!)
wait_for_file "$OUT/peer.port"
PEER="http://127.0.0.1:$(cat "$OUT/peer.port")"
mkdir -p "$OUT/mirror/cosmovisor"
for seg in "${SEGS[@]}"; do
  v=${seg%% *}
  DAEMON_HOME="$OUT/mirror" DAEMON_NAME=demochaind "$REPLAYER" registry add "$BIN/demochaind-$v" \
    --name "$v" >/dev/null
done
DAEMON_HOME="$OUT/mirror" DAEMON_NAME=demochaind "$REPLAYER" registry serve \
  --listen 127.0.0.1:0 >"$OUT/mirror.out" 2>"$OUT/mirror.log" &
PIDS+=($!)
wait_for_file "$OUT/mirror.out"
MIRROR=$(sed -n 's/.* on \(http:[^ ]*\).*/\1/p' "$OUT/mirror.out")
echo "peer $PEER, mirror $MIRROR"

# 3. The schedule, as scripts/demo.sh writes it.
python3 - "$SUMMARY" "$MIRROR" "$OUT/schedule.json" <<'EOF'
import json, sys, urllib.request
summary, mirror, out = sys.argv[1], sys.argv[2], sys.argv[3]
s = json.load(open(summary))
def binaries(version):
    return json.load(urllib.request.urlopen(f"{mirror}/plans/{version}.json"))["binaries"]
segments = [{"first_height": 1, "kind": "genesis", "name": "genesis", "version": s["genesis_version"],
             "binaries": binaries(s["genesis_version"]), "sources": {"binaries": "operator (mirror)"}}]
for w in s["switches"]:
    segments.append({"first_height": w["height"],
                     "kind": "gov-plan" if w["kind"] == "gov" else "halt-height",
                     "name": w["name"], "version": w["version"], "binaries": binaries(w["version"]),
                     "sources": {"binaries": "operator (mirror)", "first_height": "operator"}})
json.dump({"format_version": 1, "chain_id": s["chain_id"], "daemon_name": "demochaind",
           "segments": segments}, open(out, "w"), indent=2)
EOF
DAEMON_HOME="$OUT/mirror" DAEMON_NAME=demochaind "$REPLAYER" plans check \
  --plans "$OUT/schedule.json" >"$OUT/plans-check.log" 2>&1 ||
  { cat "$OUT/plans-check.log"; exit 1; }
mapfile -t NAMES < <(python3 -c "import json; print('\n'.join(g['name'] for g in json.load(open('$OUT/schedule.json'))['segments']))")

fresh_home() {  # DIR: a node home with the history's genesis
  mkdir -p "$1/config"
  cp "$OUT/history/home/config/genesis.json" "$1/config/"
}
check_final() {  # HOME LABEL
  local got
  got=$("$BIN/demochaind-$FINAL_VERSION" status --home "$1" | python3 -c \
    "import json,sys; d=json.load(sys.stdin)['sync_info']; print(d['latest_block_height'], d['latest_app_hash'])")
  [ "${got,,}" = "${WANT,,}" ] || { echo "$2: final height/app hash $got != archive $WANT" >&2; exit 1; }
}

# DIRECT: returns the summed wall time in $RESULT.
run_direct() {
  local dir="$1" home="$1/home" log="$1/node.log" total=0 i v first last t_a t_b rc
  fresh_home "$home"
  RUN_START=$(now)
  for i in "${!SEGS[@]}"; do
    read -r v first last <<<"${SEGS[$i]}"
    rc=0
    t_a=$(now)
    "$BIN/demochaind-$v" start --home "$home" --peer "$PEER" --rpc-listen "" \
      --halt-height "$last" >>"$log" 2>&1 || rc=$?
    t_b=$(now)
    [ "$rc" -eq 0 ] || { echo "direct: $v exited $rc (see $log)" >&2; exit 1; }
    total=$(awk "BEGIN{print $total + $t_b - $t_a}")
  done
  RUN_END=$(now)
  check_final "$home" "direct"
  RESULT=$total
}

# REPLAYER: $2 = UNSAFE_SKIP_BACKUP value; returns the wall time in $RESULT.
run_replayer() {
  local dir="$1" skip="$2" home="$1/home" log="$1/node.log" i v first last rc t_a t_b
  fresh_home "$home"
  DAEMON_HOME="$home" DAEMON_NAME=demochaind "$REPLAYER" init "$BIN/demochaind-v1.0.0" >/dev/null 2>&1
  for i in "${!SEGS[@]}"; do
    [ "$i" -eq 0 ] && continue
    read -r v first last <<<"${SEGS[$i]}"
    DAEMON_HOME="$home" DAEMON_NAME=demochaind "$REPLAYER" add-upgrade "${NAMES[$i]}" \
      "$BIN/demochaind-$v" >/dev/null 2>&1
  done
  sync  # the layout's copies are not part of the measurement
  rc=0
  t_a=$(now)
  DAEMON_HOME="$home" DAEMON_NAME=demochaind UNSAFE_SKIP_BACKUP="$skip" "$REPLAYER" sync \
    --plans "$OUT/schedule.json" --until "$BLOCKS" -- start --peer "$PEER" --rpc-listen "" \
    >"$log" 2>&1 || rc=$?
  t_b=$(now)
  RUN_START=$t_a RUN_END=$t_b
  [ "$rc" -eq 0 ] || { echo "replayer: exited $rc (see $log)" >&2; exit 1; }
  if grep -q "fetching .* binaries" "$log"; then echo "replayer fetched binaries (see $log)" >&2; exit 1; fi
  check_final "$home" "replayer"
  RESULT=$(awk "BEGIN{print $t_b - $t_a}")
}

# From the node's own log lines ("<UTC time>.mmmZ LEVEL message"), two things:
#  - downtime per switch: last "committed block height=H-1" to first "committed block height=H";
#  - "no node" time: from the start of the run to the first node's "starting demochaind" line,
#    from each node's last line to the next node's "starting" line, and from the last node's
#    last line to the end of the run: the time in which no node was doing anything visible
#    (process start-up before main() and the exit after the last line are included).
# Prints: "<ms per switch, space-separated>|<no-node ms>".
downtimes() {  # LOG RUN_START RUN_END (epoch seconds)
  python3 - "$@" "${SW[@]}" <<'EOF'
import re, sys, datetime
log, t_start, t_end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
heights = [int(h) for h in sys.argv[4:]]
stamp = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z [A-Z]{3} (.*)$")
commit = re.compile(r"^committed block height=(\d+)$")
last, first = {}, {}
gaps, prev = 0.0, t_start
for line in open(log, errors="replace"):
    m = stamp.match(line.rstrip("\n"))
    if not m:
        continue
    t = datetime.datetime.fromisoformat(m.group(1) + "+00:00").timestamp()
    msg = m.group(2)
    if msg.startswith("starting demochaind "):
        gaps += max(0.0, t - prev)
    prev = t
    c = commit.match(msg)
    if c:
        h = int(c.group(1))
        last[h] = t
        first.setdefault(h, t)
gaps += max(0.0, t_end - prev)
print(" ".join(f"{(first[h] - last[h - 1]) * 1000:.0f}" for h in heights) + f"|{gaps * 1000:.0f}")
EOF
}

declare -A TIMES DOWN GAPS
MODES=(direct replayer nobackup)
for rep in $(seq 1 "$REPS"); do
  if [ $((rep % 2)) -eq 1 ]; then order=(direct replayer nobackup); else order=(nobackup replayer direct); fi
  for mode in "${order[@]}"; do
    dir="$OUT/runs/$rep-$mode"
    mkdir -p "$dir"
    case "$mode" in
      direct) run_direct "$dir" ;;
      replayer) run_replayer "$dir" false ;;
      nobackup) run_replayer "$dir" true ;;
    esac
    TIMES[$mode]="${TIMES[$mode]:-} $RESULT"
    dg=$(downtimes "$dir/node.log" "$RUN_START" "$RUN_END")
    d=${dg%|*}
    DOWN[$mode]="${DOWN[$mode]:-} $d"
    GAPS[$mode]="${GAPS[$mode]:-} ${dg#*|}"
    printf "  rep %d %-9s %7.3f s  downtime per switch (ms): %-19s  no node running: %5d ms\n" \
      "$rep" "$mode" "$RESULT" "$d" "${dg#*|}"
    if [ "$mode" != direct ]; then
      grep -iE "downtime|^sync summary|^  " "$dir/node.log" | grep -v "INF \|ERR " >"$dir/summary.txt" || true
    fi
    [ "$KEEP" -eq 1 ] || rm -rf "$dir/home"
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$OUT/result.json" "$BLOCKS" "${TIMES[direct]}" "${TIMES[replayer]}" "${TIMES[nobackup]}" \
  "${DOWN[direct]}" "${DOWN[replayer]}" "${DOWN[nobackup]}" \
  "${GAPS[direct]}" "${GAPS[replayer]}" "${GAPS[nobackup]}" <<'EOF'
import json, statistics, sys
out, blocks = sys.argv[1], int(sys.argv[2])
t = {m: [float(x) for x in sys.argv[3 + i].split()] for i, m in enumerate(["direct", "replayer", "nobackup"])}
d = {m: [float(x) for x in sys.argv[6 + i].split()] for i, m in enumerate(["direct", "replayer", "nobackup"])}
g = {m: [float(x) for x in sys.argv[9 + i].split()] for i, m in enumerate(["direct", "replayer", "nobackup"])}
med = {m: statistics.median(v) for m, v in t.items()}
res = {"blocks": blocks, "seconds": t, "median_seconds": med,
       "ratio_replayer_direct": med["replayer"] / med["direct"],
       "ratio_nobackup_direct": med["nobackup"] / med["direct"],
       "per_rep_ratio_replayer": [r / x for r, x in zip(t["replayer"], t["direct"])],
       "per_rep_ratio_nobackup": [r / x for r, x in zip(t["nobackup"], t["direct"])],
       "downtime_ms": {m: {"median": statistics.median(v), "max": max(v), "all": v} for m, v in d.items()},
       "no_node_running_ms": g}
json.dump(res, open(out, "w"), indent=1)
print(f"median of {len(t['direct'])}: direct {med['direct']:.3f} s ({blocks / med['direct']:.0f} blocks/s), "
      f"replayer {med['replayer']:.3f} s, replayer+UNSAFE_SKIP_BACKUP {med['nobackup']:.3f} s")
print(f"ratio REPLAYER/DIRECT {res['ratio_replayer_direct']:.4f} (goal <= 1.02); "
      f"with UNSAFE_SKIP_BACKUP=true {res['ratio_nobackup_direct']:.4f}")
print("per rep: replayer " + " ".join(f"{r:.4f}" for r in res["per_rep_ratio_replayer"]) +
      "; nobackup " + " ".join(f"{r:.4f}" for r in res["per_rep_ratio_nobackup"]))
for m in ["direct", "replayer", "nobackup"]:
    print(f"downtime per switch, {m:<9}: median {statistics.median(d[m]):.0f} ms, max {max(d[m]):.0f} ms "
          f"({len(d[m])} switches); no node running: median {statistics.median(g[m]):.0f} ms per run")
EOF
for mode in replayer nobackup; do
  if [ -s "$OUT/runs/1-$mode/summary.txt" ]; then
    echo "replayer's own sync summary ($mode, rep 1):"
    sed 's/^/  | /' "$OUT/runs/1-$mode/summary.txt"
  fi
done
