#!/usr/bin/env bash
# Makes the local base image localhost/debian:bookworm from Debian packages (no image registry
# is needed): debootstrap minbase from the Debian mirror this machine's apt already uses (read
# from its sources at run time, never written into the repository), imported with a PATH (an
# imported image has none). Skipped when the image exists. Prints how long it took.
# Usage: docker/base-image.sh [--force]
set -euo pipefail
source "$(dirname "$0")/containers-env.sh"
image="$REPLAYER_BASE_IMAGE"
start=$(date +%s)
if [ "${1:-}" != "--force" ] && podman image exists "$image"; then
  echo "base-image: $image exists (skipped)"
  exit 0
fi

# The first Debian mirror apt uses: deb822 sources first, then the one-line format.
mirror=""
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  mirror=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
  [ -n "$mirror" ] && break
done
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' \
    /etc/apt/sources.list)
fi
[ -n "$mirror" ] || { echo "base-image: no Debian mirror found in /etc/apt sources" >&2; exit 1; }

rootfs=$(mktemp -d "${TMPDIR:-/tmp}/replayer-rootfs.XXXXXX")
trap 'rm -rf "$rootfs"' EXIT
echo "base-image: debootstrap bookworm (minbase) from the apt mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$REPLAYER_CONTAINERS_DIR/debootstrap.log" 2>&1 ||
  { tail -20 "$REPLAYER_CONTAINERS_DIR/debootstrap.log" >&2; exit 1; }
boot=$(date +%s)
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
end=$(date +%s)
echo "base-image: $image made in $((end - start)) s (debootstrap $((boot - start)) s, import $((end - boot)) s)" |
  tee -a "$REPLAYER_CONTAINERS_DIR/timings.log"
