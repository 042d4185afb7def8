#include "state/records.h"

#include <nlohmann/json.hpp>

#include <charconv>

#include "base/json_int.h"

namespace state {
namespace {

using nlohmann::json;

constexpr int kLastStep = static_cast<int>(Step::kConfirmed);

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Runs `read` on the parsed object; every json::exception becomes kCorruption.
template <typename T, typename Fn>
base::Result<T> ReadObject(std::string_view text, Fn read) {
  try {
    json j = json::parse(text);
    if (!j.is_object()) return base::Status::Corruption("not a JSON object");
    return read(j);
  } catch (const json::exception& e) {
    return base::Status::Corruption(e.what());
  }
}

Step StepAt(const json& j, const std::string& key) {
  int v = base::JsonIntAt<int>(j, key);
  if (v < 0 || v > kLastStep) {
    throw json::other_error::create(501, "\"" + key + "\": unknown step " + std::to_string(v), &j);
  }
  return static_cast<Step>(v);
}

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
  if (!j.is_object()) throw json::type_error::create(302, "verdicts must be an object", &j);
  std::map<std::string, AuditVerdict> out;
  for (const auto& [k, v] : j.items()) out[k] = VerdictFromJson(v);
  return out;
}

}  // namespace

std::string FormatUpgradeTxn(const UpgradeTxn& t) {
  return Dump(json{{"id", t.id},
                   {"name", t.name},
                   {"dir", t.dir},
                   {"height", t.height},
                   {"info", t.info},
                   {"from_dir", t.from_dir},
                   {"last_step", static_cast<int>(t.last_step)},
                   {"snapshot_path", t.snapshot_path},
                   {"started_ms", t.started_ms}});
}

base::Result<UpgradeTxn> ParseUpgradeTxn(std::string_view text) {
  return ReadObject<UpgradeTxn>(text, [](const json& j) {
    UpgradeTxn t;
    t.id = base::JsonIntAt<uint64_t>(j, "id");
    t.name = j.at("name").get<std::string>();
    t.dir = j.at("dir").get<std::string>();
    t.height = base::JsonIntAt<int64_t>(j, "height");
    t.info = j.at("info").get<std::string>();
    t.from_dir = j.at("from_dir").get<std::string>();
    t.last_step = StepAt(j, "last_step");
    t.snapshot_path = j.at("snapshot_path").get<std::string>();
    t.started_ms = base::JsonIntAt<int64_t>(j, "started_ms");
    return t;
  });
}

std::string FormatJournalEntry(const JournalEntry& e) {
  return Dump(json{{"txn_id", e.txn_id},
                   {"upgrade", e.upgrade},
                   {"step", static_cast<int>(e.step)},
                   {"failed", e.failed},
                   {"time_ms", e.time_ms},
                   {"detail", e.detail}});
}

base::Result<JournalEntry> ParseJournalEntry(std::string_view text) {
  return ReadObject<JournalEntry>(text, [](const json& j) {
    JournalEntry e;
    e.txn_id = base::JsonIntAt<uint64_t>(j, "txn_id");
    e.upgrade = j.at("upgrade").get<std::string>();
    e.step = StepAt(j, "step");
    e.failed = j.at("failed").get<bool>();
    e.time_ms = base::JsonIntAt<int64_t>(j, "time_ms");
    e.detail = j.at("detail").get<std::string>();
    return e;
  });
}

std::string FormatAppliedUpgrade(const AppliedUpgrade& a) {
  json j{{"name", a.name},
         {"dir", a.dir},
         {"height", a.height},
         {"applied_ms", a.applied_ms},
         {"snapshot_path", a.snapshot_path}};
  // Older records have none of these; a record written as unknown stays readable by them.
  if (a.confirmation != Confirmation::kUnknown) {
    j["txn_id"] = a.txn_id;
    j["confirmation"] = ConfirmationName(a.confirmation);
    j["confirmed_height"] = a.confirmed_height;
    j["confirmed_ms"] = a.confirmed_ms;
    j["reported_ms"] = a.reported_ms;
    j["confirm_detail"] = a.confirm_detail;
  }
  return Dump(j);
}

base::Result<AppliedUpgrade> ParseAppliedUpgrade(std::string_view text) {
  return ReadObject<AppliedUpgrade>(text, [](const json& j) {
    AppliedUpgrade a;
    a.name = j.at("name").get<std::string>();
    a.dir = j.at("dir").get<std::string>();
    a.height = base::JsonIntAt<int64_t>(j, "height");
    a.applied_ms = base::JsonIntAt<int64_t>(j, "applied_ms");
    a.snapshot_path = j.value("snapshot_path", "");  // older records have none
    if (j.contains("confirmation")) {
      auto c = ConfirmationFromName(j.at("confirmation").get<std::string>());
      if (!c || *c == Confirmation::kUnknown) {
        throw json::other_error::create(501, "\"confirmation\": unknown state", &j);
      }
      a.confirmation = *c;
      a.txn_id = base::JsonIntAt<uint64_t>(j, "txn_id");
      a.confirmed_height = base::JsonIntAt<int64_t>(j, "confirmed_height");
      a.confirmed_ms = base::JsonIntAt<int64_t>(j, "confirmed_ms");
      a.reported_ms = base::JsonIntAt<int64_t>(j, "reported_ms");
      a.confirm_detail = j.at("confirm_detail").get<std::string>();
    }
    return a;
  });
}

std::string FormatRegistryEntry(const RegistryEntry& e) {
  return Dump(json{{"sha256", e.sha256},
                   {"size", e.size},
                   {"sources", e.sources},
                   {"checksums", e.checksums},
                   {"artifact_name", e.artifact_name},
                   {"platform", e.platform},
                   {"signature", static_cast<int>(e.signature)},
                   {"signer_key_id", e.signer_key_id},
                   {"version_output", e.version_output},
                   {"added_ms", e.added_ms},
                   {"verified_ms", e.verified_ms}});
}

base::Result<RegistryEntry> ParseRegistryEntry(std::string_view text) {
  return ReadObject<RegistryEntry>(text, [](const json& j) {
    RegistryEntry e;
    e.sha256 = j.at("sha256").get<std::string>();
    e.size = base::JsonIntAt<uint64_t>(j, "size");
    e.sources = j.at("sources").get<std::vector<std::string>>();
    e.checksums = j.at("checksums").get<std::vector<std::string>>();
    e.artifact_name = j.at("artifact_name").get<std::string>();
    e.platform = j.at("platform").get<std::string>();
    int sig = base::JsonIntAt<int>(j, "signature");
    if (sig != 0 && sig != 1) throw json::other_error::create(501, "bad signature status", &j);
    e.signature = static_cast<SignatureStatus>(sig);
    e.signer_key_id = j.at("signer_key_id").get<std::string>();
    e.version_output = j.at("version_output").get<std::string>();
    e.added_ms = base::JsonIntAt<int64_t>(j, "added_ms");
    e.verified_ms = base::JsonIntAt<int64_t>(j, "verified_ms");
    return e;
  });
}

std::string FormatNameTargets(const NameTargets& targets) { return Dump(json(targets)); }

base::Result<NameTargets> ParseNameTargets(std::string_view text) {
  return ReadObject<NameTargets>(text, [](const json& j) { return j.get<NameTargets>(); });
}

std::string FormatAuditFacts(const AuditFacts& f) {
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
  return Dump(j);
}

base::Result<AuditFacts> ParseAuditFacts(std::string_view text) {
  return ReadObject<AuditFacts>(text, [](const json& j) {
    AuditFacts f;
    f.url = j.at("url").get<std::string>();
    f.checksum = j.at("checksum").get<std::string>();
    f.sha256 = j.at("sha256").get<std::string>();
    f.size = base::JsonIntAt<uint64_t>(j, "size");
    f.http_status = base::JsonIntAt<long>(j, "http_status");
    f.archive = VerdictFromJson(j.at("archive"));
    f.formats = VerdictMapFromJson(j.at("formats"));
    if (j.contains("version")) f.version = VerdictFromJson(j.at("version"));
    f.signatures = VerdictMapFromJson(j.at("signatures"));
    f.checked_ms = base::JsonIntAt<int64_t>(j, "checked_ms");
    return f;
  });
}

base::Result<uint64_t> ParseCounter(std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return base::Status::Corruption("counter is not a decimal number: \"" +
                                    std::string(text.substr(0, 40)) + "\"");
  }
  return v;
}

}  // namespace state
