// plans: the vocabulary of upgrades (pure data and parsers, no I/O).
//
// This header covers what a running node tells the supervisor: the `data/upgrade-info.json`
// file that x/upgrade writes at a plan's height, and the `UPGRADE "<name>" NEEDED at height: H`
// log line. Parsers take text and return values or errors; they never open files. They must
// accept every shape real SDK versions write (height as a JSON number or as a protobuf-JSON
// string, `info` missing on SDK <= 0.44.2, `time` present or not) and reject the rest with a
// message naming the field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace plans {

struct UpgradeInfo {
  std::string name;  // as written by the chain (not recased)
  int64_t height = 0;
  std::string info;  // opaque; may be empty
  std::string time;  // as written; usually the zero time
  bool operator==(const UpgradeInfo&) const = default;
};

// Parses the contents of `upgrade-info.json`.
// - kUnavailable: the text is empty or ends before the JSON does (the node writes the file
//   non-atomically); read it again later.
// - kInvalidArgument: invalid JSON before the end of the text, or complete JSON whose fields are
//   missing or of the wrong type, a height out of int64's range, or a name CheckPlanName refuses.
base::Result<UpgradeInfo> ParseUpgradeInfo(std::string_view text);

// Serialises like x/upgrade (Go encoding/json of Plan): name, time, height as a number, info
// left out when empty.
std::string FormatUpgradeInfo(const UpgradeInfo& info);

// Recognises `UPGRADE "<name>" NEEDED at height: <H>[: <info>]` anywhere in a log line (the
// SDK prefixes it with a level and a timestamp, and may wrap it in JSON logs, where quotes are
// escaped). Returns nothing for any other line.
std::optional<UpgradeInfo> ParseUpgradeNeededLine(std::string_view line);

// The folder name Cosmovisor uses for an upgrade: lower-cased unless `disable_recase`, then
// URL-path-escaped like Go's url.PathEscape (a space becomes %20, a slash %2F).
std::string UpgradeDirName(std::string_view plan_name, bool disable_recase);

// A plan name Replayer accepts: not empty, not "." or ".." (their folder would be upgrades/ itself
// or its parent), no control characters (a "\n" forges log lines, ESC colours a terminal, NUL
// cuts a line short), and short enough that its folder name (UpgradeDirName) fits the usual
// file-system limit of 255 bytes. InvalidArgument otherwise, with the name shown escaped.
inline constexpr size_t kMaxUpgradeDirNameBytes = 255;
base::Status CheckPlanName(std::string_view name);

// Same name for the purpose of "is this the upgrade we are running" (case-insensitive unless
// recasing is disabled).
bool SameUpgradeName(std::string_view a, std::string_view b, bool disable_recase);

}  // namespace plans
