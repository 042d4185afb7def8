// plans: importing a Schedule from cosmos/chain-registry (pure parsing, no I/O).
//
// The registry records upgrade history per chain, in two layouts: the newer `<chain>/versions.json`
// ({"chain_name", "versions": [...]}, since chain-registry PR #5630, Nov 2024) and the older
// `codebase.versions` array inside `<chain>/chain.json` (which also carries chain_id and
// daemon_name); the current chain.json has no version list but still gives chain facts. Entries
// are often incomplete (no height, no binaries, no checksum, no SDK version, a version without
// its leading "v"), so the importer never guesses: whatever it cannot map exactly stays unknown
// in the schedule (with its source) or is left empty, and said in a note. The caller reads the
// file; this code only sees its text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "upgrade-plans/checksum.h"
#include "upgrade-plans/schedule.h"

namespace plans {

// An entry that was skipped or imported incompletely, or a fact the user must check.
struct ImportNote {
  std::string where;  // "versions[3] \"v10\"", "chain_id", "proposals[4]", ...
  std::string message;
  bool operator==(const ImportNote&) const = default;
};

// A plan whose info is a URL to a plan-info document: the caller fetches it and calls
// AttachInfoDocument (gov_rest.h) to fill in the segment's binaries.
struct InfoDocument {
  std::string segment_name;
  std::string url;  // checksum query removed
  std::optional<Checksum> checksum;
  bool operator==(const InfoDocument&) const = default;
};

// Chain facts of the current chain.json layout (`codebase` without a version list): what the
// chain runs now, which ApplyChainFacts puts on the matching segment of a schedule.
struct ChainFacts {
  std::string source;               // "chain-registry chain.json (<file>)"
  std::string genesis_name;         // codebase.genesis.name ("" = not stated)
  std::string recommended_version;  // codebase.recommended_version (else codebase.tag)
  std::string sdk_version;          // codebase.sdk.version (else .tag)
  BinaryMap binaries;               // codebase.binaries
  bool operator==(const ChainFacts&) const = default;
};

struct ImportResult {
  Schedule schedule;
  std::vector<ImportNote> notes;
  std::vector<InfoDocument> info_documents;  // only from gov imports
  std::string chain_name;                    // chain-registry chain_name ("" when not given)
  std::optional<ChainFacts> facts;           // only from a current-layout chain.json
};

struct RegistryImportOptions {
  std::string file;          // named in every source ("chain-registry versions.json (<file>)")
  std::string genesis_name;  // codebase.genesis.name from a chain.json imported beside it
};

// Imports versions.json, the older chain.json (codebase.versions) or the current chain.json
// (codebase without versions: chain facts only, no segments). Nothing is guessed or re-ordered:
//  - entries keep the file's order (out-of-order heights are for `plans check` to report);
//  - the genesis segment is the entry named by codebase.genesis.name (options.genesis_name or
//    the file's own), else the first entry when it is named "genesis" or has height 0 or 1; its
//    first_height is the entry's height when above 0, else kUnknownHeight (height 0 says "the
//    genesis release", not the chain's initial height). Without such an entry a genesis segment
//    with unknown height and binary is put first, its sources saying why;
//  - an entry with a proposal is a gov-plan segment, else halt-height with sources["kind"] =
//    "assumed: ...";
//  - an entry without a usable height is kept with first_height kUnknownHeight, so the schedule
//    shows the hole;
//  - halt_semantics from the entry's sdk.version (HaltSemanticsFromSdkVersion), kUnknown when
//    absent, with sources["halt_semantics"];
//  - next_version_name / previous_version_name are kept as next_name / previous_name;
//  - version = recommended_version, else tag, as written; binaries only from the entry itself.
// kInvalidArgument only when the text is not JSON or has none of the layouts.
base::Result<ImportResult> ImportChainRegistry(std::string_view text,
                                               const RegistryImportOptions& options = {});

// Puts a chain.json's facts on `schedule`: chain_id / daemon_name where empty (a different value
// is returned as a note: the caller compares chain ids before merging); on the segment whose
// version is the recommended version, halt_semantics from the sdk version when unknown, and
// binaries when it has none (never mixed with another source's binaries). Returns notes.
std::vector<ImportNote> ApplyChainFacts(Schedule& schedule, const ChainFacts& facts,
                                        const std::string& chain_id,
                                        const std::string& daemon_name);

}  // namespace plans
