// Fuzz target: checksum and URL-query parsing must never crash; a parsed checksum must format
// and parse back to itself, and a split URL must no longer carry a checksum.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "upgrade-plans/checksum.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = plans::ParseChecksum(text);
  if (c.ok()) {
    auto again = plans::ParseChecksum(plans::FormatChecksum(*c));
    if (!again.ok() || !(*again == *c)) std::abort();
  }
  auto u = plans::SplitChecksumFromUrl(text);
  if (u.ok() && u->checksum) {
    auto twice = plans::SplitChecksumFromUrl(u->url);
    if (!twice.ok() || twice->checksum) std::abort();
  }
  (void)plans::UrlScheme(text);
  return 0;
}
