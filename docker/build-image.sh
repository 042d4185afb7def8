#!/usr/bin/env bash
# Builds Replayer's image (docker/Dockerfile) on the local base image (docker/base-image.sh makes
# it when missing) and prints how long the build took. When this machine has a ccache, the build
# shares it (the host build's objects are hits; see the Dockerfile).
# Usage: docker/build-image.sh [TAG]   (default localhost/replayer:dev)
set -euo pipefail
cd "$(dirname "$0")/.."
source docker/containers-env.sh
tag=${1:-localhost/replayer:dev}
bash docker/base-image.sh
args=(--build-arg "BASE_IMAGE=$REPLAYER_BASE_IMAGE" --build-arg "LANG=${LANG:-C.UTF-8}")
if command -v ccache >/dev/null && cache=$(ccache -k cache_dir 2>/dev/null) && [ -d "$cache" ]; then
  args+=(-v "$cache:/host-ccache" --build-arg CCACHE_DIR=/host-ccache)
fi
log=$REPLAYER_CONTAINERS_DIR/image-build.log
start=$(date +%s)
if ! podman build -f docker/Dockerfile "${args[@]}" -t "$tag" . >"$log" 2>&1; then
  tail -30 "$log" >&2
  echo "image build failed (log: $log)" >&2
  exit 1
fi
echo "image build: $tag in $(($(date +%s) - start)) s" | tee -a "$REPLAYER_CONTAINERS_DIR/timings.log"
