#!/usr/bin/env bash
# Builds a node image (docker/node.Dockerfile) from node binaries on this machine: the genesis
# release and each upgrade's, placed in the Cosmovisor layout. Prints how long it took.
# Usage: docker/build-node-image.sh TAG GENESIS_BINARY [UPGRADE_NAME=BINARY ...]
#   env REPLAYER_IMAGE (default localhost/replayer:dev), DAEMON_NAME (default simd)
set -euo pipefail
cd "$(dirname "$0")/.."
source docker/containers-env.sh
[ $# -ge 2 ] || { echo "usage: $0 TAG GENESIS_BINARY [UPGRADE_NAME=BINARY ...]" >&2; exit 2; }
tag=$1 genesis=$2
shift 2
name=${DAEMON_NAME:-simd}
ctx=$(mktemp -d "$REPLAYER_CONTAINERS_DIR/node-context.XXXXXX")   # one per build: builds may overlap
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/cosmovisor/genesis/bin" "$ctx/scripts"
[ -x "$genesis" ] || { echo "$genesis: not an executable" >&2; exit 2; }
cp "$genesis" "$ctx/cosmovisor/genesis/bin/$name"
for u in "$@"; do
  upgrade=${u%%=*} bin=${u#*=}
  [ -x "$bin" ] || { echo "$bin: not an executable (upgrade $upgrade)" >&2; exit 2; }
  mkdir -p "$ctx/cosmovisor/upgrades/$upgrade/bin"
  cp "$bin" "$ctx/cosmovisor/upgrades/$upgrade/bin/$name"
done
cp docker/node/*.sh "$ctx/scripts/"
start=$(date +%s)
podman build -f docker/node.Dockerfile --build-arg "REPLAYER_IMAGE=${REPLAYER_IMAGE:-localhost/replayer:dev}" \
  -t "$tag" "$ctx" >"$ctx.log" 2>&1 || { tail -20 "$ctx.log" >&2; rm -f "$ctx.log"; exit 1; }
rm -f "$ctx.log"
echo "node image: $tag in $(($(date +%s) - start)) s" | tee -a "$REPLAYER_CONTAINERS_DIR/timings.log"
