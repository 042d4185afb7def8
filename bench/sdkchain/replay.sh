#!/usr/bin/env bash
# Replay bench on the real chain (issue 14): a localnet history of BLOCKS blocks with bank sends
# in them (history.sh: simd v0.50.15 from genesis, the governance upgrade v050-to-v053 to v0.53.7
# at BLOCKS/3, a coordinated halt-height switch to PATCH_BIN, v0.53.8, at 2*BLOCKS/3), served by its
# validator (the archive peer, on 127.0.0.1), is synced from genesis to BLOCKS by a fresh full node
# (same genesis, persistent_peers = the validator, CometBFT block sync), in the same run, in
# alternating order, REPS times each, each on a fresh copy of one full-node home:
#
#   DIRECT    the segments by hand, as an operator's script would (direct.py): `<bin> start
#             --home H --log_no_color [--halt-height X]`, the end of each segment found in the
#             node's log (polled every 10 ms), the node then SIGKILLed and the next one started;
#             the same binaries, the same peer, the same halt heights as Replayer passes
#             (v0.50.15 until its UPGRADE NEEDED at the plan, v0.53.7 --halt-height PATCH,
#             PATCH_BIN --halt-height BLOCKS+1).
#   REPLAYER  `replayer sync --plans schedule.json --rest <validator> --until BLOCKS -- start
#             --home H --log_no_color`, default settings (a data snapshot before each switch, the
#             new binary's `pre-upgrade`), on a home whose Cosmovisor layout already holds the
#             three binaries (nothing is fetched; checked), schedule from `plans import --rest`
#             plus the operator's genesis and halt-height segments, binaries on a loopback mirror.
#
# Wall time: start of the first process to the exit of the last. Downtime per switch: the first
# time a watcher (tailstamp.py, the same in both modes) saw the node's "committed state
# height=H-1" line to the first time it saw "height=H", H the switch height. Every run must end
# at BLOCKS with the validator's app hash. The history is cached under build/bench-sdkchain-history
# (keyed by the binaries, the history scripts and the heights): the first run makes it (about
# BLOCKS/13 s here), later runs reuse it. Every process it starts is stopped on exit.
#
# usage: bench/sdkchain/replay.sh [--reps R] [--blocks N] [--out DIR] [--keep]
#   env: REPLAYER=<path> (else built in $BUILD, default build/ci), PATCH_BIN=<simd> (default
#        build/sdkchain/bin/simd-v0.53.8), SDKBENCH_CACHE=<dir>, TX_RATE (bank sends/s, 15)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
HERE=$ROOT/bench/sdkchain
REPS=3
BLOCKS=3000
OUT=$ROOT/bench/out/sdkchain-replay
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS=$2; shift 2 ;;
    --blocks) BLOCKS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: $0 [--reps R] [--blocks N] [--out DIR] [--keep]" >&2; exit 2 ;;
  esac
done
[ "$BLOCKS" -ge 300 ] || { echo "replay.sh: --blocks must be at least 300" >&2; exit 2; }

bash sdkchain/build.sh simd >&2
BUILD=${BUILD:-build/ci}
if [ -z "${REPLAYER:-}" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
  ninja -C "$BUILD" -j2 replayer >/dev/null
  REPLAYER=$ROOT/$BUILD/replayer/replayer
fi
SDKBIN=$ROOT/build/sdkchain/bin
S050=$SDKBIN/simd-v0.50.15
S053=$SDKBIN/simd-v0.53.7
SPATCH=${PATCH_BIN:-$SDKBIN/simd-v0.53.8}
for f in "$S050" "$S053" "$SPATCH" "$REPLAYER"; do [ -x "$f" ] || { echo "replay.sh: $f missing" >&2; exit 1; }; done
PLAN=$(( BLOCKS / 3 ))
PATCH=$(( BLOCKS * 2 / 3 ))
TARGET=$BLOCKS
END=$(( BLOCKS + 10 ))
RATE=${TX_RATE:-15}
LOCALNET="bash $ROOT/sdkchain/localnet.sh"

WORK=$(mktemp -d /tmp/replayer-bench-sdkreplay-XXXXXX)
PIDS=()
CUR=
node_pids() {  # every process whose command line names our work folder (nodes Replayer started)
  local d cmd
  for d in /proc/[0-9]*; do
    cmd=$( { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null || true)
    case "$cmd" in *"$WORK/"*) basename "$d" ;; esac
  done
}
cleanup() {
  local p
  for p in $CUR "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in $CUR "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  for p in $(node_pids); do [ "$p" != $$ ] && kill -9 "$p" 2>/dev/null || true; done
  [ "$KEEP" = 1 ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "replay.sh: $*" >&2; exit 1; }
wait_for_file() { for _ in $(seq 1 500); do [ -s "$1" ] && return 0; sleep 0.02; done; fail "timed out waiting for $1"; }
export COSMOVISOR_COLOR_LOGS=false
unset DAEMON_HOME DAEMON_NAME UNSAFE_SKIP_BACKUP DAEMON_SHUTDOWN_GRACE DAEMON_RESTART_DELAY \
  DAEMON_DATA_BACKUP_DIR DAEMON_ALLOW_DOWNLOAD_BINARIES || true
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load average at start: $(load) ($(nproc) cores)"

# 1. The history (cached).
CACHE=${SDKBENCH_CACHE:-$ROOT/build/bench-sdkchain-history}
KEY=$( { sha256sum "$S050" "$S053" "$SPATCH" | cut -d' ' -f1; cat "$HERE/history.sh" "$HERE/txload.py" \
  "$ROOT/sdkchain/localnet.sh"; echo "$PLAN $PATCH $END $RATE"; } | sha256sum | cut -c1-16)
HIST=$CACHE/$KEY
if [ ! -f "$HIST/done" ]; then
  echo "history: making $END blocks (cache $HIST) ..."
  mkdir -p "$CACHE"
  bash "$HERE/history.sh" "$HIST" "$S050" "$S053" "$SPATCH" "$PLAN" "$PATCH" "$END" "$RATE"
else
  echo "history: cached ($HIST)"
fi
. "$HIST/meta.env"
[ "$LAST" -ge $(( TARGET + 2 )) ] || fail "the cached history ends at $LAST, below $((TARGET + 2))"
# Executed sends: the loader account's sequence at the end (accepted ones may be dropped by a restart).
SENT=$(sed -n 's/.*last sequence \([0-9]*\).*/\1/p' "$HIST/txload.log")
echo "history: $LAST blocks, ${SENT:-?} bank sends executed, gov v050-to-v053 at $PLAN, halt-height switch to $PATCH_BIN at $PATCH (made in $SECONDS_TAKEN s)"

# 2. The archive peer: a copy of the validator, on ports free now, blocks every 5 s (idle).
V=$WORK/val
cp -a "$HIST/val" "$V"
. "$V/sdkchain.env"
read -r nrpc np2p napi ngrpc <<<"$(python3 -c '
import socket; s=[socket.socket() for _ in range(4)]
[x.bind(("127.0.0.1", 0)) for x in s]; print(" ".join(str(x.getsockname()[1]) for x in s))')"
for f in config/config.toml config/app.toml config/client.toml sdkchain.env; do
  sed -i -e "s/127.0.0.1:$RPC_PORT\b/127.0.0.1:$nrpc/g" -e "s/127.0.0.1:$P2P_PORT\b/127.0.0.1:$np2p/g" \
    -e "s/127.0.0.1:$API_PORT\b/127.0.0.1:$napi/g" -e "s/127.0.0.1:$GRPC_PORT\b/127.0.0.1:$ngrpc/g" \
    -e "s/^RPC_PORT=.*/RPC_PORT=$nrpc/" -e "s/^P2P_PORT=.*/P2P_PORT=$np2p/" \
    -e "s/^API_PORT=.*/API_PORT=$napi/" -e "s/^GRPC_PORT=.*/GRPC_PORT=$ngrpc/" "$V/$f"
done
sed -i 's/^timeout_commit = .*/timeout_commit = "5s"/' "$V/config/config.toml"
. "$V/sdkchain.env"
VRPC=$RPC_PORT VP2P=$P2P_PORT REST=http://127.0.0.1:$API_PORT
"$SPATCH" start --home "$V" --log_no_color >"$WORK/peer.log" 2>&1 &
PIDS+=($!)
$LOCALNET wait-height "$V" "$((TARGET + 2))" 120 >/dev/null || fail "the peer does not answer (see $WORK/peer.log)"
# Its REST API can answer 500 for a moment after RPC is up (the gateway's gRPC not yet serving).
for _ in $(seq 1 150); do
  curl -fsS --max-time 2 "$REST/cosmos/gov/v1/proposals" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS --max-time 2 "$REST/cosmos/gov/v1/proposals" >/dev/null || fail "the peer's REST $REST does not answer"
VID=$("$S050" comet show-node-id --home "$V")
echo "peer: $VID@127.0.0.1:$VP2P, REST $REST"

# 3. The mirror and the schedule (plans import --rest, plus the operator's genesis and patch).
mkdir -p "$WORK/mirror/cosmovisor"
for pair in "genesis:$S050" "v050-to-v053:$S053" "v053-patch:$SPATCH"; do
  DAEMON_HOME=$WORK/mirror DAEMON_NAME=simd "$REPLAYER" registry add "${pair#*:}" --name "${pair%%:*}" >/dev/null
done
DAEMON_HOME=$WORK/mirror DAEMON_NAME=simd "$REPLAYER" registry serve --listen 127.0.0.1:0 \
  >"$WORK/mirror.out" 2>"$WORK/mirror.log" &
PIDS+=($!)
wait_for_file "$WORK/mirror.out"
MIRROR=$(sed -n 's/.* on \(http:[^ ]*\).*/\1/p' "$WORK/mirror.out")
DAEMON_HOME=$WORK/mirror DAEMON_NAME=simd "$REPLAYER" plans import --rest "$REST" --chain-id sdkchain-1 \
  -o "$WORK/rest.json" 2>"$WORK/import.log" || true  # exit 1: the genesis segment is the operator's
[ -s "$WORK/rest.json" ] || { cat "$WORK/import.log"; fail "plans import --rest wrote nothing"; }
python3 - "$WORK/rest.json" "$MIRROR" "$PLAN" "$PATCH" "$("$S050" version)" "$("$S053" version)" \
  "$("$SPATCH" version)" "$WORK/schedule.json" <<'EOF'
import json, sys, urllib.request
rest, mirror, plan, patch, v050, v053, vpatch, out = sys.argv[1:]
d = json.load(open(rest))
gov = [s for s in d["segments"] if s["kind"] == "gov-plan"]
assert len(gov) == 1 and gov[0]["name"] == "v050-to-v053" and gov[0]["first_height"] == int(plan), gov
bins = lambda name: json.load(urllib.request.urlopen(f"{mirror}/plans/{name}.json"))["binaries"]
g = dict(gov[0], version=v053, halt_semantics="stop-before")
if not g.get("binaries"):  # the plan info names none: the operator's
    g["binaries"] = bins("v050-to-v053")
d["segments"] = [
    {"first_height": 1, "kind": "genesis", "name": "genesis", "version": v050,
     "halt_semantics": "stop-before", "binaries": bins("genesis"),
     "sources": {"binaries": "operator (mirror)"}},
    g,
    {"first_height": int(patch), "kind": "halt-height", "name": "v053-patch", "version": vpatch,
     "halt_semantics": "stop-before", "binaries": bins("v053-patch"),
     "sources": {"binaries": "operator (mirror)", "first_height": "operator"}}]
d["daemon_name"] = "simd"
json.dump(d, open(out, "w"), indent=2)
EOF
DAEMON_HOME=$WORK/mirror DAEMON_NAME=simd "$REPLAYER" plans check --plans "$WORK/schedule.json" \
  >"$WORK/plans-check.log" 2>&1 || { cat "$WORK/plans-check.log"; fail "plans check"; }

# 4. One fresh full-node home, copied for every run.
TEMPLATE=$WORK/full-template
$LOCALNET init "$TEMPLATE" "$S050" >/dev/null
cp "$V/config/genesis.json" "$TEMPLATE/config/genesis.json"
sed -i "s|^persistent_peers = .*|persistent_peers = \"$VID@127.0.0.1:$VP2P\"|" "$TEMPLATE/config/config.toml"
rm -rf "$TEMPLATE/cosmovisor"
WANT_HASH=$(curl -fsS --max-time 5 "http://127.0.0.1:$VRPC/block?height=$TARGET" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["block"]["header"]["app_hash"].upper())')

stamps_start() {  # stamps_start <log> <out>: the watcher, in the background (pid in $STAMPER)
  python3 "$HERE/tailstamp.py" "$1" "$2" &
  STAMPER=$!
  PIDS+=($STAMPER)
}
stamps_stop() { kill -TERM "$STAMPER" 2>/dev/null || true; wait "$STAMPER" 2>/dev/null || true; }
check_end() {  # check_end <dir> <label>: committed TARGET with the validator's app hash, not past it
  local got
  got=$(grep -a "committed state .*height=$TARGET\b" "$1/node.log" | tail -n 1 | sed -n 's/.*block_app_hash=\([0-9A-F]*\).*/\1/p')
  [ -n "$got" ] || fail "$2: no 'committed state height=$TARGET' line in $1/node.log"
  [ "$got" = "$WANT_HASH" ] || fail "$2: block_app_hash at $TARGET is $got, the validator's $WANT_HASH"
  ! grep -aq "committed state .*height=$((TARGET + 1))\b" "$1/node.log" || fail "$2: committed past $TARGET"
}

run_direct() {  # run_direct <dir>; wall seconds in $RESULT
  local dir=$1
  cp -a "$TEMPLATE" "$dir/home"
  sync
  stamps_start "$dir/node.log" "$dir/stamps"
  python3 "$HERE/direct.py" --home "$dir/home" --log "$dir/node.log" \
    --segment "$S050:plan:v050-to-v053" --segment "$S053:halt:$PATCH" \
    --segment "$SPATCH:halt:$((TARGET + 1))" >"$dir/direct.json" &
  CUR=$!
  wait "$CUR" || fail "direct: failed (see $dir/node.log)"
  CUR=
  stamps_stop
  check_end "$dir" direct
  RESULT=$(python3 -c "import json; print(json.load(open('$dir/direct.json'))['wall'])")
  RUN_START=$(python3 -c "import json; print(json.load(open('$dir/direct.json'))['start'])")
}

run_replayer() {  # run_replayer <dir>; wall seconds in $RESULT
  local dir=$1 t_a t_b
  cp -a "$TEMPLATE" "$dir/home"
  DAEMON_HOME=$dir/home DAEMON_NAME=simd "$REPLAYER" init "$S050" >/dev/null 2>&1
  DAEMON_HOME=$dir/home DAEMON_NAME=simd "$REPLAYER" add-upgrade v050-to-v053 "$S053" >/dev/null 2>&1
  DAEMON_HOME=$dir/home DAEMON_NAME=simd "$REPLAYER" add-upgrade v053-patch "$SPATCH" >/dev/null 2>&1
  sync  # the layout's copies are not part of the measurement
  stamps_start "$dir/node.log" "$dir/stamps"
  t_a=$EPOCHREALTIME
  DAEMON_HOME=$dir/home DAEMON_NAME=simd "$REPLAYER" sync --plans "$WORK/schedule.json" --rest "$REST" \
    --until "$TARGET" --progress-interval 0 -- start --home "$dir/home" --log_no_color >"$dir/node.log" 2>&1 &
  CUR=$!
  wait "$CUR" || fail "replayer sync failed (see $dir/node.log)"
  CUR=
  t_b=$EPOCHREALTIME
  stamps_stop
  ! grep -aq "fetching [0-9]* binaries" "$dir/node.log" || fail "replayer fetched binaries (see $dir/node.log)"
  check_end "$dir" replayer
  RESULT=$(python3 -c "print($t_b - $t_a)")
  RUN_START=$t_a
}

# From the stamps: downtime at each switch (H-1 -> H), and the time to the first block.
figures() {  # figures <stamps> <run start>: "<plan ms> <patch ms> <to first block ms>"
  python3 - "$@" "$PLAN" "$PATCH" <<'EOF'
import sys
path, start, plan, patch = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
t = {int(h): float(s) for h, s in (l.split()[:2] for l in open(path) if not l.startswith("R "))}
print(f"{(t[plan] - t[plan - 1]) * 1000:.0f} {(t[patch] - t[patch - 1]) * 1000:.0f} {(t[1] - start) * 1000:.0f}")
EOF
}

rm -rf "$OUT" && mkdir -p "$OUT"
: >"$OUT/samples"
echo "sync 1 -> $TARGET, $REPS reps, alternating"
for rep in $(seq 1 "$REPS"); do
  if [ $((rep % 2)) -eq 1 ]; then order=(direct replayer); else order=(replayer direct); fi
  for mode in "${order[@]}"; do
    dir=$WORK/runs/$rep-$mode
    mkdir -p "$dir"
    l0=$(load)
    "run_$mode" "$dir"
    read -r dplan dpatch first <<<"$(figures "$dir/stamps" "$RUN_START")"
    printf "  rep %d %-8s %7.2f s  downtime v050-to-v053 %5d ms, v053-patch %5d ms; first block after %5d ms  (load %s)\n" \
      "$rep" "$mode" "$RESULT" "$dplan" "$dpatch" "$first" "$l0"
    echo "$rep $mode $RESULT $dplan $dpatch $first" >>"$OUT/samples"
    if [ "$mode" = replayer ]; then
      grep -aA12 "^sync summary" "$dir/node.log" >"$OUT/summary-$rep.txt" || true
      cp "$dir/node.log" "$OUT/replayer-$rep.log"
    else
      cp "$dir/node.log" "$OUT/direct-$rep.log"
      cp "$dir/direct.json" "$OUT/direct-$rep.json"
    fi
    cp "$dir/stamps" "$OUT/stamps-$rep-$mode"
    [ "$KEEP" = 1 ] || rm -rf "$dir/home"
  done
done
echo "load average at end: $(load)"
python3 - "$OUT/samples" "$OUT/result.json" "$TARGET" <<'EOF'
import json, statistics as st, sys
rows = [l.split() for l in open(sys.argv[1])]
blocks = int(sys.argv[3])
by = {m: [r for r in rows if r[1] == m] for m in ("direct", "replayer")}
sec = {m: [float(r[2]) for r in v] for m, v in by.items()}
med = {m: st.median(v) for m, v in sec.items()}
per_rep = [float(r[2]) / float(d[2]) for r, d in zip(by["replayer"], by["direct"])]
down = {m: {"v050-to-v053": [int(r[3]) for r in v], "v053-patch": [int(r[4]) for r in v],
            "first_block": [int(r[5]) for r in v]} for m, v in by.items()}
res = {"blocks": blocks, "seconds": sec, "median_seconds": med,
       "ratio_replayer_direct": med["replayer"] / med["direct"], "per_rep_ratio": per_rep,
       "median_of_per_rep_ratios": st.median(per_rep), "ms": down}
json.dump(res, open(sys.argv[2], "w"), indent=1)
print(f"median of {len(per_rep)}: DIRECT {med['direct']:.2f} s ({blocks / med['direct']:.0f} blocks/s), "
      f"REPLAYER {med['replayer']:.2f} s")
print(f"ratio REPLAYER/DIRECT (medians) {res['ratio_replayer_direct']:.3f}; per rep "
      + " ".join(f"{x:.3f}" for x in per_rep) + f" (median {res['median_of_per_rep_ratios']:.3f}); goal <= 1.01")
for m in ("direct", "replayer"):
    d = down[m]
    print(f"{m:8s} downtime v050-to-v053 median {st.median(d['v050-to-v053'])} ms "
          f"({', '.join(map(str, d['v050-to-v053']))}); v053-patch median {st.median(d['v053-patch'])} ms "
          f"({', '.join(map(str, d['v053-patch']))}); first block {st.median(d['first_block'])} ms")
EOF
echo "replayer's own sync summary (rep 1):"
sed 's/^/  | /' "$OUT/summary-1.txt" 2>/dev/null || true
