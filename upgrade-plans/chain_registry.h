// plans: importing a Schedule from cosmos/chain-registry (pure parsing, no I/O).
//
// The registry records upgrade history per chain, in two layouts: the newer `<chain>/versions.json`
// ({"chain_name", "versions": [...]}, since chain-registry PR #5630, Nov 2024) and the older
// `codebase.versions` array inside `<chain>/chain.json` (which also carries chain_id and
// daemon_name). Entries are often incomplete (no height, no binaries, no checksum, a version
// without its leading "v"), so the importer never guesses: whatever it cannot map exactly is
// left out or left empty, and said in a note. The caller reads the file; this code only sees
// its text.
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

struct ImportResult {
  Schedule schedule;
  std::vector<ImportNote> notes;
  std::vector<InfoDocument> info_documents;  // only from gov imports
};

// Imports versions.json or chain.json (the layout is recognised by its keys):
//  - the genesis segment is the entry named by codebase.genesis.name, else the first entry
//    when it has no height, a height of 0 or 1, or is named "genesis"; its first_height is the
//    entry's height when above 1 (cosmoshub-4 starts at 5,200,791), else 1;
//  - entries with a `proposal` become gov-plan segments;
//  - entries with a height but no proposal become halt-height segments, with a note and
//    sources["kind"] = "assumed: ..." (a merge with a gov import may correct it);
//  - entries without a usable height are left out with a note ("cannot be scheduled: no
//    height");
//  - version = recommended_version, else tag; a version without a leading "v" is kept as is,
//    with a note; binaries without checksum or with a malformed URL get a note.
// kInvalidArgument only when the text is not JSON or has neither layout.
base::Result<ImportResult> ImportChainRegistry(std::string_view text);

}  // namespace plans
