#!/usr/bin/env bash
# Makes the sdkchain history the replay bench syncs (bench/sdkchain/replay.sh calls it and caches
# the result): a one-validator localnet (sdkchain/localnet.sh init) with blocks every ~50 ms
# instead of 300 ms, and an extra genesis account "loader" whose bank sends (txload.py, one
# MsgSend to a fresh address each, --rate a second) run from the first block to the last:
#
#   1 .. PLAN-1        simd-v0.50.15
#   PLAN .. PATCH-1    S053, simd v0.53.7 (governance upgrade v050-to-v053 at PLAN, proposed with
#                      localnet.sh propose; the validator's own binary is switched by hand at the
#                      real x/upgrade halt: data/upgrade-info.json)
#   PATCH .. END       PATCH_BIN (a coordinated halt-height switch: S053 runs with
#                      --halt-height PATCH, refuses block PATCH, and is replaced by PATCH_BIN)
#
# The validator is stopped (SIGTERM) at END or a little past it; OUT/meta.env gets the heights and
# counts, OUT/done is written last (a cache entry without it is incomplete). Every process it
# starts is stopped on exit.
#
# usage: history.sh OUT S050 S053 PATCH_BIN PLAN PATCH END [RATE]
set -euo pipefail
[ $# -ge 7 ] || { echo "usage: history.sh OUT S050 S053 PATCH_BIN PLAN PATCH END [RATE]" >&2; exit 2; }
OUT=$1 S050=$2 S053=$3 SPATCH=$4 PLAN=$5 PATCH=$6 END=$7 RATE=${8:-15}
HERE=$(cd "$(dirname "$0")" && pwd)
LOCALNET="bash $HERE/../../sdkchain/localnet.sh"
V=$OUT/val
PIDS=()
NODE=
cleanup() {
  local p
  for p in "${PIDS[@]}" $NODE; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}" $NODE; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "history: $*" >&2; exit 1; }
wait_line() {  # wait_line <file> <grep -E pattern> <timeout s>
  local i
  for i in $(seq 1 $(( $3 * 10 ))); do grep -qE -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  die "no line matching '$2' in $1 within $3 s"
}
start_node() {  # start_node <binary> <log> [args...]
  local bin=$1 log=$2; shift 2
  "$bin" start --home "$V" --log_no_color "$@" >"$log" 2>&1 &
  NODE=$!
}
stop_node() {  # SIGTERM, bounded wait, then SIGKILL
  [ -n "$NODE" ] || return 0
  kill "$NODE" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$NODE" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$NODE" 2>/dev/null || true
  wait "$NODE" 2>/dev/null || true
  NODE=
}

rm -rf "$OUT" && mkdir -p "$OUT"
$LOCALNET init "$V" "$S050" >/dev/null
"$S050" keys add loader --keyring-backend test --home "$V" --output json >/dev/null 2>&1
"$S050" genesis add-genesis-account loader 1000000000000stake --keyring-backend test --home "$V" >/dev/null
LOADER=$("$S050" keys show loader -a --keyring-backend test --home "$V")
KEY=$(echo y | "$S050" keys export loader --unarmored-hex --unsafe --keyring-backend test --home "$V" 2>/dev/null)
[ ${#KEY} = 64 ] || die "keys export --unarmored-hex gave no key"
sed -i 's/^timeout_commit = .*/timeout_commit = "50ms"/' "$V/config/config.toml"
. "$V/sdkchain.env"
t0=$(date +%s)

start_node "$S050" "$OUT/v050.log"
$LOCALNET wait-height "$V" 2 90 >/dev/null
python3 "$HERE/txload.py" --api "http://127.0.0.1:$API_PORT" --key "$KEY" --from "$LOADER" \
  --chain-id sdkchain-1 --rate "$RATE" >"$OUT/txload.log" 2>&1 &
TXLOAD=$!
PIDS+=($TXLOAD)
h=$($LOCALNET height "$V")
[ "$h" -lt $(( PLAN - 30 )) ] || die "the chain is at $h already, too close to the plan height $PLAN"
$LOCALNET propose "$V" "$S050" v050-to-v053 "$PLAN" >"$OUT/proposal-id"
echo "history: proposal $(cat "$OUT/proposal-id") for v050-to-v053 at $PLAN (chain at $h)"

# The governance upgrade, switched by hand: wait for x/upgrade's file, stop v0.50, start v0.53.
for _ in $(seq 1 $(( PLAN * 2 ))); do [ -s "$V/data/upgrade-info.json" ] && break; sleep 0.5; done
[ -s "$V/data/upgrade-info.json" ] || die "no data/upgrade-info.json by height $PLAN"
wait_line "$OUT/v050.log" "UPGRADE \"v050-to-v053\" NEEDED at height: $PLAN" 30
stop_node
start_node "$S053" "$OUT/v053.log" --halt-height "$PATCH"
wait_line "$OUT/v053.log" "applying upgrade \"v050-to-v053\" at height: $PLAN" 60
echo "history: $(basename "$S053") applied v050-to-v053 at $PLAN"

# The coordinated halt-height switch.
wait_line "$OUT/v053.log" "halt per configuration height $PATCH" $(( PATCH ))
stop_node
start_node "$SPATCH" "$OUT/patch.log"
echo "history: $(basename "$S053") halted at $PATCH; $(basename "$SPATCH") from $PATCH"
$LOCALNET wait-height "$V" "$END" $(( END )) >/dev/null
kill -TERM "$TXLOAD"; wait "$TXLOAD" || true
stop_node
t1=$(date +%s)
TXS=$(sed -n 's/^txload: \([0-9]*\) txs accepted.*/\1/p' "$OUT/txload.log")
LAST=$(grep -o 'committed state .*height=[0-9]*' "$OUT/patch.log" | tail -n 1 | sed 's/.*height=//')
{
  echo "PLAN=$PLAN"; echo "PATCH=$PATCH"; echo "LAST=$LAST"; echo "TXS=${TXS:-0}"
  echo "SECONDS_TAKEN=$((t1 - t0))"; echo "PATCH_BIN=$(basename "$SPATCH")"
} >"$OUT/meta.env"
echo "history: $LAST blocks, ${TXS:-0} bank sends, made in $((t1 - t0)) s"
touch "$OUT/done"
