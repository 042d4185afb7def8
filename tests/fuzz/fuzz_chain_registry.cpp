// Fuzz target: the chain-registry importer must never crash, and what it imports must be a
// schedule that formats and parses back unchanged (an import is always a valid file).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "upgrade-plans/chain_registry.h"
#include "upgrade-plans/schedule_lint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto imported = plans::ImportChainRegistry(text);
  if (!imported.ok()) return 0;
  const plans::Schedule& s = imported->schedule;
  auto again = plans::ParseSchedule(plans::FormatSchedule(s));
  if (!again.ok() || *again != s) std::abort();
  (void)plans::CheckSchedule(s, "linux/amd64", false);
  return 0;
}
