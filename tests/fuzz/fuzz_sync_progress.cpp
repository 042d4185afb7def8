// Fuzz target: the stored sync progress (read by `replayer status`) must never crash the parser;
// whatever parses formats and serialises again.
#include <cstdint>
#include <string_view>

#include "replayer/sync/progress.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto p = replayer::ParseStoredProgress(std::string_view(reinterpret_cast<const char*>(data), size));
  if (p.ok()) {
    (void)replayer::FormatProgressLine(p->progress);
    (void)replayer::FormatPrometheus(p->progress);
    (void)replayer::ProgressToJson(p->progress, p->unix_ms);
  }
  return 0;
}
