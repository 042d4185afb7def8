// replayer::NodePidRecord: which node process a Replayer started, as kept in its database.
//
// The record holds the node's pid, its process group and its start time (field 22 of
// /proc/<pid>/stat), so that a
// Replayer restarted after a crash stops a node its predecessor left running, and never a process
// that merely reuses the pid. This module only formats and parses the record and the stat text;
// it never reads /proc or sends a signal (the supervisor does both). A record it cannot read
// ("{}" after a clean stop, or anything corrupt) is no record: nothing gets killed.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace replayer {

struct NodePidRecord {
  pid_t pid = 0;       // > 0
  pid_t pgid = 0;      // the node's process group (== pid); 0 in records older than groups
  uint64_t start = 0;  // clock ticks since boot; 0 when /proc could not say
  bool operator==(const NodePidRecord&) const = default;
};

std::string FormatNodePidRecord(const NodePidRecord& record);
// nullopt unless {"pid": <integer in 1..pid_t max>, "start": <uint64 integer>} with, if
// present, "pgid": <integer in 0..pid_t max>.
std::optional<NodePidRecord> ParseNodePidRecord(std::string_view text);

// From the text of /proc/<pid>/stat: the start time (field 22) and whether the state (field 3)
// is 'Z'. The command name (field 2) may hold spaces and ')': fields count from the last ')'.
std::optional<uint64_t> ParseProcStatStartTime(std::string_view stat);
bool ProcStatIsZombie(std::string_view stat);

}  // namespace replayer
