#!/bin/sh
# Start of the node container in docker/k8s/node.yaml: fills the node's home volume
# ($DAEMON_HOME) the first time, then execs its arguments (`replayer run start --home ...`), so
# Replayer is the container's main process. What it puts there: the Cosmovisor layout baked into
# the image at /home/replayer/.simapp (docker/node.Dockerfile), and with
# CHAIN_INIT=single-validator a one-validator chain of its own (CHAIN_ID, MONIKER: the example
# manifest's). Anything already in the volume is left as it is, so a restarted pod keeps its
# `current`, its journal and its data. (Not an init container: podman 4.3's kube play restarts
# init containers with the pod's restart policy, and a Deployment's is Always.)
set -eu
image_home=/home/replayer/.simapp
target=$DAEMON_HOME
if [ ! -e "$target/cosmovisor/current" ]; then
  mkdir -p "$target"
  cp -a "$image_home/." "$target/"
  echo "init-home: Cosmovisor layout copied into $target"
fi
if [ "${CHAIN_INIT:-none}" != single-validator ] || [ -e "$target/config/genesis.json" ]; then
  exec "$@"
fi
bin="$target/cosmovisor/genesis/bin/$DAEMON_NAME"
k="--home $target --keyring-backend test"
"$bin" init "${MONIKER:-node-0}" --chain-id "$CHAIN_ID" --home "$target" >/dev/null 2>&1
"$bin" keys add validator $k >/dev/null 2>&1
"$bin" genesis add-genesis-account validator 1000000000000stake $k >/dev/null
"$bin" genesis gentx validator 100000000stake --chain-id "$CHAIN_ID" $k >/dev/null 2>&1
"$bin" genesis collect-gentxs --home "$target" >/dev/null 2>&1
c="$target/config/config.toml" a="$target/config/app.toml"
sed -i -e '/^\[rpc\]/,/^\[/ s|^laddr = .*|laddr = "tcp://0.0.0.0:26657"|' \
  -e '/^\[p2p\]/,/^\[/ s|^laddr = .*|laddr = "tcp://0.0.0.0:26656"|' \
  -e 's|^timeout_commit = .*|timeout_commit = "1s"|' \
  -e 's|^prometheus = false|prometheus = true|' "$c"
sed -i -e '/^\[api\]/,/^\[/ s|^enable = false|enable = true|' \
  -e '/^\[api\]/,/^\[/ s|^address = .*|address = "tcp://0.0.0.0:1317"|' \
  -e '/^\[grpc\]/,/^\[/ s|^address = .*|address = "0.0.0.0:9090"|' \
  -e 's|^minimum-gas-prices = .*|minimum-gas-prices = "0stake"|' "$a"
echo "init-home: chain $CHAIN_ID made (one validator)"
exec "$@"
