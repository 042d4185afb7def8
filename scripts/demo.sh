#!/usr/bin/env bash
# The demo: a node that upgrades twice, supervised by Replayer end to end.
#
# Builds Replayer, makes a fresh $DAEMON_HOME with three small script nodes (v1 -> "v2" at
# height 20 -> "v3" at height 40; the same script node the end-to-end tests use), and runs
# `replayer run start` until the final binary reaches height 50. Replayer detects each upgrade,
# stops the node at exactly the plan height, snapshots data/, switches `current` atomically, runs
# the pre-upgrade hooks and restarts the node. Then it prints `replayer status`.
# (The demochain issue replaces the script nodes with a real chain.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build/ci -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build/ci replayer >/dev/null
REPLAYER=$PWD/build/ci/replayer/replayer

WORK=$(mktemp -d /tmp/replayer-demo-XXXXXX)
trap 'pkill -KILL -f "$WORK/home" 2>/dev/null || true; rm -rf "$WORK"' EXIT
export DAEMON_HOME=$WORK/home DAEMON_NAME=demod STOP_AT=50 COSMOVISOR_COLOR_LOGS=false
mkdir -p "$DAEMON_HOME"

node() {  # node <version> <plan name> <plan height> <output>
  sed -e "s/@VERSION@/$1/; s/@UPGRADE_NAME@/$2/; s/@UPGRADE_HEIGHT@/$3/" \
      -e 's/@ON_UPGRADE@/keep-running/; s/@MALFORMED@//; s/@PREUPGRADE_EXITS@/0/; s/@TRAP_INT@//' \
      tests/e2e/script_node.sh.in > "$4"
  chmod 755 "$4"
}
node v1 v2 20 "$WORK/demod-v1"
node v2 v3 40 "$WORK/demod-v2"
node v3 "" 0 "$WORK/demod-v3"

echo "== replayer init"
"$REPLAYER" init "$WORK/demod-v1"
"$REPLAYER" add-upgrade v2 "$WORK/demod-v2"
"$REPLAYER" add-upgrade v3 "$WORK/demod-v3"
echo
echo "== replayer run start   (node output below; Replayer's own log lines end in module=replayer)"
"$REPLAYER" run start 2>&1 | grep -E "started|NEEDED|module=replayer|height=(19|20|39|40|50)$" || true
echo
echo "== replayer status"
"$REPLAYER" status
echo
echo "final height: $(cat "$DAEMON_HOME/data/height") (expected 50); current -> $(readlink "$DAEMON_HOME/cosmovisor/current")"
