#!/bin/sh
# Start of the mirror container in docker/k8s/mirror.yaml: stores the releases baked into the
# node image (docker/node.Dockerfile) in the registry under $DAEMON_HOME (the mirror's volume),
# bound to their Cosmovisor names (`genesis`, each upgrade's name), then execs its arguments
# (`replayer registry serve ...`), which publishes them at /plans/<name>.json. Adding what is
# already stored changes nothing.
set -eu
layout=/home/replayer/.simapp/cosmovisor
mkdir -p "$DAEMON_HOME/cosmovisor"
replayer registry add "$layout/genesis/bin/$DAEMON_NAME" --name genesis >/dev/null
for d in "$layout"/upgrades/*/; do
  [ -x "$d/bin/$DAEMON_NAME" ] || continue
  replayer registry add "$d/bin/$DAEMON_NAME" --name "$(basename "$d")" >/dev/null
done
replayer registry list
exec "$@"
