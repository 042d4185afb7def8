// Fuzz target: the snapshot marker reader (which decides what `replayer` treats as its own
// backup, and so what pruning may delete) must never crash; a marker that parses formats and
// parses back equal, and a marker written for any source path parses.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "replayer/upgrade/snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto info = replayer::ParseSnapshotMarker(text, "/backups/data-backup-v2-100");
  if (info.ok()) {
    if (info->path != "/backups/data-backup-v2-100") std::abort();
    auto again = replayer::ParseSnapshotMarker(
        replayer::FormatSnapshotMarker(info->created_ms, info->source, info->stats, info->owner),
        info->path);
    if (!again.ok() || again->created_ms != info->created_ms || again->source != info->source ||
        !(again->stats == info->stats) || again->owner != info->owner) {
      std::abort();
    }
  }
  replayer::SnapshotStats stats;
  stats.files = size;
  if (!replayer::ParseSnapshotMarker(replayer::FormatSnapshotMarker(-1, std::string(text), stats), "d").ok()) {
    std::abort();
  }
  return 0;
}
