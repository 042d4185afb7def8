#!/usr/bin/env bash
# bench/snapshot/run.sh [SIZE_GB]: times Replayer's data snapshot (replayer::TakeSnapshot via
# bench_snapshot) against `cp -a` of the same folder, in the same run, and cleans up.
#
# The folder looks like a node's data/: three LevelDB-style databases (application.db 70 %,
# blockstore.db 20 %, state.db 10 %) of 2 MB `.ldb` tables, each with CURRENT, LOCK, LOG,
# a MANIFEST and a 4 MB `.log`, plus cs.wal/ and priv_validator_state.json.
#
# Environment:
#   FILL=urandom    (default) table contents really written (from a random pool), so `cp -a`
#                   copies real blocks; FILL=fallocate is much faster to prepare, fine for link
#                   timing, but lets cp skip unwritten extents (flatters cp).
#   REPS=3          snapshots taken (median reported); `cp -a` runs once.
#   DROP_CACHES=1   drop the page cache before each timed step (root only; affects the whole
#                   machine). Default off: cp then reads from a warm cache, its best case.
#   BENCH_SNAPSHOT  path to bench_snapshot (else built in build/bench-snapshot).
#   BENCH_TMP       parent for the work folder (default /tmp).
set -euo pipefail

SIZE_GB=${1:-5}
FILL=${FILL:-urandom}
REPS=${REPS:-3}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [[ -z "${BENCH_SNAPSHOT:-}" ]]; then
  BUILD=$REPO/build/bench-snapshot
  cmake -S "$REPO" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DREPLAYER_DEMOCHAIN=OFF \
    -DREPLAYER_TESTS=OFF >/dev/null
  ninja -C "$BUILD" bench_snapshot >/dev/null
  BENCH_SNAPSHOT=$BUILD/bench/snapshot/bench_snapshot
fi

TOTAL_MB=$(awk -v g="$SIZE_GB" 'BEGIN { printf "%d", g * 1024 }')
WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/replayer-bench-snapshot-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Needs the data, the cp copy, and a little for the snapshots' copied files.
AVAIL_MB=$(df -Pm "$WORK" | awk 'NR == 2 { print $4 }')
if (( AVAIL_MB < 2 * TOTAL_MB + 1024 )); then
  echo "not enough space in $WORK: ${AVAIL_MB} MB free, need $((2 * TOTAL_MB + 1024)) MB" >&2
  exit 1
fi

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
drop_caches() {
  sync
  if [[ "${DROP_CACHES:-0}" == 1 ]]; then echo 3 >/proc/sys/vm/drop_caches; fi
}

# ---- build the data folder ----
DATA=$WORK/data
mkdir -p "$DATA/cs.wal"
POOL=$WORK/pool
if [[ "$FILL" == urandom ]]; then
  head -c $((64 << 20)) /dev/urandom >"$POOL"
fi
make_db() {  # <name> <megabytes>
  local db=$DATA/$1 mb=$2 n i
  mkdir -p "$db"
  n=$(( (mb - 4) / 2 ))
  (( n < 1 )) && n=1
  for ((i = 1; i <= n; i++)); do
    local f
    f=$(printf '%s/%06d.ldb' "$db" $((i + 4)))
    if [[ "$FILL" == urandom ]]; then
      dd if="$POOL" of="$f" bs=2M count=1 skip=$((i % 32)) status=none
    else
      fallocate -l 2M "$f"
    fi
  done
  echo "MANIFEST-000004" >"$db/CURRENT"
  : >"$db/LOCK"
  head -c $((64 << 10)) /dev/urandom >"$db/MANIFEST-000004"
  head -c $((1 << 20)) /dev/urandom >"$db/LOG"
  head -c $((4 << 20)) /dev/urandom >"$db/$(printf '%06d' $((n + 5))).log"
}
t0=$(now)
make_db application.db $((TOTAL_MB * 70 / 100))
make_db blockstore.db $((TOTAL_MB * 20 / 100))
make_db state.db $((TOTAL_MB * 10 / 100))
head -c $((8 << 20)) /dev/urandom >"$DATA/cs.wal/wal"
echo '{"height":"100","round":0,"step":3}' >"$DATA/priv_validator_state.json"
rm -f "$POOL"
sync
t1=$(now)
FILES=$(find "$DATA" -type f | wc -l)
BYTES=$(du -sb "$DATA" | cut -f1)
echo "data: $(awk -v b="$BYTES" 'BEGIN { printf "%.2f", b / 2^30 }') GiB in $FILES files" \
  "(FILL=$FILL, prepared in $(elapsed "$t0" "$t1") s) on $(findmnt -n -o FSTYPE -T "$WORK" 2>/dev/null || stat -f -c %T "$WORK")"

# ---- replayer snapshot ----
SNAP_TIMES=()
for ((r = 1; r <= REPS; r++)); do
  drop_caches
  a=$(now)
  line=$("$BENCH_SNAPSHOT" "$DATA" "$WORK/data-backup-bench-$r")
  b=$(now)
  SNAP_TIMES+=("$(elapsed "$a" "$b")")
  echo "replayer snapshot #$r: $(elapsed "$a" "$b") s wall (process included); $line"
done
SNAP=$(printf '%s\n' "${SNAP_TIMES[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
for ((r = 1; r <= REPS; r++)); do rm -rf "$WORK/data-backup-bench-$r"; done

# ---- cp -a of the same folder ----
drop_caches
a=$(now)
cp -a "$DATA" "$WORK/data-copy"
b=$(now)
sync
c=$(now)
CP=$(elapsed "$a" "$b")
CPSYNC=$(elapsed "$a" "$c")
echo "cp -a: $CP s (+ sync of the copy: $CPSYNC s total)"

ratio() { awk -v x="$1" -v y="$2" 'BEGIN { if (y > 0) printf "%.0f", x / y; else print "inf" }'; }
echo "RESULT size_gb=$SIZE_GB snapshot_s=$SNAP cp_a_s=$CP cp_a_sync_s=$CPSYNC" \
  "ratio_cp=$(ratio "$CP" "$SNAP")x ratio_cp_sync=$(ratio "$CPSYNC" "$SNAP")x"
