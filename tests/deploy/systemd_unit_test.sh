#!/usr/bin/env bash
# docker/systemd/replayer.service: `systemd-analyze verify` accepts it with no complaint at all
# (verify exits 0 on unknown values, so any line it prints fails the test), in a root that holds
# the real replayer binary at the unit's ExecStart path; and the stop is left to Replayer:
# KillMode=mixed, TimeoutStopSec above replayer.env's DAEMON_SHUTDOWN_GRACE.
# Usage: systemd_unit_test.sh <replayer binary>
set -euo pipefail
replayer_bin=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
unit=$here/docker/systemd/replayer.service
env_file=$here/docker/systemd/replayer.env
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v systemd-analyze >/dev/null || fail "systemd-analyze not installed (scripts/setup.sh installs systemd)"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/systemd/system" "$root/usr/local/bin" "$root/usr/lib/systemd" "$root/etc/replayer"
cp -r /lib/systemd/system "$root/usr/lib/systemd/"          # sysinit.target and friends
cp "$unit" "$root/etc/systemd/system/"
cp "$env_file" "$root/etc/replayer/replayer.env"
cp "$replayer_bin" "$root/usr/local/bin/replayer"
out=$(systemd-analyze verify --root="$root" replayer.service 2>&1) || fail "verify exited $?: $out"
[ -z "$out" ] || fail "verify complained: $out"
echo "systemd-analyze verify: clean"

# The same check catches a broken unit (so the test above can fail).
sed 's/^KillMode=mixed/KillMode=leave-it/' "$unit" > "$root/etc/systemd/system/broken.service"
bad=$(systemd-analyze verify --root="$root" broken.service 2>&1 || true)
echo "$bad" | grep -q "kill mode" || fail "verify did not notice a bad KillMode: $bad"

key() { sed -n "s/^$1=//p" "$unit" | tail -1; }
[ "$(key KillMode)" = mixed ] || fail "KillMode must be mixed (SIGTERM to Replayer only), is $(key KillMode)"
[ "$(key Restart)" = always ] || fail "Restart must be always"
[ -n "$(key LimitNOFILE)" ] || fail "LimitNOFILE missing"
[ "$(key EnvironmentFile)" = /etc/replayer/replayer.env ] || fail "EnvironmentFile must be /etc/replayer/replayer.env"
grep -q '^ExecStart=/usr/local/bin/replayer run start' "$unit" || fail "ExecStart must run replayer run start"
stop=$(key TimeoutStopSec)
grace=$(sed -n 's/^DAEMON_SHUTDOWN_GRACE=\([0-9]*\)s$/\1/p' "$env_file")
[ -n "$grace" ] || fail "replayer.env: DAEMON_SHUTDOWN_GRACE must be whole seconds (Ns)"
[ "$stop" -gt "$grace" ] || fail "TimeoutStopSec ($stop) must exceed DAEMON_SHUTDOWN_GRACE (${grace}s)"

# The env file is one Replayer accepts: `replayer config` with it refuses nothing.
home=$(mktemp -d)
trap 'rm -rf "$root" "$home"' EXIT
(set -a; source "$env_file"; set +a; DAEMON_HOME=$home "$replayer_bin" config >/dev/null) ||
  fail "replayer config refused replayer.env"
echo "PASS: unit verified; KillMode=mixed, TimeoutStopSec=$stop > DAEMON_SHUTDOWN_GRACE=${grace}s"
