// Fuzz target: the plan-info parser must never crash, and whatever inline form parses must
// survive a format/parse round trip; selection must either pick a binary or say why not.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "upgrade-plans/plan_info.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = plans::ParsePlanInfo("fuzz", text);
  if (parsed.ok() && parsed->kind == plans::PlanInfo::Kind::kInline) {
    auto again = plans::ParsePlanInfo("fuzz", plans::FormatPlanInfo(parsed->binaries));
    if (!again.ok() || again->binaries != parsed->binaries) std::abort();
    (void)plans::SelectBinary("fuzz", parsed->binaries, plans::HostPlatform());
  }
  (void)plans::ParsePlanInfoDocument("fuzz", text, "fuzz.json");
  return 0;
}
