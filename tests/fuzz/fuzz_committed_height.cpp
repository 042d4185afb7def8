// Fuzz target: recognising committed-block lines in a node's log must never crash, and any
// height it returns is positive.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "upgrade-plans/node_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto h = plans::ParseCommittedHeight(std::string_view(reinterpret_cast<const char*>(data), size));
  if (h && *h <= 0) std::abort();
  return 0;
}
