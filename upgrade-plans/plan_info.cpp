#include "upgrade-plans/plan_info.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace plans {
namespace {

using nlohmann::json;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, std::min<size_t>(s.size(), 60))) {
    out.push_back(std::isprint(static_cast<unsigned char>(c)) ? c : '?');
  }
  if (s.size() > 60) out += "...";
  return out + "\"";
}

base::Status NoBinary(std::string_view plan_name, std::string_view why) {
  return base::Status::InvalidArgument("plan " + std::string(plan_name) +
                                       " carries no binary: " + std::string(why));
}

bool LooksLikeUrl(std::string_view s) {
  std::string scheme = UrlScheme(s);
  if (scheme != "http" && scheme != "https" && scheme != "file") return false;
  return std::none_of(s.begin(), s.end(),
                      [](unsigned char c) { return std::isspace(c) || c < 0x20; });
}

base::Result<BinaryMap> BinariesFromJson(std::string_view plan_name, const json& j,
                                         std::string_view source) {
  std::string where = source.empty() ? std::string("info") : std::string(source);
  if (!j.is_object()) {
    return NoBinary(plan_name, where + " is JSON but not an object");
  }
  auto it = j.find("binaries");
  if (it == j.end()) return NoBinary(plan_name, where + " has no \"binaries\" map");
  if (!it->is_object()) {
    return base::Status::InvalidArgument("plan " + std::string(plan_name) + ": " + where +
                                         ": \"binaries\" must be an object, got " +
                                         std::string(it->type_name()));
  }
  BinaryMap out;
  for (const auto& [key, value] : it->items()) {
    if (!IsValidPlatformKey(key)) {
      return base::Status::InvalidArgument("plan " + std::string(plan_name) + ": " + where +
                                           ": platform key " + Quote(key) +
                                           " is not os/arch or \"any\"");
    }
    if (!value.is_string()) {
      return base::Status::InvalidArgument("plan " + std::string(plan_name) + ": " + where +
                                           ": binary for " + key + " must be a URL string, got " +
                                           std::string(value.type_name()));
    }
    std::string_view raw = Trim(value.get_ref<const std::string&>());
    if (raw.empty()) {
      return base::Status::InvalidArgument("plan " + std::string(plan_name) + ": " + where +
                                           ": binary URL for " + key + " is empty");
    }
    auto split = SplitChecksumFromUrl(raw);
    if (!split.ok()) {
      return split.status().WithContext("plan " + std::string(plan_name) + ": " + key);
    }
    if (raw.front() == '?' || split->url.empty()) {  // "?", "?checksum=...": only a query
      return base::Status::InvalidArgument("plan " + std::string(plan_name) + ": " + where +
                                           ": binary URL for " + key + " has no address: " +
                                           Quote(raw));
    }
    out[key] = BinarySpec{key, split->url, split->checksum};
  }
  if (out.empty()) return NoBinary(plan_name, where + " has an empty \"binaries\" map");
  return out;
}

}  // namespace

std::string BinarySpec::UrlWithChecksum() const {
  if (!checksum) return url;
  // Into the query, before the fragment (the first '#'), where SplitChecksumFromUrl reads it.
  size_t hash = url.find('#');
  std::string head = url.substr(0, hash);
  std::string fragment = hash == std::string::npos ? std::string() : url.substr(hash);
  return head + (head.find('?') == std::string::npos ? "?" : "&") + "checksum=" +
         FormatChecksum(*checksum) + fragment;
}

bool IsValidPlatformKey(std::string_view key) {
  if (key == "any") return true;
  size_t slash = key.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == key.size()) return false;
  auto alnum = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c); });
  };
  return alnum(key.substr(0, slash)) && alnum(key.substr(slash + 1));
}

base::Result<PlanInfo> ParsePlanInfo(std::string_view plan_name, std::string_view info_text) {
  std::string_view text = Trim(info_text);
  if (text.empty()) return NoBinary(plan_name, "its info is empty");
  PlanInfo out;
  if (text.front() == '{') {
    json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return NoBinary(plan_name, "info starts with '{' but is not valid JSON");
    ASSIGN_OR_RETURN(out.binaries, BinariesFromJson(plan_name, j, ""));
    out.kind = PlanInfo::Kind::kInline;
    return out;
  }
  if (LooksLikeUrl(text)) {
    auto split = SplitChecksumFromUrl(text);
    if (!split.ok()) return split.status().WithContext("plan " + std::string(plan_name));
    out.kind = PlanInfo::Kind::kUrl;
    out.document_url = split->url;
    out.document_checksum = split->checksum;
    return out;
  }
  return NoBinary(plan_name, "its info is free text " + Quote(text) +
                                 ", neither {\"binaries\":...} JSON nor a URL");
}

base::Result<BinaryMap> ParsePlanInfoDocument(std::string_view plan_name, std::string_view text,
                                              std::string_view source) {
  std::string where = "document " + std::string(source);
  std::string_view trimmed = Trim(text);
  json j = json::parse(trimmed.begin(), trimmed.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return NoBinary(plan_name, where + " is not valid JSON");
  return BinariesFromJson(plan_name, j, where);
}

base::Result<BinarySpec> SelectBinary(std::string_view plan_name, const BinaryMap& binaries,
                                      std::string_view platform) {
  if (auto it = binaries.find(std::string(platform)); it != binaries.end()) return it->second;
  if (auto it = binaries.find("any"); it != binaries.end()) return it->second;
  std::string keys;
  for (const auto& [key, spec] : binaries) keys += (keys.empty() ? "" : ", ") + key;
  return base::Status::NotFound("plan " + std::string(plan_name) + " has no binary for " +
                                std::string(platform) + " or \"any\" (it has: " + keys + ")");
}

std::string FormatPlanInfo(const BinaryMap& binaries) {
  json b = json::object();
  for (const auto& [key, spec] : binaries) b[key] = spec.UrlWithChecksum();
  return json{{"binaries", b}}.dump();
}

std::string_view HostPlatform() {
#if defined(__linux__) && defined(__x86_64__)
  return "linux/amd64";
#elif defined(__linux__) && defined(__aarch64__)
  return "linux/arm64";
#elif defined(__linux__) && defined(__i386__)
  return "linux/386";
#elif defined(__linux__) && defined(__arm__)
  return "linux/arm";
#elif defined(__APPLE__) && defined(__aarch64__)
  return "darwin/arm64";
#elif defined(__APPLE__)
  return "darwin/amd64";
#else
  return "unknown/unknown";
#endif
}

}  // namespace plans
