#include "replayer/supervisor/node_pid.h"

#include <nlohmann/json.hpp>

#include <charconv>

#include "base/json_int.h"

namespace replayer {

std::string FormatNodePidRecord(const NodePidRecord& r) {
  return nlohmann::json{{"pid", r.pid}, {"pgid", r.pgid}, {"start", r.start}}.dump();
}

std::optional<NodePidRecord> ParseNodePidRecord(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("pid") || !j.contains("start")) {
    return std::nullopt;
  }
  auto pid = base::JsonInt<pid_t>(j["pid"]);
  auto start = base::JsonInt<uint64_t>(j["start"]);
  std::optional<pid_t> pgid = 0;
  if (j.contains("pgid")) pgid = base::JsonInt<pid_t>(j["pgid"]);
  if (!pid || *pid <= 0 || !start || !pgid || *pgid < 0) return std::nullopt;
  return NodePidRecord{*pid, *pgid, *start};
}

namespace {

// The fields after the command name: "S 1 2 ..." (field 3 onwards), or nullopt.
std::optional<std::string_view> FieldsAfterName(std::string_view stat) {
  size_t close = stat.rfind(')');
  if (close == std::string_view::npos || close + 2 > stat.size()) return std::nullopt;
  return stat.substr(close + 2);
}

}  // namespace

std::optional<uint64_t> ParseProcStatStartTime(std::string_view stat) {
  auto rest = FieldsAfterName(stat);
  if (!rest) return std::nullopt;
  std::string_view s = *rest;
  for (int field = 3; field <= 22; ++field) {
    size_t begin = s.find_first_not_of(' ');
    if (begin == std::string_view::npos) return std::nullopt;
    s.remove_prefix(begin);
    size_t end = std::min(s.find_first_of(" \n"), s.size());
    if (field == 22) {
      uint64_t v = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + end, v);
      if (ec != std::errc() || ptr != s.data() + end) return std::nullopt;
      return v;
    }
    s.remove_prefix(end);
  }
  return std::nullopt;
}

bool ProcStatIsZombie(std::string_view stat) {
  auto rest = FieldsAfterName(stat);
  return rest && !rest->empty() && rest->front() == 'Z';
}

}  // namespace replayer
