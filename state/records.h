// state::records: the text of every value the stores keep (JSON objects, decimal counters),
// formatted and parsed without a database.
//
// JournalStore, RegistryIndex and AuditCache write and read their values only through these
// functions, so every stored record's parser is a pure function that the tests and the fuzz
// targets (tests/fuzz/fuzz_state_records.cpp) call on strings. Parsing refuses what the writer
// never writes: integers out of the field's range or written as floats (base::JsonInt), unknown
// step numbers, signature statuses other than 0 and 1. Formatting never throws: strings that are
// not valid UTF-8 (a binary's `version` output, a node's message) are stored with U+FFFD in place
// of the invalid bytes. Errors are kCorruption without a key; the stores add which record it was.
// Nothing here touches LevelDB.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "state/audit_cache.h"
#include "state/journal.h"
#include "state/registry_index.h"

namespace state {

std::string FormatUpgradeTxn(const UpgradeTxn& txn);
base::Result<UpgradeTxn> ParseUpgradeTxn(std::string_view text);

// The journal entry's sequence number is its key, not part of the text: Parse leaves seq 0.
std::string FormatJournalEntry(const JournalEntry& entry);
base::Result<JournalEntry> ParseJournalEntry(std::string_view text);

std::string FormatAppliedUpgrade(const AppliedUpgrade& applied);
base::Result<AppliedUpgrade> ParseAppliedUpgrade(std::string_view text);

std::string FormatRegistryEntry(const RegistryEntry& entry);
base::Result<RegistryEntry> ParseRegistryEntry(std::string_view text);

std::string FormatNameTargets(const NameTargets& targets);
base::Result<NameTargets> ParseNameTargets(std::string_view text);

std::string FormatAuditFacts(const AuditFacts& facts);
base::Result<AuditFacts> ParseAuditFacts(std::string_view text);

// A counter ("counter/txn" ...): decimal digits of a uint64_t, nothing else.
base::Result<uint64_t> ParseCounter(std::string_view text);

}  // namespace state
