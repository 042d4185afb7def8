#include "state/audit_cache.h"

#include <nlohmann/json.hpp>

namespace state {
namespace {

using nlohmann::json;

constexpr std::string_view kPrefix = "audit/v1/";

json VerdictToJson(const AuditVerdict& v) { return json{{"ok", v.ok}, {"detail", v.detail}}; }

AuditVerdict VerdictFromJson(const json& j) {
  return AuditVerdict{j.at("ok").get<bool>(), j.at("detail").get<std::string>()};
}

json VerdictMapToJson(const std::map<std::string, AuditVerdict>& m) {
  json out = json::object();
  for (const auto& [k, v] : m) out[k] = VerdictToJson(v);
  return out;
}

std::map<std::string, AuditVerdict> VerdictMapFromJson(const json& j) {
  std::map<std::string, AuditVerdict> out;
  for (const auto& [k, v] : j.items()) out[k] = VerdictFromJson(v);
  return out;
}

}  // namespace

std::string AuditCache::Key(std::string_view daemon, std::string_view url,
                            std::string_view checksum) {
  // Newlines cannot occur in any of the three, so the key is unambiguous.
  std::string key(kPrefix);
  key.append(daemon).append("\n").append(checksum).append("\n").append(url);
  return key;
}

base::Result<std::optional<AuditFacts>> AuditCache::Get(std::string_view key) const {
  ASSIGN_OR_RETURN(auto text, db_.Get(key));
  if (!text) return std::optional<AuditFacts>();
  try {
    json j = json::parse(*text);
    AuditFacts f;
    f.url = j.at("url").get<std::string>();
    f.checksum = j.at("checksum").get<std::string>();
    f.sha256 = j.at("sha256").get<std::string>();
    f.size = j.at("size").get<uint64_t>();
    f.http_status = j.at("http_status").get<long>();
    f.archive = VerdictFromJson(j.at("archive"));
    f.formats = VerdictMapFromJson(j.at("formats"));
    if (j.contains("version")) f.version = VerdictFromJson(j.at("version"));
    f.signatures = VerdictMapFromJson(j.at("signatures"));
    f.checked_ms = j.at("checked_ms").get<int64_t>();
    return std::optional<AuditFacts>(std::move(f));
  } catch (const json::exception& ex) {
    std::string printable(key);
    for (char& c : printable) {
      if (c == '\n') c = ' ';
    }
    return base::Status::Corruption("audit cache record " + printable + ": " + ex.what());
  }
}

base::Status AuditCache::Put(std::string_view key, const AuditFacts& f) {
  json j{{"url", f.url},
         {"checksum", f.checksum},
         {"sha256", f.sha256},
         {"size", f.size},
         {"http_status", f.http_status},
         {"archive", VerdictToJson(f.archive)},
         {"formats", VerdictMapToJson(f.formats)},
         {"signatures", VerdictMapToJson(f.signatures)},
         {"checked_ms", f.checked_ms}};
  if (f.version) j["version"] = VerdictToJson(*f.version);
  return db_.Put(key, j.dump());
}

}  // namespace state
