#!/usr/bin/env bash
# A single-validator sdkchain localnet in a folder, driven with the real simd CLI.
#
#   localnet.sh init <home> <simd>          init, test keyring, genesis account, gentx,
#                                           collect-gentxs; chain id sdkchain-1; blocks every
#                                           ~300 ms; gov voting period 3 s (expedited 2 s); RPC,
#                                           P2P, REST, gRPC on 127.0.0.1 at ports free right now,
#                                           written to <home>/sdkchain.env (KEY=value lines)
#   localnet.sh propose <home> <simd> <name> <height> [info]
#                                           tx upgrade software-upgrade ... --no-validate, full
#                                           deposit, and the validator's yes vote in the same tx;
#                                           waits until the tx is in a block; prints the proposal id
#   localnet.sh vote <home> <simd> <id>     tx gov vote <id> yes, waits until it is in a block
#   localnet.sh height <home>               latest block height from RPC /status (0: no answer)
#   localnet.sh wait-height <home> <h> [timeout s, default 60]
#   localnet.sh proposal-status <home> <id> status from REST /cosmos/gov/v1/proposals/<id>
#   localnet.sh join <home> <validator home> <simd>
#                                           init, then the validator's genesis.json and
#                                           persistent_peers = its node id at its loopback P2P
#                                           address: a fresh full node that block-syncs from it
#   localnet.sh halt-height <home> <h>      halt-height = h in <home>/config/app.toml (0: none); a
#                                           node reads it when it starts, e.g. at the restart of
#                                           the switch before the coordinated halt
#   localnet.sh halt-reset-script <home>    writes <home>/cosmovisor/reset-halt-height.sh and prints
#                                           its name, for COSMOVISOR_CUSTOM_PREUPGRADE: at a switch
#                                           at height H (its 2nd argument) it sets halt-height = 0
#                                           when halt-height <= H (the halt that switch ended), so
#                                           the patched binary runs on; a later halt is kept
#
# Every wait is bounded; nothing listens anywhere but 127.0.0.1. The node itself is started by
# the caller (`simd start --home <home>`, or `replayer run start --home <home>`).
set -euo pipefail
CHAIN_ID=sdkchain-1
KEY=validator
DENOM=stake

die() { echo "localnet: $*" >&2; exit 1; }

free_ports() {  # free_ports <n>: n distinct TCP ports free on 127.0.0.1 right now
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

env_of() {  # env_of <home> <KEY>
  local f="$1/sdkchain.env"
  [ -f "$f" ] || die "$f is missing (run: localnet.sh init $1 <simd>)"
  sed -n "s/^$2=//p" "$f"
}

cli_flags() {  # common tx flags
  local home=$1
  echo "--home $home --from $KEY --keyring-backend test --chain-id $CHAIN_ID" \
       "--node tcp://127.0.0.1:$(env_of "$home" RPC_PORT) --yes --output json" \
       "--gas 400000 --fees 0$DENOM --broadcast-mode sync"
}

wait_tx() {  # wait_tx <home> <simd> <json of the broadcast>
  local home=$1 simd=$2 json=$3 hash code
  code=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("code",0))')
  [ "$code" = 0 ] || die "tx rejected by CheckTx: $json"
  hash=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["txhash"])')
  local out
  out=$("$simd" query wait-tx "$hash" --timeout 30s --node "tcp://127.0.0.1:$(env_of "$home" RPC_PORT)" \
        --output json 2>&1) || die "tx $hash not in a block within 30 s: $out"
  code=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("code",0))')
  [ "$code" = 0 ] || die "tx $hash failed in its block: $out"
  printf '%s' "$out"
}

cmd_init() {
  local home=$1 simd=$2
  [ -x "$simd" ] || die "$simd is not an executable"
  rm -rf "$home" && mkdir -p "$home"
  "$simd" init sdkchain-node --chain-id "$CHAIN_ID" --home "$home" >/dev/null 2>&1 || die "simd init failed"
  "$simd" keys add "$KEY" --keyring-backend test --home "$home" --output json >/dev/null 2>&1 \
    || die "simd keys add failed"
  "$simd" genesis add-genesis-account "$KEY" "1000000000000$DENOM" --keyring-backend test \
    --home "$home" >/dev/null || die "add-genesis-account failed"
  "$simd" genesis gentx "$KEY" "100000000$DENOM" --chain-id "$CHAIN_ID" --keyring-backend test \
    --home "$home" >/dev/null 2>&1 || die "gentx failed"
  "$simd" genesis collect-gentxs --home "$home" >/dev/null 2>&1 || die "collect-gentxs failed"
  read -r rpc p2p api grpc <<<"$(free_ports 4)"
  python3 - "$home" "$rpc" "$p2p" "$api" "$grpc" <<'EOF'
import json, re, sys
home, rpc, p2p, api, grpc = sys.argv[1:]
g = f"{home}/config/genesis.json"
gen = json.load(open(g))
p = gen["app_state"]["gov"]["params"]
p["voting_period"] = "3s"
p["expedited_voting_period"] = "2s"
p["max_deposit_period"] = "3s"
json.dump(gen, open(g, "w"), indent=1)

def edit(path, changes):
    text = open(path).read()
    section = ""
    out = []
    for line in text.split("\n"):
        m = re.match(r"^\[([^\]]+)\]\s*$", line)
        if m:
            section = m.group(1)
        k = re.match(r"^([A-Za-z0-9_.-]+)\s*=", line)
        if k and (section, k.group(1)) in changes:
            line = f"{k.group(1)} = {changes.pop((section, k.group(1)))}"
        out.append(line)
    if changes:
        raise SystemExit(f"localnet: {path}: keys not found: {sorted(changes)}")
    open(path, "w").write("\n".join(out))

edit(f"{home}/config/config.toml", {
    ("rpc", "laddr"): f'"tcp://127.0.0.1:{rpc}"',
    ("rpc", "pprof_laddr"): '""',
    ("p2p", "laddr"): f'"tcp://127.0.0.1:{p2p}"',
    ("p2p", "addr_book_strict"): "false",
    ("", "proxy_app"): '"tcp://127.0.0.1:0"',
    ("consensus", "timeout_commit"): '"300ms"',
    ("consensus", "timeout_propose"): '"1s"',
})
edit(f"{home}/config/app.toml", {
    ("api", "enable"): "true",
    ("api", "address"): f'"tcp://127.0.0.1:{api}"',
    ("grpc", "address"): f'"127.0.0.1:{grpc}"',
})
edit(f"{home}/config/client.toml", {
    ("", "chain-id"): '"sdkchain-1"',
    ("", "keyring-backend"): '"test"',
    ("", "node"): f'"tcp://127.0.0.1:{rpc}"',
})
with open(f"{home}/sdkchain.env", "w") as f:
    f.write(f"CHAIN_ID=sdkchain-1\nRPC_PORT={rpc}\nP2P_PORT={p2p}\nAPI_PORT={api}\nGRPC_PORT={grpc}\n")
EOF
  echo "localnet: $home ready (chain $CHAIN_ID, $(cat "$home/sdkchain.env" | tr '\n' ' '))"
}

cmd_propose() {
  # One tx: MsgSoftwareUpgrade (through the real `tx upgrade software-upgrade --generate-only`)
  # followed by the validator's MsgVote yes on that proposal, so no vote can miss a short
  # voting period on a loaded machine. Signed and broadcast with the real `tx sign`/`broadcast`.
  local home=$1 simd=$2 name=$3 height=$4 info=${5:-}
  local rpc addr next unsigned
  rpc="tcp://127.0.0.1:$(env_of "$home" RPC_PORT)"
  addr=$("$simd" keys show "$KEY" -a --keyring-backend test --home "$home") || die "keys show failed"
  # The next proposal id (ids count up from 1). The REST API may answer only a moment after the
  # first blocks: retried for up to 20 s.
  local body="" tries=0
  while true; do
    body=$(curl -s --max-time 5 "http://127.0.0.1:$(env_of "$home" API_PORT)/cosmos/gov/v1/proposals?pagination.reverse=true&pagination.limit=1" || true)
    next=$(printf '%s' "$body" | python3 -c 'import json,sys
try: p=json.load(sys.stdin)["proposals"]
except Exception: sys.exit(1)
print(int(p[0]["id"])+1 if p else 1)' 2>/dev/null) && break
    tries=$((tries + 1))
    [ "$tries" -ge 100 ] && die "cannot read the proposals from the REST API: ${body:-no answer}"
    sleep 0.2
  done
  unsigned=$("$simd" tx upgrade software-upgrade "$name" --upgrade-height "$height" \
         --title "upgrade $name" --summary "software upgrade to $name" --deposit "10000000$DENOM" \
         --upgrade-info "$info" --no-validate --generate-only --from "$addr" --chain-id "$CHAIN_ID" \
         --home "$home" --keyring-backend test --gas 400000 --fees "0$DENOM" 2>&1) \
    || die "software-upgrade --generate-only failed: $unsigned"
  local tmp
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdkchain-prop-XXXXXX")
  printf '%s' "$unsigned" | python3 -c '
import json, sys
tx = json.load(sys.stdin)
tx["body"]["messages"].append({"@type": "/cosmos.gov.v1.MsgVote", "proposal_id": sys.argv[1],
                               "voter": sys.argv[2], "option": "VOTE_OPTION_YES", "metadata": ""})
json.dump(tx, open(sys.argv[3], "w"))' "$next" "$addr" "$tmp/unsigned.json"
  "$simd" tx sign "$tmp/unsigned.json" --from "$KEY" --keyring-backend test --chain-id "$CHAIN_ID" \
    --home "$home" --node "$rpc" --output-document "$tmp/signed.json" >/dev/null 2>"$tmp/sign.err" \
    || { cat "$tmp/sign.err" >&2; rm -rf "$tmp"; die "tx sign failed"; }
  local json
  json=$("$simd" tx broadcast "$tmp/signed.json" --node "$rpc" --output json --broadcast-mode sync 2>&1) \
    || { rm -rf "$tmp"; die "broadcast failed: $json"; }
  rm -rf "$tmp"
  local res
  res=$(wait_tx "$home" "$simd" "$json")
  printf '%s' "$res" | python3 -c '
import json, sys
r = json.load(sys.stdin)
for e in r.get("events", []):
    if e.get("type") == "submit_proposal":
        for a in e.get("attributes", []):
            if a.get("key") == "proposal_id":
                print(a["value"]); sys.exit(0)
sys.exit("localnet: no proposal_id in the tx events")'
}

cmd_vote() {
  local home=$1 simd=$2 id=$3 json
  # shellcheck disable=SC2046
  json=$("$simd" tx gov vote "$id" yes $(cli_flags "$home") 2>&1) || die "vote tx failed: $json"
  wait_tx "$home" "$simd" "$json" >/dev/null
}

cmd_height() {
  local home=$1 body
  body=$(curl -s --max-time 2 "http://127.0.0.1:$(env_of "$home" RPC_PORT)/status" 2>/dev/null || true)
  printf '%s' "$body" | python3 -c 'import json,sys
try: print(int(json.load(sys.stdin)["result"]["sync_info"]["latest_block_height"]))
except Exception: print(0)'
}

cmd_wait_height() {
  local home=$1 want=$2 timeout=${3:-60} start
  start=$(date +%s)
  while true; do
    local h
    h=$(cmd_height "$home")
    [ "$h" -ge "$want" ] && { echo "$h"; return 0; }
    [ $(( $(date +%s) - start )) -ge "$timeout" ] && die "height $want not reached in ${timeout}s (at $h)"
    sleep 0.2
  done
}

cmd_proposal_status() {
  local home=$1 id=$2
  curl -s --max-time 2 "http://127.0.0.1:$(env_of "$home" API_PORT)/cosmos/gov/v1/proposals/$id" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["proposal"]["status"])'
}

cmd_join() {
  local home=$1 val=$2 simd=$3 id
  cmd_init "$home" "$simd" >/dev/null
  cp "$val/config/genesis.json" "$home/config/genesis.json"
  id=$("$simd" comet show-node-id --home "$val") || die "comet show-node-id --home $val failed"
  sed -i "s|^persistent_peers = .*|persistent_peers = \"$id@127.0.0.1:$(env_of "$val" P2P_PORT)\"|" \
    "$home/config/config.toml"
  grep -q "^persistent_peers = \"$id@" "$home/config/config.toml" \
    || die "$home/config/config.toml: persistent_peers not set"
  echo "localnet: $home joins $val (peer $id@127.0.0.1:$(env_of "$val" P2P_PORT))"
}

cmd_halt_height() {
  local home=$1 h=$2
  case $h in ''|*[!0-9]*) die "halt-height: '$h' is not a height" ;; esac
  grep -q '^halt-height = ' "$home/config/app.toml" || die "$home/config/app.toml has no halt-height"
  sed -i "s|^halt-height = .*|halt-height = $h|" "$home/config/app.toml"
}

cmd_halt_reset_script() {
  local home=$1 f="$1/cosmovisor/reset-halt-height.sh"
  mkdir -p "$home/cosmovisor"
  cat >"$f" <<'SCRIPT'
#!/bin/sh
# COSMOVISOR_CUSTOM_PREUPGRADE (written by sdkchain/localnet.sh): $1 upgrade name, $2 its height;
# run in the node's home. The coordinated halt that this switch ends is lifted (halt-height <= $2
# set to 0), so the patched binary runs on; a halt-height above $2 is a later halt and stays.
set -eu
app=config/app.toml
h=$(sed -n 's/^halt-height = \([0-9]*\).*/\1/p' "$app")
if [ -n "$h" ] && [ "$h" -gt 0 ] && [ "$h" -le "$2" ]; then
  sed -i 's/^halt-height = .*/halt-height = 0/' "$app"
  echo "reset-halt-height.sh: $1 at $2: halt-height $h lifted in $app"
fi
SCRIPT
  chmod +x "$f"
  echo reset-halt-height.sh
}

case ${1:-} in
  init) shift; [ $# -eq 2 ] || die "usage: init <home> <simd>"; cmd_init "$@" ;;
  propose) shift; [ $# -ge 4 ] || die "usage: propose <home> <simd> <name> <height> [info]"; cmd_propose "$@" ;;
  vote) shift; [ $# -eq 3 ] || die "usage: vote <home> <simd> <id>"; cmd_vote "$@" ;;
  height) shift; [ $# -eq 1 ] || die "usage: height <home>"; cmd_height "$@" ;;
  wait-height) shift; [ $# -ge 2 ] || die "usage: wait-height <home> <height> [timeout]"; cmd_wait_height "$@" ;;
  proposal-status) shift; [ $# -eq 2 ] || die "usage: proposal-status <home> <id>"; cmd_proposal_status "$@" ;;
  join) shift; [ $# -eq 3 ] || die "usage: join <home> <validator home> <simd>"; cmd_join "$@" ;;
  halt-height) shift; [ $# -eq 2 ] || die "usage: halt-height <home> <height>"; cmd_halt_height "$@" ;;
  halt-reset-script) shift; [ $# -eq 1 ] || die "usage: halt-reset-script <home>"; cmd_halt_reset_script "$@" ;;
  *) echo "usage: localnet.sh init|propose|vote|height|wait-height|proposal-status|join|halt-height|halt-reset-script ..." >&2; exit 2 ;;
esac
