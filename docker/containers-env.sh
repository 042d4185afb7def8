# Sourced by docker/*.sh and the container tests: points podman at a containers.conf of ours
# (never /etc) with the two host settings these machines need (see docs/deploy.md):
#   - default ulimits nofile=20000:20000 and nproc=32768:32768: the host has no CAP_SYS_RESOURCE,
#     so the OCI runtime cannot raise rlimits above the hard limits it inherits;
#   - runtime runc: crun refuses the host's hybrid cgroups.
# The file is written into build/containers/ (ignored by git) at every source, so it is always the
# one in this checkout. Also defines `containers_usable` (podman can run a container here).
REPLAYER_ROOT="${REPLAYER_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
REPLAYER_CONTAINERS_DIR="${REPLAYER_CONTAINERS_DIR:-$REPLAYER_ROOT/build/containers}"
mkdir -p "$REPLAYER_CONTAINERS_DIR"
cat > "$REPLAYER_CONTAINERS_DIR/containers.conf.tmp" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
init_path = "/usr/bin/catatonit"

[engine]
runtime = "runc"

[network]
network_backend = "netavark"
CONF
mv -f "$REPLAYER_CONTAINERS_DIR/containers.conf.tmp" "$REPLAYER_CONTAINERS_DIR/containers.conf"
export CONTAINERS_CONF="$REPLAYER_CONTAINERS_DIR/containers.conf"
# The base image our tests build on (docker/base-image.sh makes it from Debian packages).
export REPLAYER_BASE_IMAGE="${REPLAYER_BASE_IMAGE:-localhost/debian:bookworm}"

containers_usable() {
  command -v podman >/dev/null 2>&1 || { echo "podman not installed" >&2; return 1; }
  [ "$(id -u)" -eq 0 ] || { echo "rootful podman needs root" >&2; return 1; }
  podman info >/dev/null 2>&1 || { echo "podman info failed" >&2; return 1; }
}
# Docker image format, so that the Dockerfile's HEALTHCHECK is kept (OCI images drop it).
export BUILDAH_FORMAT=docker
