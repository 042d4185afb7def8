#!/usr/bin/env bash
# docker/Dockerfile: builds the image (docker/build-image.sh, time printed), then checks it as
# a user would run it: non-root, ENTRYPOINT replayer / CMD run start, the DAEMON_* defaults,
# and a real container: a Cosmovisor layout whose "node" is /bin/sleep, run under the image's
# own entrypoint; the HEALTHCHECK turns healthy, `podman stop` is passed by Replayer to the node.
# Exit 77 (skipped) when podman cannot run containers here.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/docker/containers-env.sh"
containers_usable || exit 77
fail() { echo "FAIL: $*" >&2; exit 1; }
# podman's healthcheck timers need systemd as PID 1; without it podman logs that it cannot add
# them (the check itself still runs through `podman healthcheck run`).
quiet() { grep -v 'systemd connection' || true; }
image=${REPLAYER_IMAGE:-localhost/replayer:dev}
if [ -z "${REPLAYER_IMAGE_BUILT:-}" ]; then bash "$root/docker/build-image.sh" "$image"; fi

cfg() { podman image inspect --format "$1" "$image"; }
[ "$(cfg '{{.Config.User}}')" = replayer ] || fail "image user is $(cfg '{{.Config.User}}'), not replayer"
[ "$(cfg '{{json .Config.Entrypoint}}')" = '["replayer"]' ] || fail "ENTRYPOINT $(cfg '{{json .Config.Entrypoint}}')"
[ "$(cfg '{{json .Config.Cmd}}')" = '["run","start"]' ] || fail "CMD $(cfg '{{json .Config.Cmd}}')"
env=$(cfg '{{json .Config.Env}}')
for v in DAEMON_NAME=simd DAEMON_HOME=/home/replayer/.simapp DAEMON_SHUTDOWN_GRACE=; do
  echo "$env" | grep "\"$v" >/dev/null || fail "image env lacks $v: $env"
done
podman run --rm "$image" version --cosmovisor-only | grep '^replayer version' >/dev/null || fail "replayer version failed"
[ "$(podman run --rm --entrypoint /usr/bin/id "$image" -u)" = 10001 ] || fail "not uid 10001"

name=replayer-image-test-$$
cleanup() { podman rm -f -t 0 "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
# A layout made by the image's own replayer; the "node" is sleep (DAEMON_NAME=sleep).
podman run -d --name "$name" -e DAEMON_NAME=sleep --health-interval=disable \
  --entrypoint /bin/sh "$image" -c \
  'replayer init /bin/sleep >/dev/null && exec replayer run 600' >/dev/null 2> >(quiet >&2)
healthy=""
for _ in $(seq 1 60); do
  if podman healthcheck run "$name" >/dev/null 2>&1; then healthy=yes; break; fi
  sleep 0.5
done
[ -n "$healthy" ] || { podman logs "$name" >&2; fail "HEALTHCHECK never passed"; }
echo "healthcheck: healthy"
podman exec "$name" replayer status --json | grep '"target": "genesis"' >/dev/null || fail "status: current is not genesis"
s=$(date +%s%N)
podman stop -t 20 "$name" >/dev/null 2> >(quiet >&2)
ms=$((($(date +%s%N) - s) / 1000000))
code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
podman logs "$name" 2>&1 | grep "passing it to the node" >/dev/null || { podman logs "$name" >&2; fail "Replayer did not pass the stop to the node"; }
[ "$code" = 143 ] || fail "exit code $code, expected 143 (node ended by the forwarded SIGTERM)"
echo "PASS: image $image: user replayer, entrypoint replayer run start, healthy, stopped in $ms ms (exit $code)"
