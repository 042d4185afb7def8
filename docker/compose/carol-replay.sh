#!/bin/sh
# carol-replay (docker/compose.yaml): a node that joins late from an empty home (only its
# config/: genesis, node key, node-carol as its peer) and replays the chain from genesis under
# `replayer sync`. The schedule comes from node-carol over REST (the passed upgrade proposals,
# whose plan info names the new release at the mirror) merged with the chain-registry file (the
# genesis release at the mirror); every binary is downloaded from the mirror and verified before
# the node starts.
set -eu
rest=${REPLAY_REST:-http://node-carol:1317}
mkdir -p "$DAEMON_HOME/data"
# What `simd init` leaves in data/: the (non-validating) node's signing state at zero.
[ -e "$DAEMON_HOME/data/priv_validator_state.json" ] ||
  printf '{\n  "height": "0",\n  "round": 0,\n  "step": 0\n}' > "$DAEMON_HOME/data/priv_validator_state.json"
i=0
until replayer plans import --rest "$rest" --chain-registry /net/chain-registry.json \
    --chain-id "$CHAIN_ID" -o "$DAEMON_HOME/schedule.json"; do
  i=$((i + 1))
  [ "$i" -lt 30 ] || { echo "carol-replay: no schedule from $rest" >&2; exit 1; }
  sleep 2
done
replayer plans check --plans "$DAEMON_HOME/schedule.json"
exec replayer sync --plans "$DAEMON_HOME/schedule.json" --rest "$rest" \
  --metrics 0.0.0.0:9464 --progress-interval 5 -- start --home "$DAEMON_HOME"
