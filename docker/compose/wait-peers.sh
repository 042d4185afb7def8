#!/bin/sh
# Entry of every node in docker/compose.yaml: wait (at most 60 s) until the host names of the
# node's persistent_peers resolve, then run Replayer with the service's command.
# Why: CometBFT drops a persistent peer whose name does not resolve when the node starts
# ("Error in peer's address ... no such host") and never dials it again. Containers brought up
# together (first `up`, or `up` after `down`) register their names with the network's DNS at
# about the same moment, so a validator whose sentry was not yet known stays cut off, and with
# two validators the chain stalls.
config=${DAEMON_HOME:-/home/replayer/.simapp}/config/config.toml
peers=$(sed -n 's/^persistent_peers *= *"\(.*\)"/\1/p' "$config" 2>/dev/null | tr ',' ' ')
for peer in $peers; do
  host=${peer#*@}
  host=${host%:*}
  i=0
  until getent hosts "$host" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -gt 120 ]; then
      echo "wait-peers: $host does not resolve after 60 s; starting anyway" >&2
      break
    fi
    sleep 0.5
  done
done
exec replayer "$@"
