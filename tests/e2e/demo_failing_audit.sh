#!/usr/bin/env bash
# Stands in for `replayer` in the demo test that proves the demo fails when one step fails: runs
# the real binary ($REAL_REPLAYER) for everything, but `audit` exits 1 after printing its table,
# as it does when a row fails.
if [ "${1:-}" = "audit" ]; then
  "$REAL_REPLAYER" "$@"
  echo "demo_failing_audit: audit made to fail" >&2
  exit 1
fi
exec "$REAL_REPLAYER" "$@"
