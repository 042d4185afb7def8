// Fuzz target: the chain-registry importer must never crash, and what it imports must be a
// schedule that formats and parses back unchanged (an import is always a valid file), also
// after a current chain.json's facts are applied. The SDK-version readers (sdk.version, a
// binary's `version --long` output) take the same bytes and must never crash either.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "upgrade-plans/chain_registry.h"
#include "upgrade-plans/schedule_lint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)plans::HaltSemanticsFromSdkVersion(text);
  (void)plans::HaltSemanticsFromSdkVersion(plans::SdkVersionFromVersionOutput(text));
  auto imported = plans::ImportChainRegistry(text, {"fuzz.json", "v1"});
  if (!imported.ok()) return 0;
  plans::Schedule s = imported->schedule;
  auto again = plans::ParseSchedule(plans::FormatSchedule(s));
  if (!again.ok() || *again != s) std::abort();
  if (imported->facts) {
    (void)plans::ApplyChainFacts(s, *imported->facts, "x-1", "xd");
    auto after = plans::ParseSchedule(plans::FormatSchedule(s));
    if (!after.ok() || *after != s) std::abort();
  }
  (void)plans::FormatFindingsJson(plans::CheckSchedule(s, "linux/amd64", false));
  (void)plans::ExplainSchedule(s, "linux/amd64", {"start"}, std::nullopt);
  return 0;
}
