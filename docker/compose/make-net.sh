#!/usr/bin/env bash
# Genesis and keys of the compose network (docker/compose.yaml), made with the real simd CLI as
# the migration seed's setup script does: validators Alice (val-alice) and Bob (val-bob), each
# reachable only through its sentry (sentry-alice, sentry-bob), a full node for Carol
# (node-carol) and carol-replay, which joins later from an empty home. Writes into OUT:
#   <node>/config/          genesis.json (shared), config.toml, app.toml, client.toml, node key,
#                           validator key (each node's own; only Alice's and Bob's are bonded)
#   val-*/keyring-test/     alice's and bob's account keys (test keyring)
#   mirror/                 the mirror's registry (`replayer registry add`): both simd releases
#   chain-registry.json     for carol-replay: the genesis release at the mirror (checksummed)
#   upgrade-info.json       the plan info of the v050-to-v053 proposal: the new release at the mirror
#   net.env                 CHAIN_ID, UPGRADE_NAME, versions
# Everything is owned by uid 10001 (the image's user). Nodes listen on every interface of their
# container; the compose file publishes nothing but on 127.0.0.1.
# Usage: make-net.sh OUT SIMD_V050 SIMD_V053 REPLAYER
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 OUT SIMD_V050 SIMD_V053 REPLAYER" >&2; exit 2; }
out=$1 simd=$2 simd_new=$3 replayer=$4
chain_id=replayer-compose-1
upgrade=v050-to-v053
nodes=(val-alice val-bob sentry-alice sentry-bob node-carol carol-replay)
die() { echo "make-net: $*" >&2; exit 1; }
rm -rf "$out" && mkdir -p "$out"
q() { "$@" >/dev/null 2>&1 || die "failed: $*"; }

for n in "${nodes[@]}"; do q "$simd" init "$n" --chain-id "$chain_id" --home "$out/$n"; done
q "$simd" keys add alice --keyring-backend test --home "$out/val-alice"
q "$simd" keys add bob --keyring-backend test --home "$out/val-bob"
alice=$("$simd" keys show alice -a --keyring-backend test --home "$out/val-alice")
bob=$("$simd" keys show bob -a --keyring-backend test --home "$out/val-bob")

# Gov parameters for a test: 20 s voting (10 s expedited), deposits end as fast.
python3 - "$out/val-alice/config/genesis.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
p = g["app_state"]["gov"]["params"]
p.update(voting_period="20s", expedited_voting_period="10s", max_deposit_period="20s")
json.dump(g, open(sys.argv[1], "w"), indent=1)
PY
for a in "$alice" "$bob"; do q "$simd" genesis add-genesis-account "$a" 1000000000000stake --home "$out/val-alice"; done
cp "$out/val-alice/config/genesis.json" "$out/val-bob/config/genesis.json"
q "$simd" genesis gentx alice 100000000stake --chain-id "$chain_id" --keyring-backend test --home "$out/val-alice"
q "$simd" genesis gentx bob 100000000stake --chain-id "$chain_id" --keyring-backend test --home "$out/val-bob"
cp "$out"/val-bob/config/gentx/*.json "$out/val-alice/config/gentx/"
q "$simd" genesis collect-gentxs --home "$out/val-alice"
q "$simd" genesis validate-genesis --home "$out/val-alice"
for n in "${nodes[@]}"; do
  [ "$n" = val-alice ] || cp "$out/val-alice/config/genesis.json" "$out/$n/config/genesis.json"
done

declare -A id
for n in "${nodes[@]}"; do id[$n]=$("$simd" comet show-node-id --home "$out/$n"); done
peer() { echo "${id[$1]}@$1:26656"; }
declare -A peers private
peers[val-alice]=$(peer sentry-alice)
peers[val-bob]=$(peer sentry-bob)
peers[sentry-alice]="$(peer val-alice),$(peer sentry-bob)"
peers[sentry-bob]="$(peer val-bob),$(peer sentry-alice)"
peers[node-carol]="$(peer sentry-alice),$(peer sentry-bob)"
peers[carol-replay]=$(peer node-carol)
private[sentry-alice]=${id[val-alice]}
private[sentry-bob]=${id[val-bob]}
for n in "${nodes[@]}"; do
  pex=true
  case $n in val-*) pex=false ;; esac   # a validator talks to its sentry only
  python3 - "$out/$n/config" "${peers[$n]}" "${private[$n]:-}" "$pex" "$chain_id" <<'PY'
import re, sys
cfg, peers, private, pex, chain_id = sys.argv[1:]
def edit(path, changes):
    section, out = "", []
    for line in open(path).read().split("\n"):
        m = re.match(r"^\[([^\]]+)\]\s*$", line)
        if m: section = m.group(1)
        k = re.match(r"^([A-Za-z0-9_.-]+)\s*=", line)
        if k and (section, k.group(1)) in changes:
            line = f"{k.group(1)} = {changes.pop((section, k.group(1)))}"
        out.append(line)
    if changes: raise SystemExit(f"make-net: {path}: keys not found: {sorted(changes)}")
    open(path, "w").write("\n".join(out))
edit(f"{cfg}/config.toml", {
    ("rpc", "laddr"): '"tcp://0.0.0.0:26657"',
    ("p2p", "laddr"): '"tcp://0.0.0.0:26656"',
    ("p2p", "persistent_peers"): f'"{peers}"',
    ("p2p", "private_peer_ids"): f'"{private}"',
    ("p2p", "unconditional_peer_ids"): f'"{private}"',
    ("p2p", "pex"): pex,
    ("p2p", "addr_book_strict"): "false",
    ("consensus", "timeout_commit"): '"1s"',
    ("instrumentation", "prometheus"): "true",
    ("instrumentation", "prometheus_listen_addr"): '":26660"',
})
edit(f"{cfg}/app.toml", {
    ("", "minimum-gas-prices"): '"0stake"',
    ("api", "enable"): "true",
    ("api", "address"): '"tcp://0.0.0.0:1317"',
    ("grpc", "address"): '"0.0.0.0:9090"',
})
edit(f"{cfg}/client.toml", {
    ("", "chain-id"): f'"{chain_id}"',
    ("", "keyring-backend"): '"test"',
})
PY
done
# Each node's own state starts at zero; data/ comes from the image (docker/node.Dockerfile).
for n in "${nodes[@]}"; do rm -rf "$out/$n/data"; done

# The mirror: both releases in a registry, bound to their Cosmovisor names.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/genesis" "$stage/$upgrade" "$out/mirror/cosmovisor"
cp "$simd" "$stage/genesis/simd" && cp "$simd_new" "$stage/$upgrade/simd"
for n in genesis "$upgrade"; do
  DAEMON_HOME=$out/mirror DAEMON_NAME=simd q "$replayer" registry add "$stage/$n/simd" --name "$n"
done
sha_old=$(sha256sum "$simd" | cut -d' ' -f1)
sha_new=$(sha256sum "$simd_new" | cut -d' ' -f1)
v_old=$("$simd" version --home "$stage/version-home" 2>&1 | tail -1)
v_new=$("$simd_new" version --home "$stage/version-home" 2>&1 | tail -1)
url() { echo "http://mirror:8080/sha256/$1/simd?checksum=sha256:$1"; }
cat > "$out/chain-registry.json" <<JSON
{
  "chain_name": "replayer-compose",
  "chain_id": "$chain_id",
  "daemon_name": "simd",
  "codebase": {
    "genesis": {"name": "genesis"},
    "versions": [
      {"name": "genesis", "recommended_version": "$v_old",
       "binaries": {"linux/amd64": "$(url "$sha_old")"}}
    ]
  }
}
JSON
printf '{"binaries":{"linux/amd64":"%s"}}' "$(url "$sha_new")" > "$out/upgrade-info.json"
cat > "$out/net.env" <<ENV
CHAIN_ID=$chain_id
UPGRADE_NAME=$upgrade
VERSION_OLD=$v_old
VERSION_NEW=$v_new
ENV
chown -R 10001:10001 "$out"
echo "make-net: $chain_id in $out (validators alice $alice, bob $bob; $v_old -> $v_new)"
