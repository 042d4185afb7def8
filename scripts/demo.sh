#!/usr/bin/env bash
# The demo: replay demochain from genesis to the tip with Replayer.
#
#  1. builds Replayer and demochain (four real releases: v1.0.0, v2.0.0, v2.1.0, v3.0.0);
#  2. generates a history with three switches: governance plan "v2", a halt-height patch
#     (v2.1.0 must run from a fixed height on; v2.0.0 past it computes a different app hash)
#     and governance plan "v3";
#  3. starts, on loopback, an archive peer serving that history and a Replayer registry mirror
#     serving the four binaries;
#  4. imports the governance plans from the peer's REST API, merges the operator's schedule
#     (the halt-height patch has no on-chain plan) and lints it;
#  5. syncs a fresh node from genesis to the tip: every binary is fetched from the mirror and
#     verified before the node starts, each segment runs with its binary and stops exactly at
#     its switch height;
#  6. prints the summary, compares the final app hash with the archive's, and audits the
#     schedule. Every process it started is stopped on exit.
# Exits non-zero when any step fails (a refused schedule, the sync, a mismatch, status, a
# failing audit row), after printing what it has.
#
# Usage: scripts/demo.sh [BLOCKS]   (default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BLOCKS=${1:-20000}
bash scripts/setup.sh
echo "== build"
BUILD=${BUILD:-build/ci}   # the test command builds the same tree
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
if [ -z "${DEMO_NO_BUILD:-}" ]; then   # set by the test suite, which has just built it
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
  ninja -C "$BUILD" replayer demochain >/dev/null
fi
REPLAYER=${DEMO_REPLAYER:-$BUILD/replayer/replayer}   # the test suite may wrap it to inject a failure
BIN=$BUILD/demochain/bin

WORK=$(mktemp -d /tmp/replayer-demo-XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export COSMOVISOR_COLOR_LOGS=false

wait_for_file() { for _ in $(seq 1 500); do [ -s "$1" ] && return 0; sleep 0.02; done; echo "timed out waiting for $1" >&2; return 1; }

echo "== history: $BLOCKS blocks, three switches"
"$ROOT/demochain/make-history" --bin-dir "$BIN" --out "$WORK/history" --blocks "$BLOCKS" \
  --binary-port 1 >"$WORK/make-history.log" 2>&1
python3 - "$WORK/history/summary.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
for w in s["switches"]:
    print(f"   {w['kind']:<12} {w['name']:<8} at height {w['height']:>6}: {w['previous_version']} -> {w['version']}")
print(f"   tip {s['blocks']}, app hash {s['final_app_hash'][:16]}...")
EOF

echo "== archive peer and registry mirror on loopback"
"$BIN/demochaind-v3.0.0" start --home "$WORK/history/home" --rpc-listen 127.0.0.1:0 \
  --rpc-port-file "$WORK/peer.port" >"$WORK/peer.log" 2>&1 &
PIDS+=($!)
wait_for_file "$WORK/peer.port"
PEER=http://127.0.0.1:$(cat "$WORK/peer.port")
mkdir -p "$WORK/mirror/cosmovisor"
for v in v1.0.0 v2.0.0 v2.1.0 v3.0.0; do
  DAEMON_HOME=$WORK/mirror DAEMON_NAME=demochaind "$REPLAYER" registry add "$BIN/demochaind-$v" \
    --name "$v" >/dev/null
done
DAEMON_HOME=$WORK/mirror DAEMON_NAME=demochaind "$REPLAYER" registry serve \
  --listen 127.0.0.1:0 >"$WORK/mirror.out" 2>"$WORK/mirror.log" &
PIDS+=($!)
wait_for_file "$WORK/mirror.out"
MIRROR=$(sed -n 's/.* on \(http:[^ ]*\).*/\1/p' "$WORK/mirror.out")
echo "   peer $PEER, mirror $MIRROR"

echo "== schedule: governance plans from the peer's REST API + the operator's halt-height patch"
export DAEMON_HOME=$WORK/node DAEMON_NAME=demochaind DAEMON_ALLOW_DOWNLOAD_BINARIES=true
mkdir -p "$DAEMON_HOME/config"
cp "$WORK/history/home/config/genesis.json" "$DAEMON_HOME/config/"
python3 - "$WORK/history/summary.json" "$MIRROR" "$WORK/operator.json" <<'EOF'
import json, sys, urllib.request
summary, mirror, out = sys.argv[1], sys.argv[2], sys.argv[3]
s = json.load(open(summary))
def binaries(version):
    plan = json.load(urllib.request.urlopen(f"{mirror}/plans/{version}.json"))
    return plan["binaries"]
segments = [{"first_height": 1, "kind": "genesis", "name": "genesis", "version": "v1.0.0",
             "binaries": binaries("v1.0.0"), "sources": {"binaries": "operator (mirror)"}}]
for w in s["switches"]:
    segments.append({"first_height": w["height"],
                     "kind": "gov-plan" if w["kind"] == "gov" else "halt-height",
                     "name": w["name"], "version": w["version"], "binaries": binaries(w["version"]),
                     "sources": {"binaries": "operator (mirror)", "first_height": "operator"}})
json.dump({"format_version": 1, "chain_id": s["chain_id"], "daemon_name": "demochaind",
           "segments": segments}, open(out, "w"), indent=2)
EOF
# Exit 1 is expected: REST alone names no genesis binary and no SDK versions, so the import is
# written but cannot be replayed as it stands (it is only compared here).
rc=0
"$REPLAYER" plans import --rest "$PEER" --chain-id "$(python3 -c "import json;print(json.load(open('$WORK/history/summary.json'))['chain_id'])")" \
  -o "$WORK/rest.json" 2>"$WORK/import.log" || rc=$?
if [ "$rc" -gt 1 ] || [ ! -f "$WORK/rest.json" ]; then cat "$WORK/import.log"; exit 1; fi
echo "   REST import: $(python3 -c "import json;d=json.load(open('$WORK/rest.json'));print(', '.join(f\"{s['name']}@{s['first_height']}\" for s in d['segments'][1:]))")"
# The operator's schedule is the base; the REST import must agree with it (heights, names).
cp "$WORK/operator.json" "$WORK/schedule.json"
"$REPLAYER" plans check --plans "$WORK/schedule.json"
"$REPLAYER" plans explain --plans "$WORK/schedule.json" -- start --peer "$PEER"

echo "== replayer sync: a fresh node from genesis to height $BLOCKS"
# In the background, so that the demo can scrape the Prometheus endpoint while it runs.
"$REPLAYER" sync --plans "$WORK/schedule.json" --until "$BLOCKS" --rest "$PEER" \
  --metrics 127.0.0.1:0 --progress-interval 0.5 -- start --peer "$PEER" --rpc-listen "" \
  >"$WORK/sync.log" 2>&1 &
SYNC_PID=$!
PIDS+=($SYNC_PID)
METRICS=""
while kill -0 "$SYNC_PID" 2>/dev/null; do
  [ -n "$METRICS" ] || METRICS=$(sed -n 's/.*metrics at \(http:[^ ]*\).*/\1/p' "$WORK/sync.log" | head -1)
  if [ -n "$METRICS" ] && curl -fsS --max-time 2 "$METRICS" >"$WORK/metrics.tmp" 2>/dev/null; then
    mv "$WORK/metrics.tmp" "$WORK/metrics.txt"
  fi
  sleep 0.2
done
SYNC_RC=0
wait "$SYNC_PID" || SYNC_RC=$?
grep -E "module=replayer|^sync summary|^  [a-z0-9]|^    ->|app hash|ERR|halting|applying" \
  "$WORK/sync.log" | grep -v "downloading\|downloaded" || true
[ "$SYNC_RC" = 0 ] || { echo "replayer sync failed with exit code $SYNC_RC" >&2; exit 1; }
if [ -s "$WORK/metrics.txt" ]; then
  echo "   last Prometheus scrape during the sync ($METRICS):"
  grep -E "^replayer_sync_(height|target_height|segment|segments|blocks_per_second|eta_seconds|switches_total) " \
    "$WORK/metrics.txt" | sed 's/^/     /'
fi
FINAL=$("$BIN/demochaind-v3.0.0" status --home "$DAEMON_HOME" | python3 -c "import json,sys;d=json.load(sys.stdin)['sync_info'];print(d['latest_block_height'], d['latest_app_hash'])")
WANT=$(python3 -c "import json;d=json.load(open('$WORK/history/summary.json'));print(d['blocks'], d['final_app_hash'])")
echo "   synced node: height/app hash $FINAL"
echo "   archive:     height/app hash $WANT"
[ "${FINAL,,}" = "${WANT,,}" ] && echo "   MATCH" || { echo "   MISMATCH"; exit 1; }

echo "== replayer status"
"$REPLAYER" status -n 4
echo "== replayer audit"
# The table is printed either way; a failing row fails the demo (and its test).
AUDIT_RC=0
"$REPLAYER" audit --plans "$WORK/schedule.json" --rest "$PEER" || AUDIT_RC=$?
[ "$AUDIT_RC" = 0 ] || { echo "replayer audit failed with exit code $AUDIT_RC" >&2; exit 1; }
echo "== demo passed: every step succeeded"
