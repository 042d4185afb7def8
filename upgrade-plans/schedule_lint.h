// plans: judging a Schedule before anything runs (`replayer plans check`) and describing it to a
// person (`replayer plans explain`). Pure functions of the schedule, the platform and the base
// start arguments; they never fetch a URL or look at the disk: whether a URL answers and a
// checksum matches is the audit's job (replayer/, through binary-registry).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade-plans/schedule.h"

namespace plans {

struct Finding {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  std::string where;    // "schedule", "segments[3]", "segments[3].binaries.linux/amd64", ...
  std::string message;  // names the segment ("v10") and says what to fix
  std::string segment;  // the segment's name ("" for schedule-level findings)
  std::string source;   // where the faulty value came from (the segment's sources), "" unknown
};

std::string_view SeverityName(Finding::Severity severity);  // "error", "warning"
bool HasErrors(const std::vector<Finding>& findings);

// Errors: no segments; segments[0] not genesis or a later genesis; first_height not above 0 or
// not strictly increasing (duplicates included); a halt-height segment at first_height <= 1
// (there is no block 0 to halt at); an empty name on a gov-plan or halt-height segment; names
// that collide as Cosmovisor folders (case-insensitive); no binary for `platform` and no "any";
// a binary or signature URL that is not http(s)/file or holds spaces; a missing checksum on the
// platform's binary when `must_have_checksum`; an empty add/remove argument.
// Warnings: empty chain_id or daemon_name; empty version; a missing checksum on the platform's
// binary (without must_have_checksum); md5/sha1 checksums; a major version that jumps by more
// than one or goes backwards between segments (an upgrade may be missing from the schedule);
// "--halt-height" in args.add (Replayer computes it); an argument both added and removed.
// What a source left unknown or stated inconsistently (format 2 schedules, mostly imports):
// Errors: a non-genesis segment with an unknown first height (it cannot be placed); a segment
// followed by a halt-height switch whose halt_semantics is unknown (the --halt-height value
// cannot be chosen: one error per switch). Warnings: a genesis segment with an unknown first
// height (the node's genesis.json decides); a kind the importer assumed; next_name naming the
// segment itself, skipping the next segment, naming no segment, or empty before the last
// segment; previous_name disagreeing with the segment before; a binary URL whose release folder
// names another version than the segment's; a version whose major differs from a version-like
// segment name (Juno "v19" recommending v20.0.0); version and binaries from different sources.
// Only the binary that `platform` selects is checked for checksums; other platforms' URLs are
// checked for syntax only.
std::vector<Finding> CheckSchedule(const Schedule& schedule, std::string_view platform,
                                   bool must_have_checksum);

// Renders findings one per line: "error   segments[2].first_height: ... [source: ...]".
std::string FormatFindings(const std::vector<Finding>& findings);
// The short machine form: {"ok": bool, "errors": n, "warnings": n, "findings": [{"severity",
// "where", "segment", "source", "message"}]} on one line. ok = no errors.
std::string FormatFindingsJson(const std::vector<Finding>& findings);

// A human table: per segment its heights from-to, kind, name, version, checksum (short), then the
// binary URL for `platform` and the start arguments on indented lines; unknown heights show as
// "?", and a hole (unknown height, binary or halt behaviour) is said on its own line. With
// `height` (>= 0): only the segment that executes it, numbered as in the table (segments[i],
// from 0), and why (which switch starts it, how it ends, the flags that make it stop there);
// when a segment with an unknown first height follows, the answer is marked uncertain.
std::string ExplainSchedule(const Schedule& schedule, std::string_view platform,
                            const std::vector<std::string>& base_args,
                            std::optional<int64_t> height);

}  // namespace plans
