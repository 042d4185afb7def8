#!/usr/bin/env bash
# The demo with its last step (the audit) made to fail by demo_failing_audit.sh: the demo must
# print the audit's table and then exit 1. Fails (exit 1) if the demo passes anyway.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp /tmp/replayer-demo-must-fail-XXXXXX)
trap 'rm -f "$out"' EXIT
DEMO_REPLAYER=$here/demo_failing_audit.sh bash "$here/../../scripts/demo.sh" "$@" >"$out" 2>&1
rc=$?
cat "$out"
fail() { echo "demo_must_fail: $*" >&2; exit 1; }
[ "$rc" = 1 ] || fail "the demo exited $rc although its audit failed (expected 1)"
grep -q "audit made to fail" "$out" || fail "the demo never reached its audit"
grep -q "replayer audit failed with exit code 1" "$out" || fail "the demo did not name the failed step"
grep -q "demo passed" "$out" && fail "the demo claims it passed"
echo "demo_must_fail: the demo failed as it must"
