// Fuzz target: the supervisor's record of the node it started, and the /proc/<pid>/stat text it
// checks that record against, must never crash the parsers (a crash there would stop Replayer
// from starting at all); a record that parses formats and parses back equal, with pid > 0.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "replayer/supervisor/node_pid.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto record = replayer::ParseNodePidRecord(text);
  if (record) {
    if (record->pid <= 0) std::abort();
    auto again = replayer::ParseNodePidRecord(replayer::FormatNodePidRecord(*record));
    if (!again || *again != *record) std::abort();
  }
  (void)replayer::ParseProcStatStartTime(text);
  (void)replayer::ProcStatIsZombie(text);
  return 0;
}
