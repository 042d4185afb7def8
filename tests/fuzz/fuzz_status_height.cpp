// Fuzz target: parsing a node's `status` output must never crash.
#include <cstdint>
#include <string_view>

#include "replayer/supervisor/height_gate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)replayer::ParseStatusHeight(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
