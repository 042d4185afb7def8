// bench_snapshot <data_dir> <dest>: takes one snapshot with replayer::TakeSnapshot and prints
// its wall time and how each file was captured, as one `key=value` line for run.sh.
#include <chrono>
#include <cstdio>
#include <string>

#include "replayer/upgrade/snapshot.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <data_dir> <dest>\n", argv[0]);
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  auto stats = replayer::TakeSnapshot(argv[1], argv[2]);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!stats.ok()) {
    std::fprintf(stderr, "snapshot failed: %s\n", stats.status().ToString().c_str());
    return 1;
  }
  auto reflink = replayer::ReflinkSupported(argv[1]);
  std::printf(
      "seconds=%.6f files=%llu reflinked=%llu hardlinked=%llu copied=%llu dirs=%llu "
      "bytes=%llu bytes_copied=%llu reflink_supported=%s\n",
      wall, static_cast<unsigned long long>(stats->files),
      static_cast<unsigned long long>(stats->reflinked),
      static_cast<unsigned long long>(stats->hardlinked),
      static_cast<unsigned long long>(stats->copied), static_cast<unsigned long long>(stats->dirs),
      static_cast<unsigned long long>(stats->bytes),
      static_cast<unsigned long long>(stats->bytes_copied),
      reflink.ok() ? (*reflink ? "yes" : "no") : "unknown");
  return 0;
}
