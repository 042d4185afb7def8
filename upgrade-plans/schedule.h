// plans::Schedule: the whole binary history of a chain as ordered segments (pure data, no I/O).
//
// A segment is a height range executed by one binary: it starts at `first_height` because of a
// switch (genesis, an on-chain governance plan, or a coordinated halt height that left no plan)
// and runs until the next segment's first height minus one. The schedule is stored as versioned
// JSON (format_version 1, or 2 when it keeps something unknown; documented by
// upgrade-plans/schedule.schema.json and the worked example in upgrade-plans/README.md); binaries
// are written go-getter style, the checksum carried in the URL's `?checksum=` parameter. A
// schedule keeps what its sources did not know (a first height, a binary, a halt behaviour) as
// an explicit hole with its source instead of a guess, so that `plans check` can show it. ParseSchedule checks structure and types only (so that
// `replayer plans check` can report ordering or naming problems instead of refusing the file);
// CheckSchedule in schedule_lint.h judges whether the schedule can be replayed. Nothing here
// opens files or sockets, and no exception escapes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "upgrade-plans/plan_info.h"

namespace plans {

enum class SwitchKind { kGenesis, kGovernancePlan, kHaltHeight };

// JSON spelling: "genesis", "gov-plan", "halt-height".
std::string_view SwitchKindName(SwitchKind kind);
std::optional<SwitchKind> SwitchKindFromName(std::string_view name);

// How a segment's binary treats `--halt-height H` (the reference's "halt semantics by SDK line",
// shared/reference/sdk-chain.md Q3):
//  - kCommitThenExit (SDK <= 0.47, the default): block H is committed, the node logs "halting node
//    per configuration" and exits by itself;
//  - kCommitThenStall (SDK 0.50.0-0.50.9, PR #16639 with `>`): block H is committed, FinalizeBlock
//    refuses H+1 ("halt per configuration") and the process may stay alive;
//  - kStopBefore (SDK 0.50.10+ and 0.53, PR #21256 with `>=`): FinalizeBlock refuses height H, so
//    the last committed block is H-1, and the process may stay alive;
//  - kUnknown: no source said; a halt-height switch after such a segment cannot be replayed.
// JSON: "halt_semantics": "commit-then-exit" | "commit-then-stall" | "stop-before" | "unknown"
// (absent = commit-then-exit, as format 1 defined it; the last two need format_version 2).
enum class HaltSemantics { kCommitThenExit, kStopBefore, kCommitThenStall, kUnknown };
std::string_view HaltSemanticsName(HaltSemantics semantics);
std::optional<HaltSemantics> HaltSemanticsFromName(std::string_view name);
// The --halt-height value that makes a binary with `semantics` commit `last_height` and no more
// (last_height + 1 for stop-before; last_height otherwise, kUnknown included: callers refuse
// unknown semantics before they start a node).
int64_t HaltHeightFlagValue(HaltSemantics semantics, int64_t last_height);
// Halt semantics from a Cosmos SDK version as the registry's `sdk.version` or a binary's
// `version --long` (cosmos_sdk_version) gives it: "v0.47.5", "0.50.10", "v0.50.9-lsm",
// "v0.50.14-v30-osmo". <= 0.47 commit-then-exit; 0.50.0-0.50.9 commit-then-stall; 0.50.10+ and
// 0.53.x stop-before; anything else (0.51, 0.52, 0.54+, 1.x, not a version) kUnknown.
HaltSemantics HaltSemanticsFromSdkVersion(std::string_view sdk_version);
// The Cosmos SDK version in `<daemon> version --long` output (text `cosmos_sdk_version: v0.50.10`
// or JSON `"cosmos_sdk_version":"v0.50.10"`), else the cosmos-sdk module in its build_deps
// (`github.com/cosmos/cosmos-sdk@v0.50.10`, a replacement `=> ...@v0.50.14-v30-osmo` wins);
// "" when the output names none.
std::string SdkVersionFromVersionOutput(std::string_view output);

// first_height of a segment whose first height no source gave (JSON null, format 2). Only a
// genesis segment may keep it for a replay (the node's genesis.json then says where it starts).
inline constexpr int64_t kUnknownHeight = 0;

// Start arguments to add to / remove from the operator's base arguments for one segment.
struct SegmentArgs {
  std::vector<std::string> add;
  std::vector<std::string> remove;
  bool empty() const { return add.empty() && remove.empty(); }
  bool operator==(const SegmentArgs&) const = default;
};

struct Segment {
  int64_t first_height = 0;  // first block this segment's binary executes; kUnknownHeight = none
  SwitchKind kind = SwitchKind::kGenesis;  // the switch that starts this segment
  // gov-plan: the on-chain plan name (also the Cosmovisor upgrades/<dir> name); halt-height: an
  // upgrade name too (folder name); genesis: usually "genesis".
  std::string name;
  std::string version;  // expected `<binary> version` output, e.g. "v2.1.0" ("" = not checked)
  BinaryMap binaries;   // per os/arch (or "any"), with checksums
  std::map<std::string, std::string> signatures;  // platform -> minisign signature URL
  SegmentArgs args;
  HaltSemantics halt_semantics = HaltSemantics::kCommitThenExit;  // of this segment's binary
  // Field name ("first_height", "kind", "name", "version", "binaries", ...) -> where the value
  // came from ("chain-registry versions.json", "rest applied_plan", "operator", ...). A source
  // starting with "assumed" marks a placeholder value that a merge may replace (see
  // schedule_merge.h).
  std::map<std::string, std::string> sources;
  // What the source said the neighbours are (chain-registry next_version_name /
  // previous_version_name), kept so `plans check` can compare them with the schedule's order.
  // nullopt: the source says nothing; "" : the source says explicitly "none".
  std::optional<std::string> next_name;
  std::optional<std::string> previous_name;
  bool operator==(const Segment&) const = default;
};

struct Schedule {
  int format_version = 1;
  std::string chain_id;
  std::string daemon_name;
  std::vector<Segment> segments;  // ordered by first_height; segments[0] is the genesis segment
  // "chain_id" / "daemon_name" -> where the value came from (format 2).
  std::map<std::string, std::string> sources;
  bool operator==(const Schedule&) const = default;
};

// The newest format this code reads and writes. Format 1 files read unchanged (a format 1 file
// has no holes); FormatSchedule writes format 1 whenever the schedule uses nothing of format 2,
// so older Replayers keep reading those files, and refuse (as they should) the ones with holes.
inline constexpr int kScheduleFormatVersion = 2;
// 2 when the schedule has an unknown first height, halt semantics commit-then-stall or unknown,
// next_name/previous_name, or schedule-level sources; else schedule.format_version (1 or 2).
int RequiredFormatVersion(const Schedule& schedule);
bool HeightKnown(const Segment& segment);

// Parses the JSON form. kInvalidArgument names the segment and field, e.g.
// `segments[2].first_height: must be an integer above 0 (segment "v10")`.
base::Result<Schedule> ParseSchedule(std::string_view text);

// Pretty JSON (2-space indent, fields in a fixed readable order, empty optional fields left out),
// format_version = RequiredFormatVersion(schedule).
// ParseSchedule(FormatSchedule(s)) == s for every schedule ParseSchedule returned.
std::string FormatSchedule(const Schedule& schedule);

// The URL as the schedule writes it: `spec.url` plus `checksum=<algo>:<hex>` in the query
// (inserted before any #fragment so that it survives a re-parse).
std::string BinaryUrlForSchedule(const BinarySpec& spec);

// The last height the segment's binary executes: next segment's first_height - 1; nullopt for
// the last segment (it runs to the tip), when the next segment's first height is unknown, and
// for an index out of range.
std::optional<int64_t> LastHeight(const Schedule& schedule, size_t segment_index);

// The arguments that start the node of segment `segment_index` so that it stops exactly at its
// last height:
//  - base_args minus segment.args.remove (a removed flag takes its value with it, whether given
//    as "--flag value" or "--flag=value"; a remove entry "--flag=value" removes only that value);
//  - next segment is a gov plan: nothing more (the binary halts itself at the plan height and
//    writes upgrade-info.json);
//  - next segment is a halt-height switch at first_height F: any --halt-height already present
//    is replaced by "--halt-height" and HaltHeightFlagValue(segment.halt_semantics, F-1): F-1 for
//    SDK <= 0.47 binaries (they commit F-1, then exit), F for SDK 0.50+ binaries (they refuse F);
//  - plus segment.args.add, appended last.
// An index out of range returns base_args unchanged.
std::vector<std::string> StartArgs(const Schedule& schedule, size_t segment_index,
                                   const std::vector<std::string>& base_args);

// Index of the segment that executes `height`: the last segment whose first_height <= height
// (segments with an unknown first height are skipped, except a genesis segment, which covers
// everything below the next one). nullopt below the first segment (or for an empty schedule).
std::optional<size_t> SegmentForHeight(const Schedule& schedule, int64_t height);

// "segments[2]" plus ` "v10"` when the segment has a name: how messages point at a segment.
std::string SegmentLabel(const Schedule& schedule, size_t segment_index);

// Index of the first segment whose name matches `name` as Cosmovisor folders match
// (case-insensitive), e.g. the plan a node reported in upgrade-info.json; nullopt if none.
std::optional<size_t> FindSegment(const Schedule& schedule, std::string_view name);

}  // namespace plans
