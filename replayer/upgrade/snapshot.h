// replayer snapshots: a backup of $DAEMON_HOME/data before each switch that costs (almost)
// nothing, and the pruning that keeps only the newest N of them.
//
// Per regular file the cheapest method that keeps the snapshot independent of later writes:
//   1. reflink (ioctl FICLONE) where the file system shares blocks copy-on-write (btrfs, XFS
//      with reflink=1, bcachefs, ...): a new inode, so any later write is invisible;
//   2. else a hard link, only for table files that LevelDB, Pebble and RocksDB write once,
//      fsync, and then only read or delete (`*.ldb`, `*.sst`): deleting or compacting them in
//      the live database leaves the snapshot's name pointing at the old inode. This relies on
//      that write-once contract: a tool that rewrote a table file in place would change both;
//   3. else a plain copy (copy_file_range / sendfile), for MANIFEST, logs, WAL, JSON, ...
// The node must be stopped while a snapshot is taken. Everything here is crash-safe: a
// snapshot is built in `<dest>.partial` (fsynced) and renamed to `dest` only when complete, and
// a snapshot is recognised by its marker file, written last before the rename. Functions never
// touch a directory without our marker, except `<dest>.partial` for the `dest` asked for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace replayer {

struct SnapshotStats {
  uint64_t files = 0;  // regular files = reflinked + hardlinked + copied
  uint64_t reflinked = 0;
  uint64_t hardlinked = 0;
  uint64_t copied = 0;
  uint64_t dirs = 0;  // directories below the snapshot root
  uint64_t symlinks = 0;
  uint64_t skipped = 0;       // sockets, FIFOs, devices: not part of a database; left out
  uint64_t bytes = 0;         // sum of regular file sizes
  uint64_t bytes_copied = 0;  // of which really copied (method 3)
  double seconds = 0;         // wall time of building the snapshot
  bool operator==(const SnapshotStats&) const = default;
};

// Whom a snapshot was taken for. A complete snapshot is reused (after a crash between its
// rename and the journal record) only by the transaction that made it: another home sharing the
// backup folder, or an earlier attempt at the same upgrade, has other data.
struct SnapshotOwner {
  std::string home;
  std::string upgrade;
  int64_t height = 0;
  uint64_t txn_id = 0;
  int64_t txn_started_ms = 0;
  bool operator==(const SnapshotOwner&) const = default;
  // "home /h, upgrade "v2" at height 5, transaction 1 begun at 2026-...Z"
  std::string Describe() const;
};

// The marker file at the root of each of our snapshots.
inline constexpr std::string_view kSnapshotMarker = ".replayer-snapshot";

// Snapshots `data_dir` into `dest` (which must not exist): builds `<dest>.partial` then renames
// it to `dest` (a stale `<dest>.partial` from a crash is removed first). Keeps modes, mtimes,
// symlinks (as symlinks) and empty dirs; creates missing parents of `dest`. Writes the marker
// `<dest>/.replayer-snapshot` (JSON: created time ms, source, stats, owner). If `dest` already
// exists and has the marker with the same owner (or neither names one), returns OK with the
// recorded stats (idempotent after a crash between the rename and the journal record); another
// owner's snapshot, or no marker: AlreadyExists naming both. `dest` inside `data_dir`:
// InvalidArgument. `data_dir` missing: NotFound.
base::Result<SnapshotStats> TakeSnapshot(const std::string& data_dir, const std::string& dest,
                                         const std::optional<SnapshotOwner>& owner = {});

struct SnapshotInfo {
  std::string path;  // absolute or as given: backup_dir + "/" + name
  std::string name;
  int64_t created_ms = 0;
  std::string source;
  SnapshotStats stats;
  std::optional<SnapshotOwner> owner;  // absent in snapshots taken before owners were recorded
};

// The marker of the complete snapshot in `dir`; NotFound or Corruption naming the file otherwise.
base::Result<SnapshotInfo> ReadSnapshotMarker(const std::string& dir);

// Our complete snapshots directly inside backup_dir (dirs with a readable marker, excluding
// `*.partial` and `*.pruning`), oldest first (created time, then name). A missing backup_dir
// is an empty list.
base::Result<std::vector<SnapshotInfo>> ListSnapshots(const std::string& backup_dir);

// Deletes the oldest of our snapshots so that at most `keep` remain; never touches other dirs.
// keep=0 means keep none; keep<0 is InvalidArgument. A snapshot is first renamed to
// `<name>.pruning` (so nothing can mistake a half-deleted one for a backup) and its marker is
// deleted last, so a crash mid-way is finished by the next call.
base::Status PruneSnapshots(const std::string& backup_dir, int keep);

// The marker's text (JSON: format, created time ms, source, stats, owner) and its parser, which
// leaves `dir` in info.path (info.name is the caller's). Errors are kCorruption without the
// path. Pure.
std::string FormatSnapshotMarker(int64_t created_ms, const std::string& source,
                                 const SnapshotStats& stats,
                                 const std::optional<SnapshotOwner>& owner = {});
base::Result<SnapshotInfo> ParseSnapshotMarker(std::string_view text, const std::string& dir);

// The snapshot folder name for an upgrade: "data-backup-<dir_name>-<height>".
std::string SnapshotName(std::string_view upgrade_dir, int64_t height);

// Whether `dir`'s file system can reflink (probes with two small temporary files in `dir`).
base::Result<bool> ReflinkSupported(const std::string& dir);

}  // namespace replayer
