#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing, benchmarking and the demo need.
# Idempotent: quiet and fast when everything is already present. Needs root (or sudo).
# Usage: scripts/setup.sh [--fuzz]   (--fuzz adds clang and its fuzzer runtime, for bench/fuzz/)
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates ccache
  libboost-dev libboost-system-dev
  libleveldb-dev libsnappy-dev
  libcurl4-openssl-dev libssl-dev
  nlohmann-json3-dev libarchive-dev libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  minisign openssl curl zip xz-utils python3 procps
  strace  # tests/e2e/download_test: every rename on the switch path is followed by a folder fsync
  # containers (docker/: image, compose, kube play; docker/systemd: systemd-analyze is in systemd)
  podman runc podman-compose debootstrap systemd netavark aardvark-dns catatonit iptables
)
if [ "${1:-}" = "--fuzz" ]; then
  PACKAGES+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
