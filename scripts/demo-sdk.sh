#!/usr/bin/env bash
# The second demo: replay a real Cosmos SDK chain (sdkchain/: simd on SDK v0.50.15, v0.53.7 and
# v0.53.8, CometBFT v0.38) from genesis with Replayer. The main demo (scripts/demo.sh) stays on
# demochain.
#
#  1. builds (or reuses, cached) the simd binaries with sdkchain/build.sh; a loopback
#     `replayer registry serve` mirror holds all three;
#  2. a one-validator localnet on v0.50.15 under `replayer run`, with binary downloads on; the
#     governance upgrade `v050-to-v053` whose plan info is the mirror's binaries map: Replayer
#     fetches v0.53.7, verifies it and switches at the plan. Then the coordinated halt-height
#     switch to the patch release v0.53.8 at PATCH, as operators do for security releases:
#     `halt-height = PATCH` in app.toml (read by v0.53.7 when the governance switch starts it),
#     `replayer add-upgrade v053-patch <v0.53.8> --upgrade-height PATCH`, and a
#     COSMOVISOR_CUSTOM_PREUPGRADE script that lifts the halt at that switch: v0.53.7 refuses
#     PATCH, Replayer switches, v0.53.8 executes PATCH onwards. The validator stays up as the peer;
#  3. `replayer plans import --rest` on the validator's REST API; the operator's schedule adds the
#     genesis binary and the halt-height switch at PATCH (no chain source knows either);
#  4. a fresh full node (same genesis, persistent_peers = the validator, block sync) synced by
#     `replayer sync --plans ... --rest ... -- start --home ...` to a height past PATCH, every
#     binary fetched from the mirror and verified before anything runs;
#  5. the synced node's own app hash at that height (ABCI info) compared with the validator's
#     (the app_hash of the header of the next block, CometBFT RPC); `replayer audit`.
# With SDK_DEMO_CHECKS=1 (the ctest test sdkchain_demo_sdk) it also SIGKILLs Replayer mid-segment
# and during the switch and reruns the same command, and audits three wrong schedules, each of
# which must give a FAIL row naming what is wrong, and syncs with two wrong binaries (v0.53.7 from
# genesis, v0.50.15 past the plan), each refused within seconds naming the segment and quoting
# the node's own complaint (its app hash refused by block sync; its `UPGRADE ... NEEDED`).
# Every process it started is stopped on exit.
#
# Usage: scripts/demo-sdk.sh   (env: BUILD=build/ci, SDK_DEMO_NO_BUILD=1, SDK_DEMO_CHECKS=1)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build/ci}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
if [ -z "${SDK_DEMO_NO_BUILD:-}" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
  ninja -C "$BUILD" replayer >/dev/null
fi
SDKBIN=${SDKCHAIN_BIN:-$ROOT/build/sdkchain/bin}
[ -n "${SDK_DEMO_NO_BUILD:-}" ] || SDKCHAIN_OUT=$(dirname "$SDKBIN") bash sdkchain/build.sh simd
REPLAYER=$BUILD/replayer/replayer
S050=$SDKBIN/simd-v0.50.15
S0537=$SDKBIN/simd-v0.53.7
S0538=$SDKBIN/simd-v0.53.8
LOCALNET="bash $ROOT/sdkchain/localnet.sh"
CHECKS=${SDK_DEMO_CHECKS:-}
UPGRADE=v050-to-v053
PATCHNAME=v053-patch

WORK=$(mktemp -d /tmp/replayer-demo-sdk-XXXXXX)
PIDS=()
node_pids() {  # simd processes started (through Replayer) on home $1
  local d cmd
  for d in /proc/[0-9]*; do
    cmd=$( { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null || true)
    case "$cmd" in *"simd start --home $1 "*) basename "$d" ;; esac
  done
}
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for h in "$WORK/val" "$WORK/full"; do for p in $(node_pids "$h"); do kill -9 "$p" 2>/dev/null || true; done; done
  wait 2>/dev/null || true
  [ -n "${SDK_DEMO_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
export COSMOVISOR_COLOR_LOGS=false
fail() { echo "FAILED: $*" >&2; exit 1; }
wait_for_file() { for _ in $(seq 1 500); do [ -s "$1" ] && return 0; sleep 0.02; done; fail "timed out waiting for $1"; }
rpc() { curl -fsS --max-time 5 "http://127.0.0.1:$1$2"; }

echo "== registry mirror on loopback"
mkdir -p "$WORK/mirror/cosmovisor"
for pair in "genesis:$S050" "$UPGRADE:$S0537" "$PATCHNAME:$S0538"; do
  DAEMON_HOME=$WORK/mirror DAEMON_NAME=simd "$REPLAYER" registry add "${pair#*:}" --name "${pair%%:*}" >/dev/null
done
DAEMON_HOME=$WORK/mirror DAEMON_NAME=simd "$REPLAYER" registry serve --listen 127.0.0.1:0 \
  >"$WORK/mirror.out" 2>"$WORK/mirror.log" &
PIDS+=($!)
wait_for_file "$WORK/mirror.out"
MIRROR=$(sed -n 's/.* on \(http:[^ ]*\).*/\1/p' "$WORK/mirror.out")
echo "   mirror $MIRROR"

echo "== validator: v0.50.15 under replayer run, governance upgrade $UPGRADE to v0.53.7"
VAL=$WORK/val
$LOCALNET init "$VAL" "$S050" >/dev/null
. "$VAL/sdkchain.env"; VRPC=$RPC_PORT; VP2P=$P2P_PORT; VAPI=$API_PORT
DAEMON_HOME=$VAL DAEMON_NAME=simd "$REPLAYER" init "$S050" >/dev/null
RESET=$($LOCALNET halt-reset-script "$VAL")
# Replayer waits for the halt-height switch's height with `simd status --home $VAL`, as Cosmovisor
# v1.6+ does. The real CLI takes the node address from $HOME/.simapp/config/client.toml before
# <home>/config/client.toml (both config paths go to one viper, the first found wins; the first
# CLI call creates the former with tcp://localhost:26657): the validator gets a HOME of its own
# whose client.toml names its loopback RPC port (sdkchain/README.md).
VALCLI=$WORK/val-cli-home
mkdir -p "$VALCLI/.simapp/config" && cp "$VAL/config/client.toml" "$VALCLI/.simapp/config/"
HOME=$VALCLI DAEMON_HOME=$VAL DAEMON_NAME=simd DAEMON_ALLOW_DOWNLOAD_BINARIES=true COSMOVISOR_CUSTOM_PREUPGRADE=$RESET \
  "$REPLAYER" run start --home "$VAL" >"$WORK/val.log" 2>&1 &
PIDS+=($!)
$LOCALNET wait-height "$VAL" 3 90 >/dev/null
PLAN=$(( $($LOCALNET height "$VAL") + 20 ))
PATCH=$((PLAN + 12))
TARGET=$((PATCH + 8))
# The operator's coordinated halt, announced ahead: v0.50.15 read app.toml when it started, so
# the first binary to read halt-height = PATCH is v0.53.7, started by the governance switch.
$LOCALNET halt-height "$VAL" "$PATCH"
INFO=$(curl -fsS "$MIRROR/plans/$UPGRADE.json" | python3 -c 'import json,sys; print(json.dumps({"binaries": json.load(sys.stdin)["binaries"]}))')
PROP=$($LOCALNET propose "$VAL" "$S050" "$UPGRADE" "$PLAN" "$INFO")
$LOCALNET wait-height "$VAL" "$((PLAN + 1))" 240 >/dev/null || fail "the validator did not pass the plan at $PLAN"
grep -q "UPGRADE \"$UPGRADE\" NEEDED at height: $PLAN" "$WORK/val.log" || fail "no upgrade at $PLAN in the validator's log"
echo "   proposal $PROP passed, plan at $PLAN applied (v0.53.7 fetched from the mirror)"
echo "== validator: coordinated halt-height switch to v0.53.8 at $PATCH (replayer add-upgrade --upgrade-height)"
DAEMON_HOME=$VAL DAEMON_NAME=simd "$REPLAYER" add-upgrade "$PATCHNAME" "$S0538" --upgrade-height "$PATCH" --force \
  | sed 's/^/   /'
$LOCALNET wait-height "$VAL" "$((TARGET + 2))" 240 >/dev/null || fail "the validator did not reach $((TARGET + 2))"
grep -q "halt per configuration height $PATCH" "$WORK/val.log" || fail "v0.53.7 did not halt at $PATCH"
grep -q "manual upgrade \"$PATCHNAME\" at $PATCH is due" "$WORK/val.log" || fail "no halt-height switch at $PATCH in the validator's log"
grep -q "halt-height $PATCH lifted" "$WORK/val.log" || grep -q "halt-height = 0" "$VAL/config/app.toml" \
  || fail "the halt at $PATCH was not lifted"
VVER=$(rpc "$VRPC" /abci_info | python3 -c 'import json,sys;print(json.load(sys.stdin)["result"]["response"]["version"])')
[ "$VVER" = v0.53.8 ] || fail "the validator runs $VVER after the switch, not v0.53.8"
DAEMON_HOME=$VAL DAEMON_NAME=simd "$REPLAYER" status --json | python3 -c '
import json, sys
a = [(u["name"], u["height"]) for u in json.load(sys.stdin)["applied"]]
want = [(sys.argv[1], int(sys.argv[2])), (sys.argv[3], int(sys.argv[4]))]
assert a == want, f"applied upgrades {a}, expected {want}"
print(f"   the validator applied {a[0][0]}@{a[0][1]} and {a[1][0]}@{a[1][1]}; it runs {sys.argv[5]}")' \
  "$UPGRADE" "$PLAN" "$PATCHNAME" "$PATCH" "$VVER" || fail "the validator's journal"

echo "== schedule: plans import --rest on the validator + the operator's halt-height switch at $PATCH"
REST=http://127.0.0.1:$VAPI
# Governance cannot tell the genesis binary: the import writes the schedule and says it cannot be
# replayed as it stands until the operator fills segments[0] in (below); any other error fails.
IMPORT_RC=0
DAEMON_HOME=$VAL DAEMON_NAME=simd "$REPLAYER" plans import --rest "$REST" --chain-id sdkchain-1 \
  -o "$WORK/rest.json" 2>"$WORK/import.log" || IMPORT_RC=$?
if [ "$IMPORT_RC" != 0 ]; then
  [ -s "$WORK/rest.json" ] || { cat "$WORK/import.log"; fail "plans import --rest wrote nothing"; }
  if grep "^error " "$WORK/import.log" | grep -qv '^error   segments\[0\]'; then
    cat "$WORK/import.log"; fail "plans import --rest: errors beyond the genesis segment"
  fi
fi
python3 - "$WORK/rest.json" "$MIRROR" "$PATCH" "$WORK/schedule.json" <<'PYEOF'
import json, sys, urllib.request
rest, mirror, patch, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
d = json.load(open(rest))
def binaries(name):
    return json.load(urllib.request.urlopen(f"{mirror}/plans/{name}.json"))["binaries"]
segs = d["segments"]
gov = [s for s in segs if s["kind"] == "gov-plan"]
assert len(gov) == 1 and gov[0]["name"] == "v050-to-v053", f"REST import: {segs}"
print(f"   REST import: gov-plan {gov[0]['name']}@{gov[0]['first_height']}, binaries "
      f"{'from the plan info' if gov[0].get('binaries') else 'none'}")
genesis = {"first_height": 1, "kind": "genesis", "name": "genesis", "version": "v0.50.15",
           "halt_semantics": "stop-before", "binaries": binaries("genesis"),
           "sources": {"binaries": "operator (mirror)"}}
g = dict(gov[0])
g.setdefault("binaries", binaries("v050-to-v053"))
g["version"] = "v0.53.7"
g["halt_semantics"] = "stop-before"
p = {"first_height": patch, "kind": "halt-height", "name": "v053-patch", "version": "v0.53.8",
     "halt_semantics": "stop-before", "binaries": binaries("v053-patch"),
     "sources": {"binaries": "operator (mirror)", "first_height": "operator"}}
d["segments"] = [genesis, g, p]
d["daemon_name"] = "simd"
json.dump(d, open(out, "w"), indent=2)
PYEOF
DAEMON_HOME=$VAL DAEMON_NAME=simd "$REPLAYER" plans check --plans "$WORK/schedule.json"

echo "== fresh full node: same genesis, persistent_peers = the validator, block sync"
FULL=$WORK/full
$LOCALNET init "$FULL" "$S050" >/dev/null
. "$FULL/sdkchain.env"; FRPC=$RPC_PORT
cp "$VAL/config/genesis.json" "$FULL/config/genesis.json"
VID=$("$S050" comet show-node-id --home "$VAL")
sed -i "s|^persistent_peers = .*|persistent_peers = \"$VID@127.0.0.1:$VP2P\"|" "$FULL/config/config.toml"
grep -q "^\[blocksync\]" "$FULL/config/config.toml" || fail "no [blocksync] in $FULL/config/config.toml"  # CometBFT v0.38: always on, state sync off
rm -rf "$FULL/cosmovisor"
SYNC=(sync --plans "$WORK/schedule.json" --rest "$REST" --until "$TARGET" --progress-interval 0
      -- start --home "$FULL" --log_no_color)
export DAEMON_NAME=simd
height_of() { python3 -c 'import json,sys;print(json.load(sys.stdin)["result"]["sync_info"]["latest_block_height"])' 2>/dev/null || echo 0; }
kill_sync_at() {  # kill_sync_at <log> <grep pattern>: SIGKILL Replayer (and its node) once the log matches
  local log=$1 pat=$2
  DAEMON_HOME=$FULL "$REPLAYER" "${SYNC[@]}" >"$log" 2>&1 &
  local pid=$!
  # Woken by each line (tail -F follows the file through inotify), not by a 0.1 s poll: block
  # sync applies a dozen blocks in that time, and a late kill overshot the segment (seen: the
  # mid-segment kill at height 8 landed after the upgrade at 23 was detected). Bounded: 120 s, or
  # Replayer's exit (a process substitution: the kill does not wait for tail to notice).
  grep -m1 -q -- "$pat" < <(timeout 120 tail -n +1 -F --pid="$pid" "$log" 2>/dev/null) || true
  grep -q -- "$pat" "$log" || { cat "$log"; fail "never saw '$pat'"; }
  # The node it ran would survive its supervisor (as under Cosmovisor) and, in block sync, run a
  # dozen blocks on before an operator stopped it (seen: from 8 past the plan at 24): both die at
  # once, as in a crash of the machine.
  local kids; kids=$(pgrep -P "$pid" || true)   # its node: a child (node_pids scans /proc: slow)
  kill -9 "$pid" $kids 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in $(node_pids "$FULL"); do kill -9 "$p" 2>/dev/null || true; done
  echo "   SIGKILLed replayer sync at: $(grep -m1 -- "$pat" "$log" | cut -c1-110)"
}
if [ -n "$CHECKS" ]; then
  echo "== SIGKILL replayer mid-segment (v0.50 segment) and during the switch to $UPGRADE"
  kill_sync_at "$WORK/sync-kill1.log" "committed state.*height=8 "
  kill_sync_at "$WORK/sync-kill2.log" "UPGRADE \"$UPGRADE\" NEEDED"
  grep -q "the node's own data says height" "$WORK/sync-kill2.log" \
    || fail "the rerun after the mid-segment SIGKILL did not read the node's own stores"
fi
echo "== replayer sync: genesis -> $UPGRADE@$PLAN -> v053-patch@$PATCH -> $TARGET"
DAEMON_HOME=$FULL "$REPLAYER" "${SYNC[@]}" >"$WORK/sync.log" 2>&1 || { tail -n 40 "$WORK/sync.log"; fail "replayer sync"; }
grep -E "module=replayer" "$WORK/sync.log" | grep -E "segment|switch|halted|verified|own data|final" | cut -c1-160 | head -40
grep -E -A8 "^sync summary" "$WORK/sync.log" || true
grep -q "node halted at height $((PATCH - 1)); segments\[2\] \"$PATCHNAME\" starts at $PATCH" "$WORK/sync.log" \
  || fail "the synced node did not halt at $((PATCH - 1)) for the switch to $PATCHNAME"

echo "== app hash: synced node (ABCI info) vs validator (app_hash in the header of the next block)"
# Started alone (no peers, no address book, no PEX, a P2P port the validator never learnt), so
# it stays where the sync left it: at TARGET, or TARGET+1 when CometBFT's handshake executes the
# block it had stored when --halt-height TARGET+1 refused it.
rm -f "$FULL/config/addrbook.json"
NEWP2P=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$S0538" start --home "$FULL" --p2p.persistent_peers "" --p2p.seeds "" --p2p.pex=false \
  --p2p.laddr "tcp://127.0.0.1:$NEWP2P" >"$WORK/full-after.log" 2>&1 &
PIDS+=($!)
FH=0
for _ in $(seq 1 300); do
  FH=$(curl -fsS --max-time 2 "http://127.0.0.1:$FRPC/abci_info" 2>/dev/null | python3 -c 'import json,sys;print(json.load(sys.stdin)["result"]["response"].get("last_block_height",0))' 2>/dev/null || echo 0)
  [ "$FH" -ge "$TARGET" ] && break; sleep 0.1
done
[ "$FH" = "$TARGET" ] || [ "$FH" = "$((TARGET + 1))" ] || fail "the synced node reports height $FH, not $TARGET"
MINE=$(rpc "$FRPC" /abci_info | python3 -c 'import json,sys,base64;print(base64.b64decode(json.load(sys.stdin)["result"]["response"]["last_block_app_hash"]).hex().upper())')
THEIRS=$(rpc "$VRPC" "/block?height=$((FH + 1))" | python3 -c 'import json,sys;print(json.load(sys.stdin)["result"]["block"]["header"]["app_hash"].upper())')
echo "   synced node at $FH: $MINE"
echo "   validator   at $FH: $THEIRS"
[ -n "$MINE" ] && [ "$MINE" = "$THEIRS" ] && echo "   MATCH" || fail "app hash mismatch at $FH"

echo "== replayer audit --plans schedule.json --rest (the validator)"
audit() { DAEMON_HOME=$WORK/mirror DAEMON_NAME=simd "$REPLAYER" audit --plans "$1" --rest "$REST"; }
audit "$WORK/schedule.json" | tee "$WORK/audit.txt" || fail "the audit of the real schedule failed"
if [ -n "$CHECKS" ]; then
  echo "== audits of three wrong schedules: each must FAIL naming what is wrong"
  for wrong in height checksum version; do
    python3 - "$WORK/schedule.json" "$wrong" "$WORK/wrong-$wrong.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1])); what = sys.argv[2]; g = d["segments"][1]
if what == "height": g["first_height"] += 1
if what == "version": g["version"] = "v0.53.8"
if what == "checksum":
    for k, u in g["binaries"].items():
        i = u.index("checksum=sha256:") + len("checksum=sha256:")
        g["binaries"][k] = u[:i] + ("0" if u[i] != "0" else "1") + u[i + 1:]
json.dump(d, open(sys.argv[3], "w"), indent=2)
PYEOF
    rc=0; audit "$WORK/wrong-$wrong.json" >"$WORK/audit-$wrong.txt" 2>&1 || rc=$?
    [ "$rc" = 1 ] || { cat "$WORK/audit-$wrong.txt"; fail "audit of a wrong $wrong exited $rc, not 1"; }
    case $wrong in
      height) want='segments\[1\] "v050-to-v053" height: schedule says' ;;
      checksum) want='segments\[1\] "v050-to-v053" linux/amd64 checksum: sha256 expected' ;;
      version) want='segments\[1\] "v050-to-v053" linux/amd64 version: expected v0.53.8' ;;
    esac
    grep -q "$want" "$WORK/audit-$wrong.txt" || { cat "$WORK/audit-$wrong.txt"; fail "no failure naming the wrong $wrong"; }
    grep -m1 "$want" "$WORK/audit-$wrong.txt" | sed "s/^ */   FAIL (wrong $wrong): /" | cut -c1-200
  done
fi
if [ -n "$CHECKS" ]; then
  echo "== wrong binaries: each refused within seconds, naming the segment and the node's complaint"
  wrong_sync() {  # wrong_sync <label> <schedule edit: v053-from-genesis | v050-past-plan>
    local w=$WORK/wrong-$2 rc=0 t0 t1
    $LOCALNET init "$w" "$S050" >/dev/null
    cp "$VAL/config/genesis.json" "$w/config/genesis.json"
    sed -i "s|^persistent_peers = .*|persistent_peers = \"$VID@127.0.0.1:$VP2P\"|" "$w/config/config.toml"
    rm -rf "$w/cosmovisor"
    python3 - "$WORK/schedule.json" "$2" "$w.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1])); what = sys.argv[2]; g, gov = d["segments"][0], d["segments"][1]
if what == "v053-from-genesis":
    g["binaries"], g["version"] = gov["binaries"], gov["version"]
    d["segments"] = [g]
if what == "v050-past-plan":
    gov["first_height"] += 5
    d["segments"] = [g, gov]
json.dump(d, open(sys.argv[3], "w"), indent=2)
PYEOF
    t0=$(date +%s.%N)
    DAEMON_HOME=$w timeout 90 "$REPLAYER" sync --plans "$w.json" --until "$TARGET" --progress-interval 0 \
      -- start --home "$w" --log_no_color >"$w.log" 2>&1 || rc=$?
    t1=$(date +%s.%N)
    for p in $(node_pids "$w"); do kill -9 "$p" 2>/dev/null || true; done
    [ "$rc" != 0 ] && [ "$rc" != 124 ] || { tail -n 20 "$w.log"; fail "$1: exit $rc"; }
    echo "   $1: exit $rc after $(python3 -c "print(f'{$t1-$t0:.1f}')") s:"
    grep "^replayer: error" "$w.log" | cut -c1-900 | sed 's/^/     /'
    grep -q "^replayer: error: .*$3" "$w.log" || fail "$1: the error does not say '$3'"
  }
  wrong_sync "v0.53.7 from genesis" v053-from-genesis 'segments\[0\] "genesis".*wrong Block.Header.AppHash'
  # The node's lines are quoted in the order they came (its panic on stderr may come first).
  wrong_sync "v0.50.15 past the plan height" v050-past-plan \
    'the node (segments\[0\] "genesis") reports upgrade "v050-to-v053" at height '"$PLAN"'.*schedule expects segments\[1\].*own last error lines: .*UPGRADE "v050-to-v053" NEEDED at height: '"$PLAN"

fi
echo "== done"
