#include "upgrade-plans/schedule.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

#include "upgrade-plans/upgrade_info.h"

namespace plans {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

base::Status Invalid(const std::string& where, const std::string& what,
                     const std::string& segment_name = "") {
  std::string msg = where + ": " + what;
  if (!segment_name.empty()) msg += " (segment \"" + segment_name + "\")";
  return base::Status::InvalidArgument(msg);
}

bool IsAllowedExtraKey(const std::string& key) { return key == "$schema" || key == "comment"; }

base::Status CheckKeys(const json& object, std::initializer_list<std::string_view> known,
                       const std::string& where, const std::string& segment_name = "") {
  for (const auto& [key, value] : object.items()) {
    if (IsAllowedExtraKey(key)) continue;
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return Invalid(where.empty() ? key : where + "." + key, "unknown field (known: " + list + ")",
                     segment_name);
    }
  }
  return base::Status::Ok();
}

base::Result<std::string> GetString(const json& object, const char* key, const std::string& where,
                                    bool required, const std::string& segment_name = "") {
  auto it = object.find(key);
  std::string field = where.empty() ? std::string(key) : where + "." + key;
  if (it == object.end() || it->is_null()) {
    if (required) return Invalid(field, "missing (a string)", segment_name);
    return std::string();
  }
  if (!it->is_string()) {
    return Invalid(field, std::string("must be a string, got ") + it->type_name(), segment_name);
  }
  return it->get<std::string>();
}

base::Result<std::map<std::string, std::string>> GetStringMap(const json& object, const char* key,
                                                              const std::string& where,
                                                              const std::string& segment_name) {
  std::map<std::string, std::string> out;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return out;
  std::string field = where + "." + key;
  if (!it->is_object()) {
    return Invalid(field, std::string("must be an object, got ") + it->type_name(), segment_name);
  }
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) {
      return Invalid(field + "." + k, std::string("must be a string, got ") + v.type_name(),
                     segment_name);
    }
    out[k] = v.get<std::string>();
  }
  return out;
}

base::Result<std::vector<std::string>> GetStringList(const json& object, const char* key,
                                                     const std::string& where,
                                                     const std::string& segment_name) {
  std::vector<std::string> out;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return out;
  std::string field = where + "." + key;
  if (!it->is_array()) {
    return Invalid(field, std::string("must be an array of strings, got ") + it->type_name(),
                   segment_name);
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    if (!v.is_string()) {
      return Invalid(field + "[" + std::to_string(i) + "]",
                     std::string("must be a string, got ") + v.type_name(), segment_name);
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

base::Result<Segment> ParseSegment(const json& j, size_t index) {
  std::string where = "segments[" + std::to_string(index) + "]";
  if (!j.is_object()) {
    return Invalid(where, std::string("must be an object, got ") + j.type_name());
  }
  Segment seg;
  ASSIGN_OR_RETURN(seg.name, GetString(j, "name", where, /*required=*/true));
  if (auto st = CheckPlanName(seg.name); !st.ok()) return st.WithContext(where + ".name");
  const std::string& n = seg.name;
  RETURN_IF_ERROR(CheckKeys(
      j, {"first_height", "kind", "name", "version", "binaries", "signatures", "args",
          "halt_semantics", "sources"},
      where, n));

  auto h = j.find("first_height");
  if (h == j.end()) return Invalid(where + ".first_height", "missing (an integer above 0)", n);
  if (h->is_number_unsigned()) {
    if (h->get<uint64_t>() == 0 ||
        h->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Invalid(where + ".first_height", "must be an integer above 0", n);
    }
    seg.first_height = static_cast<int64_t>(h->get<uint64_t>());
  } else if (h->is_number_integer()) {
    return Invalid(where + ".first_height", "must be an integer above 0", n);
  } else {
    return Invalid(where + ".first_height",
                   std::string("must be an integer above 0, got ") + h->type_name(), n);
  }

  ASSIGN_OR_RETURN(std::string kind, GetString(j, "kind", where, /*required=*/true, n));
  auto parsed_kind = SwitchKindFromName(kind);
  if (!parsed_kind) {
    return Invalid(where + ".kind",
                   "\"" + kind + "\" is not one of \"genesis\", \"gov-plan\", \"halt-height\"", n);
  }
  seg.kind = *parsed_kind;
  ASSIGN_OR_RETURN(seg.version, GetString(j, "version", where, /*required=*/false, n));

  ASSIGN_OR_RETURN(auto binaries, GetStringMap(j, "binaries", where, n));
  for (const auto& [platform, url] : binaries) {
    std::string field = where + ".binaries." + platform;
    if (!IsValidPlatformKey(platform)) {
      return Invalid(field, "platform key is not os/arch or \"any\"", n);
    }
    if (url.empty()) return Invalid(field, "URL is empty", n);
    auto split = SplitChecksumFromUrl(url);
    if (!split.ok()) return Invalid(field, split.status().message(), n);
    seg.binaries[platform] = BinarySpec{platform, split->url, split->checksum};
  }
  ASSIGN_OR_RETURN(seg.signatures, GetStringMap(j, "signatures", where, n));
  for (const auto& [platform, url] : seg.signatures) {
    if (!IsValidPlatformKey(platform)) {
      return Invalid(where + ".signatures." + platform, "platform key is not os/arch or \"any\"",
                     n);
    }
  }
  if (auto a = j.find("args"); a != j.end() && !a->is_null()) {
    if (!a->is_object()) {
      return Invalid(where + ".args", std::string("must be an object, got ") + a->type_name(), n);
    }
    RETURN_IF_ERROR(CheckKeys(*a, {"add", "remove"}, where + ".args", n));
    ASSIGN_OR_RETURN(seg.args.add, GetStringList(*a, "add", where + ".args", n));
    ASSIGN_OR_RETURN(seg.args.remove, GetStringList(*a, "remove", where + ".args", n));
  }
  ASSIGN_OR_RETURN(std::string halt, GetString(j, "halt_semantics", where, /*required=*/false, n));
  if (!halt.empty()) {
    auto parsed = HaltSemanticsFromName(halt);
    if (!parsed) {
      return Invalid(where + ".halt_semantics",
                     "\"" + halt + "\" is not one of \"commit-then-exit\" (SDK <= 0.47), "
                     "\"stop-before\" (SDK 0.50+)", n);
    }
    seg.halt_semantics = *parsed;
  }
  ASSIGN_OR_RETURN(seg.sources, GetStringMap(j, "sources", where, n));
  return seg;
}

base::Result<Schedule> ParseScheduleJson(const json& j) {
  if (!j.is_object()) {
    return base::Status::InvalidArgument(std::string("schedule must be a JSON object, got ") +
                                         j.type_name());
  }
  RETURN_IF_ERROR(CheckKeys(j, {"format_version", "chain_id", "daemon_name", "segments"}, ""));
  Schedule out;
  auto v = j.find("format_version");
  if (v == j.end()) return Invalid("format_version", "missing (this reader knows version 1)");
  if (!v->is_number_integer() || v->get<int64_t>() != kScheduleFormatVersion) {
    return Invalid("format_version", "is " + v->dump() +
                                         ", this reader only knows version 1 (a newer Replayer "
                                         "may have written it)");
  }
  ASSIGN_OR_RETURN(out.chain_id, GetString(j, "chain_id", "", /*required=*/false));
  ASSIGN_OR_RETURN(out.daemon_name, GetString(j, "daemon_name", "", /*required=*/false));
  auto s = j.find("segments");
  if (s == j.end()) return Invalid("segments", "missing (an array of segments)");
  if (!s->is_array()) {
    return Invalid("segments", std::string("must be an array, got ") + s->type_name());
  }
  for (size_t i = 0; i < s->size(); ++i) {
    ASSIGN_OR_RETURN(Segment seg, ParseSegment((*s)[i], i));
    out.segments.push_back(std::move(seg));
  }
  return out;
}

// Removes `flag` (and its value) from args. `flag` may be "--flag" (any value) or
// "--flag=value" (only that value, in either spelling).
void RemoveFlag(std::vector<std::string>& args, const std::string& flag) {
  std::string name = flag;
  std::optional<std::string> only_value;
  if (size_t eq = flag.find('='); eq != std::string::npos) {
    name = flag.substr(0, eq);
    only_value = flag.substr(eq + 1);
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == name) {
      bool has_value = i + 1 < args.size() && !args[i + 1].starts_with("-");
      if (only_value && (!has_value || args[i + 1] != *only_value)) {
        out.push_back(a);
        continue;
      }
      if (has_value) ++i;  // the flag's value goes with it
      continue;
    }
    if (a.starts_with(name + "=")) {
      if (only_value && a.substr(name.size() + 1) != *only_value) out.push_back(a);
      continue;
    }
    out.push_back(a);
  }
  args = std::move(out);
}

}  // namespace

std::string_view SwitchKindName(SwitchKind kind) {
  switch (kind) {
    case SwitchKind::kGenesis:
      return "genesis";
    case SwitchKind::kGovernancePlan:
      return "gov-plan";
    case SwitchKind::kHaltHeight:
      return "halt-height";
  }
  return "unknown";
}

std::string_view HaltSemanticsName(HaltSemantics semantics) {
  return semantics == HaltSemantics::kStopBefore ? "stop-before" : "commit-then-exit";
}

std::optional<HaltSemantics> HaltSemanticsFromName(std::string_view name) {
  if (name == "commit-then-exit") return HaltSemantics::kCommitThenExit;
  if (name == "stop-before") return HaltSemantics::kStopBefore;
  return std::nullopt;
}

int64_t HaltHeightFlagValue(HaltSemantics semantics, int64_t last_height) {
  return semantics == HaltSemantics::kStopBefore ? last_height + 1 : last_height;
}

std::optional<SwitchKind> SwitchKindFromName(std::string_view name) {
  if (name == "genesis") return SwitchKind::kGenesis;
  if (name == "gov-plan") return SwitchKind::kGovernancePlan;
  if (name == "halt-height") return SwitchKind::kHaltHeight;
  return std::nullopt;
}

base::Result<Schedule> ParseSchedule(std::string_view text) {
  try {
    json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return base::Status::InvalidArgument("schedule is not valid JSON");
    return ParseScheduleJson(j);
  } catch (const json::exception& e) {
    return base::Status::InvalidArgument(std::string("schedule: ") + e.what());
  }
}

std::string BinaryUrlForSchedule(const BinarySpec& spec) {
  if (!spec.checksum) return spec.url;
  size_t hash = spec.url.find('#');
  std::string head = spec.url.substr(0, hash);
  std::string tail = hash == std::string::npos ? std::string() : spec.url.substr(hash);
  return head + (head.find('?') == std::string::npos ? "?" : "&") +
         "checksum=" + FormatChecksum(*spec.checksum) + tail;
}

std::string FormatSchedule(const Schedule& schedule) {
  ordered_json root = ordered_json::object();
  root["format_version"] = schedule.format_version;
  root["chain_id"] = schedule.chain_id;
  root["daemon_name"] = schedule.daemon_name;
  ordered_json segments = ordered_json::array();
  for (const Segment& seg : schedule.segments) {
    ordered_json s = ordered_json::object();
    s["first_height"] = seg.first_height;
    s["kind"] = std::string(SwitchKindName(seg.kind));
    s["name"] = seg.name;
    if (!seg.version.empty()) s["version"] = seg.version;  // optional; never "version": ""
    ordered_json bins = ordered_json::object();
    for (const auto& [platform, spec] : seg.binaries) bins[platform] = BinaryUrlForSchedule(spec);
    s["binaries"] = bins;
    if (!seg.signatures.empty()) s["signatures"] = seg.signatures;
    if (!seg.args.empty()) {
      ordered_json args = ordered_json::object();
      if (!seg.args.add.empty()) args["add"] = seg.args.add;
      if (!seg.args.remove.empty()) args["remove"] = seg.args.remove;
      s["args"] = args;
    }
    if (seg.halt_semantics != HaltSemantics::kCommitThenExit) {
      s["halt_semantics"] = std::string(HaltSemanticsName(seg.halt_semantics));
    }
    if (!seg.sources.empty()) s["sources"] = seg.sources;
    segments.push_back(std::move(s));
  }
  root["segments"] = std::move(segments);
  // Replace invalid UTF-8 (only possible in a Schedule built in code) instead of throwing.
  return root.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

std::optional<int64_t> LastHeight(const Schedule& schedule, size_t segment_index) {
  if (segment_index + 1 >= schedule.segments.size()) return std::nullopt;
  return schedule.segments[segment_index + 1].first_height - 1;
}

std::vector<std::string> StartArgs(const Schedule& schedule, size_t segment_index,
                                   const std::vector<std::string>& base_args) {
  std::vector<std::string> args = base_args;
  if (segment_index >= schedule.segments.size()) return args;
  const Segment& seg = schedule.segments[segment_index];
  for (const std::string& flag : seg.args.remove) {
    if (!flag.empty()) RemoveFlag(args, flag);
  }
  if (segment_index + 1 < schedule.segments.size()) {
    const Segment& next = schedule.segments[segment_index + 1];
    if (next.kind == SwitchKind::kHaltHeight) {
      RemoveFlag(args, "--halt-height");
      args.push_back("--halt-height");
      args.push_back(
          std::to_string(HaltHeightFlagValue(seg.halt_semantics, next.first_height - 1)));
    }
  }
  args.insert(args.end(), seg.args.add.begin(), seg.args.add.end());
  return args;
}

std::optional<size_t> SegmentForHeight(const Schedule& schedule, int64_t height) {
  std::optional<size_t> found;
  for (size_t i = 0; i < schedule.segments.size(); ++i) {
    if (schedule.segments[i].first_height <= height &&
        (!found || schedule.segments[i].first_height >= schedule.segments[*found].first_height)) {
      found = i;
    }
  }
  return found;
}

std::string SegmentLabel(const Schedule& schedule, size_t segment_index) {
  std::string out = "segments[" + std::to_string(segment_index) + "]";
  if (segment_index < schedule.segments.size() && !schedule.segments[segment_index].name.empty()) {
    out += " \"" + schedule.segments[segment_index].name + "\"";
  }
  return out;
}

std::optional<size_t> FindSegment(const Schedule& schedule, std::string_view name) {
  for (size_t i = 0; i < schedule.segments.size(); ++i) {
    if (SameUpgradeName(schedule.segments[i].name, name, /*disable_recase=*/false)) return i;
  }
  return std::nullopt;
}

}  // namespace plans
