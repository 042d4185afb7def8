// Fuzz target: CometBFT's BlockStoreState and State records (state/cometbft_store.h) must never
// crash the parsers; what they accept is never negative and a block store's height is never
// below its base.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "state/cometbft_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto s = state::ParseBlockStoreState(in); s.ok()) {
    if (s->base < 0 || s->height < s->base) std::abort();
  }
  if (auto h = state::ParseStateLastBlockHeight(in); h.ok() && *h < 0) std::abort();
  return 0;
}
