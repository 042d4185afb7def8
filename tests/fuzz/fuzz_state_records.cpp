// Fuzz target: every stored record's parser (state/records.h: the active upgrade transaction,
// journal entries, applied upgrades, registry entries and names, audit facts, counters) must
// never crash; whatever parses formats and parses back equal, and formatting any string (not
// valid UTF-8 included, as a binary's `version` output may be) gives a record that parses.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "state/records.h"

namespace {

template <typename T, typename Parse, typename Format>
void RoundTrip(std::string_view text, Parse parse, Format format) {
  auto parsed = parse(text);
  if (!parsed.ok()) return;
  auto again = parse(format(*parsed));
  if (!again.ok() || !(*again == *parsed)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  RoundTrip<state::UpgradeTxn>(text, state::ParseUpgradeTxn, state::FormatUpgradeTxn);
  RoundTrip<state::JournalEntry>(text, state::ParseJournalEntry, state::FormatJournalEntry);
  RoundTrip<state::AppliedUpgrade>(text, state::ParseAppliedUpgrade, state::FormatAppliedUpgrade);
  RoundTrip<state::RegistryEntry>(text, state::ParseRegistryEntry, state::FormatRegistryEntry);
  RoundTrip<state::NameTargets>(text, state::ParseNameTargets, state::FormatNameTargets);
  RoundTrip<state::AuditFacts>(text, state::ParseAuditFacts, state::FormatAuditFacts);
  if (auto n = state::ParseCounter(text); n.ok() && *n != std::stoull(std::string(text))) std::abort();

  const std::string any(text.substr(0, 256));
  state::RegistryEntry e;
  e.version_output = any;
  e.sources = {any};
  if (!state::ParseRegistryEntry(state::FormatRegistryEntry(e)).ok()) std::abort();
  state::UpgradeTxn t;
  t.info = any;
  if (!state::ParseUpgradeTxn(state::FormatUpgradeTxn(t)).ok()) std::abort();
  state::JournalEntry j;
  j.detail = any;
  if (!state::ParseJournalEntry(state::FormatJournalEntry(j)).ok()) std::abort();
  state::AuditFacts f;
  f.version = state::AuditVerdict{true, any};
  f.formats[any] = state::AuditVerdict{false, any};
  if (!state::ParseAuditFacts(state::FormatAuditFacts(f)).ok()) std::abort();
  return 0;
}
