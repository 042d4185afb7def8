// Fuzz target: reading a node's error lines must never crash, and what it returns is bounded
// and never carries a colour code; explaining them (ExplainEarlyBinary) never crashes either.
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <string>
#include <string_view>

#include "replayer/sync/progress.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto e = replayer::ParseNodeErrorLine(std::string_view(reinterpret_cast<const char*>(data), size));
  if (e && (e->size() > replayer::kMaxNodeErrorLine || e->find('\x1b') != std::string::npos)) {
    std::abort();
  }
  std::deque<std::string> errors{std::string(reinterpret_cast<const char*>(data), size)};
  if (e) errors.push_back(*e);
  (void)replayer::ExplainEarlyBinary(errors, "segments[1] \"x\"");
  return 0;
}
