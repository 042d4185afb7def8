#include "upgrade-plans/schedule.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
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
  std::string field = where.empty() ? std::string(key) : where + "." + key;
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
          "halt_semantics", "sources", "next_name", "previous_name"},
      where, n));

  auto h = j.find("first_height");
  if (h == j.end()) {
    return Invalid(where + ".first_height", "missing (an integer above 0, or null: unknown)", n);
  }
  if (h->is_null()) {
    seg.first_height = kUnknownHeight;  // format 2 (checked by the caller)
  } else if (h->is_number_unsigned()) {
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
                     "\"commit-then-stall\" (SDK 0.50.0-0.50.9), \"stop-before\" (SDK "
                     "0.50.10+, 0.53), \"unknown\"", n);
    }
    seg.halt_semantics = *parsed;
  }
  ASSIGN_OR_RETURN(seg.sources, GetStringMap(j, "sources", where, n));
  for (const char* key : {"next_name", "previous_name"}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) continue;
    if (!it->is_string()) {
      return Invalid(where + "." + key, std::string("must be a string, got ") + it->type_name(), n);
    }
    (std::string(key) == "next_name" ? seg.next_name : seg.previous_name) = it->get<std::string>();
  }
  return seg;
}

base::Result<Schedule> ParseScheduleJson(const json& j) {
  if (!j.is_object()) {
    return base::Status::InvalidArgument(std::string("schedule must be a JSON object, got ") +
                                         j.type_name());
  }
  RETURN_IF_ERROR(
      CheckKeys(j, {"format_version", "chain_id", "daemon_name", "sources", "segments"}, ""));
  Schedule out;
  auto v = j.find("format_version");
  if (v == j.end()) return Invalid("format_version", "missing (this reader knows versions 1, 2)");
  if (!v->is_number_integer() || v->get<int64_t>() < 1 ||
      v->get<int64_t>() > kScheduleFormatVersion) {
    return Invalid("format_version", "is " + v->dump() +
                                         ", this reader only knows versions 1 and 2 (a newer "
                                         "Replayer may have written it)");
  }
  out.format_version = static_cast<int>(v->get<int64_t>());
  ASSIGN_OR_RETURN(out.sources, GetStringMap(j, "sources", "", ""));
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
  if (out.format_version < RequiredFormatVersion(out)) {
    return Invalid("format_version",
                   "is 1, but the file uses format 2 (a null first_height, halt_semantics "
                   "\"commit-then-stall\" or \"unknown\", next_name, previous_name or "
                   "top-level sources): set format_version to 2");
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
  switch (semantics) {
    case HaltSemantics::kCommitThenExit:
      return "commit-then-exit";
    case HaltSemantics::kStopBefore:
      return "stop-before";
    case HaltSemantics::kCommitThenStall:
      return "commit-then-stall";
    case HaltSemantics::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<HaltSemantics> HaltSemanticsFromName(std::string_view name) {
  if (name == "commit-then-exit") return HaltSemantics::kCommitThenExit;
  if (name == "stop-before") return HaltSemantics::kStopBefore;
  if (name == "commit-then-stall") return HaltSemantics::kCommitThenStall;
  if (name == "unknown") return HaltSemantics::kUnknown;
  return std::nullopt;
}

HaltSemantics HaltSemanticsFromSdkVersion(std::string_view v) {
  if (!v.empty() && (v[0] == 'v' || v[0] == 'V')) v.remove_prefix(1);
  long parts[3] = {-1, -1, -1};
  size_t p = 0;
  for (int k = 0; k < 3; ++k) {
    size_t start = p;
    long n = 0;
    while (p < v.size() && p - start < 6 && std::isdigit(static_cast<unsigned char>(v[p]))) {
      n = n * 10 + (v[p] - '0');
      ++p;
    }
    if (p == start) return HaltSemantics::kUnknown;
    parts[k] = n;
    if (k < 2) {
      if (p >= v.size() || v[p] != '.') return HaltSemantics::kUnknown;
      ++p;
    }
  }
  // After the patch number only a pre-release or fork suffix ("-lsm", "-rc.1", "+meta").
  if (p < v.size() && v[p] != '-' && v[p] != '+') return HaltSemantics::kUnknown;
  if (parts[0] != 0) return HaltSemantics::kUnknown;
  if (parts[1] <= 47) return HaltSemantics::kCommitThenExit;
  if (parts[1] == 50) {
    return parts[2] <= 9 ? HaltSemantics::kCommitThenStall : HaltSemantics::kStopBefore;
  }
  if (parts[1] == 53) return HaltSemantics::kStopBefore;
  return HaltSemantics::kUnknown;
}

namespace {
// The version token starting at `pos`: up to whitespace, quote, comma or a closing bracket.
std::string VersionToken(std::string_view text, size_t pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '"' || text[pos] == ':')) ++pos;
  size_t end = pos;
  while (end < text.size() && end - pos < 100 &&
         !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '"' &&
         text[end] != ',' && text[end] != ']' && text[end] != '}') {
    ++end;
  }
  return std::string(text.substr(pos, end - pos));
}
}  // namespace

std::string SdkVersionFromVersionOutput(std::string_view text) {
  constexpr std::string_view kKey = "cosmos_sdk_version";
  if (size_t k = text.find(kKey); k != std::string_view::npos) {
    std::string token = VersionToken(text, k + kKey.size());
    if (!token.empty()) return token;
  }
  // build_deps: "github.com/cosmos/cosmos-sdk@v0.50.10" and, when replaced,
  // "github.com/cosmos/cosmos-sdk@v0.50.10 => github.com/osmosis-labs/cosmos-sdk@v0.50.14-v30-osmo".
  constexpr std::string_view kModule = "github.com/cosmos/cosmos-sdk@";
  size_t m = text.find(kModule);
  if (m == std::string_view::npos) return "";
  std::string version = VersionToken(text, m + kModule.size());
  size_t line_end = text.find('\n', m);
  std::string_view line =
      text.substr(m, line_end == std::string_view::npos ? std::string_view::npos : line_end - m);
  if (size_t arrow = line.find("=>"); arrow != std::string_view::npos) {
    if (size_t at = line.find('@', arrow); at != std::string_view::npos) {
      std::string replaced = VersionToken(line, at + 1);
      if (!replaced.empty()) version = replaced;
    }
  }
  return version;
}

int RequiredFormatVersion(const Schedule& schedule) {
  bool v2 = !schedule.sources.empty();
  for (const Segment& seg : schedule.segments) {
    v2 = v2 || seg.first_height == kUnknownHeight || seg.next_name || seg.previous_name ||
         seg.halt_semantics == HaltSemantics::kCommitThenStall ||
         seg.halt_semantics == HaltSemantics::kUnknown;
  }
  return v2 ? 2 : std::clamp(schedule.format_version, 1, kScheduleFormatVersion);
}

bool HeightKnown(const Segment& segment) { return segment.first_height != kUnknownHeight; }

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
  root["format_version"] = RequiredFormatVersion(schedule);
  root["chain_id"] = schedule.chain_id;
  root["daemon_name"] = schedule.daemon_name;
  if (!schedule.sources.empty()) root["sources"] = schedule.sources;
  ordered_json segments = ordered_json::array();
  for (const Segment& seg : schedule.segments) {
    ordered_json s = ordered_json::object();
    if (HeightKnown(seg)) {
      s["first_height"] = seg.first_height;
    } else {
      s["first_height"] = nullptr;
    }
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
    if (seg.previous_name) s["previous_name"] = *seg.previous_name;
    if (seg.next_name) s["next_name"] = *seg.next_name;
    segments.push_back(std::move(s));
  }
  root["segments"] = std::move(segments);
  // Replace invalid UTF-8 (only possible in a Schedule built in code) instead of throwing.
  return root.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

std::optional<int64_t> LastHeight(const Schedule& schedule, size_t segment_index) {
  if (segment_index + 1 >= schedule.segments.size()) return std::nullopt;
  if (!HeightKnown(schedule.segments[segment_index + 1])) return std::nullopt;
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
    if (next.kind == SwitchKind::kHaltHeight && HeightKnown(next)) {
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
    const Segment& seg = schedule.segments[i];
    if (!HeightKnown(seg) && !(i == 0 && seg.kind == SwitchKind::kGenesis)) continue;
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
