#!/usr/bin/env bash
# Removes port forwards that netavark left behind for containers of a compose test project
# (replayer-compose-<pid>) that no longer exist. A run killed with its machine never tears its
# network down: its DNAT rule keeps sending 127.0.0.1:<port> to a container address that is gone,
# and any later test that happens to pick that free port gets "no route to host" (seen: a
# real-chain test's REST gateway dialling its own gRPC port). Only rules whose comment names such
# a project and whose container is gone are touched. Usage: sweep-stale-ports.sh (root; quiet).
set -uo pipefail
command -v iptables >/dev/null || exit 0
rules=$(iptables -w -t nat -S NETAVARK-HOSTPORT-DNAT 2>/dev/null |
  grep -E -- '^-A .*--comment "dnat name: replayer-compose-[0-9]+_default id: [0-9a-f]+"') || exit 0
chains=()
while read -r rule; do
  id=$(sed -n 's/.* id: \([0-9a-f]*\)".*/\1/p' <<<"$rule")
  [ -n "$id" ] || continue
  podman container exists "$id" 2>/dev/null && continue
  chain=$(sed -n 's/.* -j \(NETAVARK-DN-[0-9A-Za-z]*\)$/\1/p' <<<"$rule")
  # The rule as iptables printed it, quotes and all, turned into its deletion.
  eval "iptables -w -t nat -D ${rule#-A }" && echo "sweep-stale-ports: removed a stale forward of container ${id:0:12}: $rule" >&2
  [ -n "$chain" ] && chains+=("$chain")
done <<<"$rules"
for c in $(printf '%s\n' "${chains[@]}" | sort -u); do
  # Its chain goes too, once nothing jumps to it any more.
  iptables -w -t nat -S | grep -q -- "-j $c\$" && continue
  iptables -w -t nat -F "$c" && iptables -w -t nat -X "$c"
done
exit 0
