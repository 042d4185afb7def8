#!/usr/bin/env bash
# docker/compose.yaml end to end on the real chain (simd v0.50 -> v0.53), with podman-compose:
#  1. builds Replayer's image and the node image (both simd releases pre-placed), makes genesis
#     and keys (docker/compose/make-net.sh), brings up val-alice, val-bob, sentry-alice,
#     sentry-bob, node-carol and the mirror;
#  2. submits the software-upgrade proposal v050-to-v053 from Alice, votes yes with Alice and Bob;
#     every node switches under Replayer at the plan height and the chain goes on;
#  3. stops and removes every container (`down`, volumes kept) and brings them up again: every
#     node is back on the upgraded binary, nothing is upgraded a second time, no block is lost;
#  4. starts carol-replay (empty home, `replayer sync`, schedule from node-carol's REST, binaries
#     downloaded from the mirror): it replays genesis to the tip, block and app hashes match;
#  5. removes every container, network and volume it made. Prints what each step cost.
# Usage: compose_test.sh SIMD_V050 SIMD_V053 REPLAYER   Exit 77 (skipped) when podman cannot run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/docker/containers-env.sh"
containers_usable || exit 77
bash "$root/docker/compose/sweep-stale-ports.sh"   # forwards an earlier, killed run left behind
[ $# -eq 3 ] || { echo "usage: $0 SIMD_V050 SIMD_V053 REPLAYER" >&2; exit 2; }
simd_old=$1 simd_new=$2 replayer=$3
for f in "$simd_old" "$simd_new" "$replayer"; do [ -x "$f" ] || { echo "FAIL: $f missing" >&2; exit 1; }; done
t0=$(date +%s); tl=$t0
step() { local now; now=$(date +%s); echo "== [$((now - t0)) s, last step $((now - tl)) s] $*"; tl=$now; }
fail() { echo "FAIL: $*" >&2; exit 1; }

image=${REPLAYER_IMAGE:-localhost/replayer:dev}
node_image=localhost/replayer-node:compose-test
project=replayer-compose-$$
net=$(mktemp -d "${TMPDIR:-/tmp}/replayer-compose-net.XXXXXX")
logs=$REPLAYER_CONTAINERS_DIR/compose-test-logs
rm -rf "$logs" && mkdir -p "$logs"
export NET_DIR=$net REPLAYER_IMAGE=$image REPLAYER_NODE_IMAGE=$node_image
read -r CAROL_RPC_PORT CAROL_REST_PORT <<<"$(python3 -c '
import socket; s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1", 0)) for x in s]; print(*[x.getsockname()[1] for x in s])')"
export CAROL_RPC_PORT CAROL_REST_PORT
pc() { podman-compose -p "$project" -f "$root/docker/compose.yaml" "$@" >>"$logs/podman-compose.log" 2>&1; }
nodes=(val-alice val-bob sentry-alice sentry-bob node-carol)
cname() { echo "${project}_$1_1"; }

cleanup() {
  local rc=$?
  trap "" PIPE   # the runner may be gone (killed ctest): keep cleaning up
  if [ $rc -ne 0 ]; then
    for s in "${nodes[@]}" mirror carol-replay; do
      podman logs "$(cname "$s")" >"$logs/$s.log" 2>&1 || true
    done
    echo "logs of every container: $logs" >&2
  fi
  pc stop -t 30 || true
  pc down -v || true
  # podman-compose 1.0.3 leaves the project's network behind, and `down -v` only removes the
  # volumes it can still see: remove both by the project's label.
  podman rm -f -t 0 $(podman ps -aq --filter "label=io.podman.compose.project=$project") >/dev/null 2>&1 || true
  podman volume rm -f $(podman volume ls -q --filter "label=io.podman.compose.project=$project") >/dev/null 2>&1 || true
  podman network rm -f "${project}_default" >/dev/null 2>&1 || true
  bash "$root/docker/compose/sweep-stale-ports.sh"
  podman image rm "$node_image" >/dev/null 2>&1 || true
  rm -rf "$net"
  left=$(podman ps -aq --filter "label=io.podman.compose.project=$project"; podman volume ls -q --filter "label=io.podman.compose.project=$project"; podman network ls -q --filter "name=${project}"; iptables -w -t nat -S 2>/dev/null | grep -F "dnat name: ${project}_default" || true)
  [ -z "$left" ] || { echo "FAIL: left behind: $left" >&2; rc=1; }
  [ $rc -ne 0 ] || echo "PASS: compose network on simd, upgrade under Replayer, restart, carol-replay synced ($(($(date +%s) - t0)) s)" |
    tee -a "$REPLAYER_CONTAINERS_DIR/timings.log"
  exit $rc
}
trap cleanup EXIT
trap "exit 143" TERM
trap "exit 130" INT

step "images"
[ -n "${REPLAYER_IMAGE_BUILT:-}" ] || bash "$root/docker/build-image.sh" "$image"
bash "$root/docker/build-node-image.sh" "$node_image" "$simd_old" "v050-to-v053=$simd_new"
step "genesis and keys"
bash "$root/docker/compose/make-net.sh" "$net" "$simd_old" "$simd_new" "$replayer"
source "$net/net.env"

ip() { podman inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$(cname "$1")"; }
rpc() { curl -fsS --max-time 3 "http://$(ip "$1"):26657$2" 2>/dev/null; }
height() { rpc "$1" /status | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["sync_info"]["latest_block_height"])' 2>/dev/null || echo 0; }
wait_height() {  # wait_height NODE H TIMEOUT
  local s; s=$(date +%s)
  while [ "$(height "$1")" -lt "$2" ]; do
    [ $(($(date +%s) - s)) -lt "$3" ] || fail "$1 did not reach height $2 in $3 s (at $(height "$1"))"
    sleep 1
  done
}
block() {  # block NODE H -> "<block hash> <app hash>"
  rpc "$1" "/block?height=$2" | python3 -c 'import json,sys
r = json.load(sys.stdin)["result"]; print(r["block_id"]["hash"], r["block"]["header"]["app_hash"])'
}
rest() { curl -fsS --max-time 3 "http://127.0.0.1:$CAROL_REST_PORT$1"; }
simd_in() { local n=$1; shift; podman exec "$(cname "$n")" sh -c '"$DAEMON_HOME/cosmovisor/current/bin/simd" "$@" --home "$DAEMON_HOME"' simd "$@"; }
tx_flags() { echo "--keyring-backend test --chain-id $CHAIN_ID --node tcp://localhost:26657 --yes --output json --gas 400000 --fees 0stake"; }
wait_tx() {  # wait_tx NODE JSON
  local hash; hash=$(printf '%s' "$2" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d.get("code",0)==0, d; print(d["txhash"])') || fail "tx rejected: $2"
  local r; r=$(simd_in "$1" query wait-tx "$hash" --timeout 60s --node tcp://localhost:26657 --output json 2>>"$logs/tx.err") ||
    fail "tx $hash not in a block: $r $(tail -3 "$logs/tx.err")"
  printf '%s' "$r" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d.get("code",0)==0, d' || fail "tx $hash failed: $r"
}

step "up: ${nodes[*]} mirror"
pc up -d "${nodes[@]}" mirror
for n in "${nodes[@]}"; do wait_height "$n" 3 180; done
echo "   every node at height >= 3; carol at $(height node-carol)"
for n in "${nodes[@]}"; do
  curl -fsS --max-time 3 "http://$(ip "$n"):26660/metrics" | grep '^cometbft_consensus_height' >/dev/null ||
    fail "$n: no CometBFT metrics on :26660"
done
curl -fsS --max-time 3 "http://$(ip mirror):8080/plans/$UPGRADE_NAME.json" | grep '"binaries"' >/dev/null ||
  fail "mirror does not serve $UPGRADE_NAME"
echo "   /metrics answers on every node; the mirror serves both releases"

step "governance: $UPGRADE_NAME proposed by Alice, Alice and Bob vote yes"
h=$(height node-carol)
upgrade_height=$((h + 45))
out=$(simd_in val-alice tx upgrade software-upgrade "$UPGRADE_NAME" --upgrade-height "$upgrade_height" \
  --title "$UPGRADE_NAME" --summary "simd v0.50 to v0.53" --deposit 10000000stake \
  --upgrade-info "$(cat "$net/upgrade-info.json")" --no-validate --from alice $(tx_flags) 2>>"$logs/tx.err")
wait_tx val-alice "$out"
# Carol (whose REST we read) may be a block or two behind Alice, who put the
# proposal in a block: wait, bounded, until Carol has it too.
s=$(date +%s) id=
until id=$(rest /cosmos/gov/v1/proposals | python3 -c 'import json,sys; print(json.load(sys.stdin)["proposals"][-1]["id"])' 2>/dev/null); do
  [ $(($(date +%s) - s)) -lt 60 ] || fail "node-carol's REST shows no proposal 60 s after Alice's tx: $(rest /cosmos/gov/v1/proposals)"
  sleep 1
done
wait_tx val-alice "$(simd_in val-alice tx gov vote "$id" yes --from alice $(tx_flags) 2>>"$logs/tx.err")"
wait_tx val-bob "$(simd_in val-bob tx gov vote "$id" yes --from bob $(tx_flags) 2>>"$logs/tx.err")"
echo "   proposal $id at height $upgrade_height (chain at $(height node-carol)), two yes votes"
s=$(date +%s)
until [ "$(rest "/cosmos/gov/v1/proposals/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["proposal"]["status"])')" = PROPOSAL_STATUS_PASSED ]; do
  [ $(($(date +%s) - s)) -lt 90 ] || fail "proposal $id did not pass: $(rest "/cosmos/gov/v1/proposals/$id")"
  sleep 2
done
echo "   passed"

step "upgrade at $upgrade_height: every node switches under Replayer"
for n in "${nodes[@]}"; do wait_height "$n" $((upgrade_height + 5)) 300; done
applied=$(rest "/cosmos/upgrade/v1beta1/applied_plan/$UPGRADE_NAME" | python3 -c 'import json,sys; print(json.load(sys.stdin)["height"])')
[ "$applied" = "$upgrade_height" ] || fail "applied_plan says $applied, expected $upgrade_height"
check_upgraded() {  # check_upgraded NODE: on the new binary, the upgrade applied once
  local st; st=$(podman exec "$(cname "$1")" replayer status --json)
  printf '%s' "$st" | python3 "$root/tests/deploy/check_status.py" "$UPGRADE_NAME" "$upgrade_height" ||
    fail "$1: replayer status: $st"
  podman exec "$(cname "$1")" replayer version 2>&1 | grep -x "$VERSION_NEW" >/dev/null ||
    fail "$1: current binary is not $VERSION_NEW: $(podman exec "$(cname "$1")" replayer version 2>&1)"
}
for n in "${nodes[@]}"; do check_upgraded "$n"; done
echo "   every node on $VERSION_NEW since $upgrade_height; chain at $(height node-carol)"

step "down, then up again"
tip=$(height node-carol)
before=$(block node-carol "$tip")
pc stop -t 30
pc down
[ -z "$(podman ps -aq --filter "label=io.podman.compose.project=$project")" ] || fail "containers left after down"
pc up -d "${nodes[@]}" mirror
for n in "${nodes[@]}"; do wait_height "$n" $((tip + 5)) 300; done
for n in "${nodes[@]}"; do
  check_upgraded "$n"
  podman logs "$(cname "$n")" 2>&1 | grep "UPGRADE \"$UPGRADE_NAME\" NEEDED" >/dev/null &&
    fail "$n: the node asked for $UPGRADE_NAME again after the restart"
  [ "$(block "$n" "$tip")" = "$before" ] || fail "$n: block $tip differs after the restart"
  for hh in $((upgrade_height - 1)) "$upgrade_height" $((upgrade_height + 1)); do
    [ -n "$(block "$n" "$hh")" ] || fail "$n: block $hh lost"
  done
done
echo "   every node back on $VERSION_NEW, no second upgrade, block $tip unchanged, chain at $(height node-carol)"

step "carol-replay: empty home, replayer sync from genesis, binaries from the mirror"
target=$(height node-carol)
pc up -d --no-deps carol-replay
wait_height carol-replay $((target + 1)) 600
for hh in 1 $((upgrade_height - 1)) "$upgrade_height" "$target" $((target + 1)); do
  [ "$(block carol-replay "$hh")" = "$(block node-carol "$hh")" ] ||
    fail "carol-replay: block/app hash at $hh $(block carol-replay "$hh") != node-carol's $(block node-carol "$hh")"
done
clog=$(podman logs "$(cname carol-replay)" 2>&1)
printf '%s' "$clog" | grep "mirror:8080" >/dev/null || fail "carol-replay did not download from the mirror"
podman exec "$(cname carol-replay)" replayer version 2>&1 | grep -x "$VERSION_NEW" >/dev/null ||
  fail "carol-replay is not on $VERSION_NEW"
echo "   synced genesis to $((target + 1)) across $UPGRADE_NAME; block and app hashes match node-carol's ($(block node-carol "$target"))"

step "down -v: every container, network and volume removed"
pc stop -t 30
pc down -v
trap - EXIT
cleanup
