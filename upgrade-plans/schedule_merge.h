// plans: merging two schedules of one chain (e.g. a chain-registry import and a REST import)
// without ever resolving a disagreement silently. Pure data in, data out; no I/O.
//
// Segments are matched by name as Cosmovisor folders match (case-insensitive), and the two
// genesis segments always match each other. A field that one side lacks (empty version, no
// binary for a platform, no checksum on the same URL, no args) or only assumes (its source
// starts with "assumed", like an importer's inferred kind or placeholder height) is filled
// from the other side, with the other side's source (halt_semantics "unknown" counts as
// lacking). Any other difference is a Conflict, and then the left side's whole segment stays as
// it was: nothing of the right side is filled into a segment the two sources disagree on, so a
// version is never paired with another source's binary. The left side is the higher priority
// (the CLI merges sources in the operator's order). Chain ids are compared by the caller before
// merging (different chains are not a conflict to keep but an error).
#pragma once

#include <string>
#include <vector>

#include "upgrade-plans/schedule.h"

namespace plans {

struct Conflict {
  std::string name;   // segment name (left side's spelling); "" for schedule-level fields
  std::string field;  // "first_height", "kind", "name", "version", "binaries.linux/amd64",
                      // "binaries.linux/amd64.checksum", "signatures.<platform>", "args",
                      // "chain_id", "daemon_name"
  std::string left;
  std::string right;
  bool operator==(const Conflict&) const = default;
};

struct MergeResult {
  Schedule schedule;
  std::vector<Conflict> conflicts;
};

// Merges b into a. Segments only in b are inserted in height order (a b genesis segment goes
// first when a has none). The result keeps a's format_version.
MergeResult MergeSchedules(const Schedule& a, const Schedule& b);

// "first_height 15816200 (chain-registry versions.json) vs 15816201 (rest applied_plan)" style,
// one line per conflict, for the CLI.
std::string FormatConflicts(const std::vector<Conflict>& conflicts);

}  // namespace plans
