#!/usr/bin/env bash
# docker/k8s/ under `podman kube play` (the kinds podman runs: ConfigMap, PersistentVolumeClaim,
# Deployment; it ignores the Service): the node manifest makes a one-validator simd chain in its
# volume and runs it under Replayer, which produces blocks and serves CometBFT metrics; the pod
# carries the Prometheus annotations; stopping the pod goes through Replayer (SIGTERM passed to
# the node) and starting it again resumes from the volume; the mirror manifest serves both simd
# releases. `podman kube play --down` and volume removal leave nothing behind.
# Usage: k8s_test.sh SIMD_V050 SIMD_V053   Exit 77 (skipped) when podman cannot run containers.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/docker/containers-env.sh"
containers_usable || exit 77
[ $# -eq 2 ] || { echo "usage: $0 SIMD_V050 SIMD_V053" >&2; exit 2; }
t0=$(date +%s)
fail() { echo "FAIL: $*" >&2; exit 1; }
image=${REPLAYER_IMAGE:-localhost/replayer:dev}
node_image=localhost/replayer-node:dev     # the tag the manifests name
k8s=$root/docker/k8s
net=replayer-k8s-$$
node_ctr=replayer-node-pod-0-node
mirror_ctr=replayer-mirror-pod-0-mirror
cleanup() {
  local rc=$?
  trap "" PIPE   # the runner may be gone (killed ctest): keep cleaning up
  [ $rc -eq 0 ] || { podman logs "$node_ctr" 2>&1 | tail -40 >&2 || true; }
  podman kube play --down "$k8s/node.yaml" >/dev/null 2>&1 || true
  podman kube play --down "$k8s/mirror.yaml" >/dev/null 2>&1 || true
  podman volume rm -f replayer-node-home replayer-mirror-store >/dev/null 2>&1 || true
  podman network rm -f "$net" >/dev/null 2>&1 || true
  podman image rm "$node_image" >/dev/null 2>&1 || true
  local left
  left=$(podman ps -aq --filter name=replayer-node-pod --filter name=replayer-mirror-pod
         podman volume ls -q --filter name=replayer-node-home --filter name=replayer-mirror-store)
  [ -z "$left" ] || { echo "FAIL: left behind: $left" >&2; rc=1; }
  [ $rc -ne 0 ] || echo "PASS: k8s manifests under podman kube play ($(($(date +%s) - t0)) s)" |
    tee -a "$REPLAYER_CONTAINERS_DIR/timings.log"
  exit $rc
}
trap cleanup EXIT
trap "exit 143" TERM
trap "exit 130" INT
# Names are fixed by the manifests: refuse to run over someone's running copy.
[ -z "$(podman ps -aq --filter name=replayer-node-pod --filter name=replayer-mirror-pod)" ] ||
  { trap - EXIT; fail "replayer-node/replayer-mirror pods already exist"; }

[ -n "${REPLAYER_IMAGE_BUILT:-}" ] || bash "$root/docker/build-image.sh" "$image"
bash "$root/docker/build-node-image.sh" "$node_image" "$1" "v050-to-v053=$2"
podman network create "$net" >/dev/null
podman kube play --network "$net" "$k8s/mirror.yaml" >/dev/null
podman kube play --network "$net" "$k8s/node.yaml" >/dev/null

ip() { podman inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$1"; }
height() {
  curl -fsS --max-time 3 "http://$(ip "$node_ctr"):26657/status" 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["sync_info"]["latest_block_height"])' 2>/dev/null || echo 0
}
wait_height() {
  local s; s=$(date +%s)
  while [ "$(height)" -lt "$1" ]; do
    [ $(($(date +%s) - s)) -lt 180 ] || fail "node did not reach height $1 (at $(height))"
    sleep 1
  done
}
wait_height 3
echo "node under Replayer in the pod: height $(height)"
podman exec "$node_ctr" replayer status --json | grep '"target": "genesis"' >/dev/null || fail "status: not on genesis"
[ "$(podman inspect -f '{{.Config.User}}' "$node_ctr")" = 10001:10001 ] ||
  [ "$(podman exec "$node_ctr" id -u)" = 10001 ] || fail "node does not run as uid 10001"
curl -fsS --max-time 3 "http://$(ip "$node_ctr"):26660/metrics" | grep '^cometbft_consensus_height' >/dev/null ||
  fail "no CometBFT metrics on :26660"
podman pod inspect replayer-node-pod-0 >/dev/null
# podman 4.3 does not carry a Deployment's pod-template annotations onto the pod: check the
# manifest itself (Debian's python3-yaml, a dependency of podman-compose).
/usr/bin/python3 - "$k8s/node.yaml" <<'PY' || fail "node.yaml: Prometheus annotations"
import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "Deployment":
        t = d["spec"]["template"]
        a = t["metadata"]["annotations"]
        assert a["prometheus.io/scrape"] == "true" and a["prometheus.io/port"] == "26660", a
        ports = {p["containerPort"] for p in t["spec"]["containers"][0]["ports"]}
        assert 26660 in ports, ports
        stop = t["spec"]["containers"][0]["lifecycle"]["preStop"]["exec"]["command"]
        assert "in_progress" in stop[-1], stop
PY
for plan in genesis v050-to-v053; do
  curl -fsS --max-time 3 "http://$(ip "$mirror_ctr"):8080/plans/$plan.json" | grep "replayer-mirror:8080/sha256/" >/dev/null ||
    fail "mirror does not serve $plan"
done
echo "metrics, annotations, mirror: ok"

# Stop the pod: the engine's SIGTERM reaches Replayer, which passes it to the node; start it again
# and the node goes on from its volume.
before=$(height)
podman pod stop -t 60 replayer-node-pod-0 >/dev/null
podman logs "$node_ctr" 2>&1 | grep "passing it to the node" >/dev/null || fail "the stop did not go through Replayer"
podman pod start replayer-node-pod-0 >/dev/null
wait_height $((before + 2))
echo "pod stopped through Replayer at $before and started again: height $(height)"
