#!/usr/bin/env bash
# demochain sync benchmark: builds a 50,000-block history (20 transfers per block, three
# switches) with demochain/make-history, serves it from an archive node on loopback, and syncs
# a fresh node from genesis by switching binaries by hand at each switch point. Reports blocks/s
# per segment and overall (wall time of the four node runs, process start-up included) and the
# max RSS of each syncing node (getrusage, logged by demochaind as max_rss_kb when it stops).
# Not part of the test run.
#
# usage: bench/demochain/run.sh [--build-dir DIR] [--blocks N] [--out DIR] [--keep]
# (--keep leaves the history and the synced home in --out; default: removed at the end)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="$ROOT/build/h-demochain"
BLOCKS=50000
OUT="$ROOT/bench/out/demochain"
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) BUILD="$2"; shift 2 ;;
    --blocks) BLOCKS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: $0 [--build-dir DIR] [--blocks N] [--out DIR] [--keep]" >&2; exit 64 ;;
  esac
done
BIN="$BUILD/demochain/bin"
[ -x "$BIN/demochaind-v3.0.0" ] || { echo "build first: ninja -C $BUILD demochain" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"
t0=$(date +%s.%N)
"$ROOT/demochain/make-history" --bin-dir "$BIN" --out "$OUT/history" --blocks "$BLOCKS" >/dev/null
t1=$(date +%s.%N)
echo "history: $BLOCKS blocks produced in $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s"

summary="$OUT/history/summary.json"
h() { python3 -c "import json,sys; s=json.load(open('$summary')); print(s['switches'][$1]['height'])"; }
H2=$(h 0) FIX=$(h 1) H3=$(h 2)

"$BIN/demochaind-v3.0.0" start --home "$OUT/history/home" --rpc-listen 127.0.0.1:0 \
  --rpc-port-file "$OUT/peer.port" 2>"$OUT/peer.log" &
PEER=$!
cleanup() {
  kill "$PEER" 2>/dev/null || true
  wait "$PEER" 2>/dev/null || true
  if [ "$KEEP" -eq 0 ]; then rm -rf "$OUT/history" "$OUT/fresh"; fi
}
trap cleanup EXIT
for _ in $(seq 1 200); do [ -s "$OUT/peer.port" ] && break; sleep 0.05; done
PEER_URL="http://127.0.0.1:$(cat "$OUT/peer.port")"

HOME_DIR="$OUT/fresh"
mkdir -p "$HOME_DIR/config"
cp "$OUT/history/home/config/genesis.json" "$HOME_DIR/config/"

total_s=0
max_rss=0
# segment VERSION EXPECTED_EXIT BLOCKS_IN_SEGMENT [flags...]
segment() {
  local v="$1" want="$2" n="$3"
  shift 3
  local rc=0 t_start t_end secs rss
  t_start=$(date +%s.%N)
  "$BIN/demochaind-$v" start --home "$HOME_DIR" --peer "$PEER_URL" --rpc-listen "" "$@" \
    2>"$OUT/sync.$v.log" || rc=$?
  t_end=$(date +%s.%N)
  [ "$rc" -eq "$want" ] || { echo "$v exited $rc, expected $want (see $OUT/sync.$v.log)" >&2; exit 1; }
  secs=$(awk "BEGIN{print $t_end - $t_start}")
  rss=$(grep -o 'max_rss_kb=[0-9]*' "$OUT/sync.$v.log" | tail -1 | cut -d= -f2)
  printf "  %-7s %6d blocks  %6.2f s  %7.0f blocks/s  max RSS %4d MB\n" "$v" "$n" "$secs" \
    "$(awk "BEGIN{print $n / $secs}")" $((rss / 1024))
  total_s=$(awk "BEGIN{print $total_s + $secs}")
  [ "$rss" -gt "$max_rss" ] && max_rss=$rss
  return 0
}
echo "sync from loopback peer ($PEER_URL):"
segment v1.0.0 2 $((H2 - 1)) --exit-on-upgrade-needed
segment v2.0.0 0 $((FIX - H2)) --halt-height $((FIX - 1))
segment v2.1.0 2 $((H3 - FIX)) --exit-on-upgrade-needed
segment v3.0.0 0 $((BLOCKS - H3 + 1)) --halt-height "$BLOCKS"

final=$("$BIN/demochaind-v3.0.0" status --home "$HOME_DIR" | python3 -c \
  "import json,sys; print(json.load(sys.stdin)['sync_info']['latest_app_hash'])")
want=$(python3 -c "import json; print(json.load(open('$summary'))['final_app_hash'])")
[ "$final" = "$want" ] || { echo "final app hash $final != history $want" >&2; exit 1; }
rate=$(awk "BEGIN{print $BLOCKS / $total_s}")
printf "total: %d blocks in %.2f s = %.0f blocks/s; max RSS %d MB; final app hash matches\n" \
  "$BLOCKS" "$total_s" "$rate" $((max_rss / 1024))
printf '{"blocks":%d,"seconds":%.3f,"blocks_per_second":%.0f,"max_rss_mb":%d}\n' \
  "$BLOCKS" "$total_s" "$rate" $((max_rss / 1024)) >"$OUT/result.json"
