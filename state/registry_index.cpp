#include "state/registry_index.h"

#include "base/redact.h"
#include "base/result_context.h"
#include "state/records.h"

namespace state {
namespace {

constexpr std::string_view kBlobPrefix = "registry/blob/";
constexpr std::string_view kNamePrefix = "registry/name/";
constexpr std::string_view kAltPrefix = "registry/alt/";

std::string Key(std::string_view prefix, std::string_view rest) {
  return std::string(prefix) + std::string(rest);
}

// Stored without URL credentials (base/redact.h).
std::string EntryToJson(RegistryEntry e) {
  for (auto& s : e.sources) s = base::RedactUrlUserInfo(s);
  return FormatRegistryEntry(e);
}

base::Result<RegistryEntry> EntryFromJson(std::string_view key, std::string_view text) {
  return base::WithContext(ParseRegistryEntry(text), "registry index record " + std::string(key));
}

base::Result<NameTargets> TargetsFromJson(std::string_view key, std::string_view text) {
  return base::WithContext(ParseNameTargets(text), "registry index record " + std::string(key));
}

void AddEntryOps(Database::Batch& b, const RegistryEntry& e) {
  b.Put(Key(kBlobPrefix, e.sha256), EntryToJson(e));
  for (const auto& c : e.checksums) b.Put(Key(kAltPrefix, c), e.sha256);
}

}  // namespace

std::string_view SignatureStatusName(SignatureStatus s) {
  switch (s) {
    case SignatureStatus::kNone: return "none";
    case SignatureStatus::kVerified: return "verified";
  }
  return "unknown";
}

base::Result<std::optional<RegistryEntry>> RegistryIndex::Get(std::string_view sha256) const {
  std::string key = Key(kBlobPrefix, sha256);
  ASSIGN_OR_RETURN(auto raw, db_.Get(key));
  if (!raw) return std::optional<RegistryEntry>();
  ASSIGN_OR_RETURN(auto e, EntryFromJson(key, *raw));
  return std::optional<RegistryEntry>(std::move(e));
}

base::Status RegistryIndex::Put(const RegistryEntry& entry) {
  if (entry.sha256.empty()) return base::Status::InvalidArgument("registry entry without sha256");
  Database::Batch b;
  AddEntryOps(b, entry);
  return db_.Write(b);
}

base::Status RegistryIndex::PutAndName(const RegistryEntry& entry, std::string_view name,
                                       std::string_view platform) {
  if (entry.sha256.empty()) return base::Status::InvalidArgument("registry entry without sha256");
  ASSIGN_OR_RETURN(NameTargets targets, GetName(name));
  targets[std::string(platform)] = entry.sha256;
  Database::Batch b;
  AddEntryOps(b, entry);
  b.Put(Key(kNamePrefix, name), FormatNameTargets(targets));
  return db_.Write(b);
}

base::Result<std::optional<std::string>> RegistryIndex::FindByChecksum(
    std::string_view checksum) const {
  constexpr std::string_view kSha256 = "sha256:";
  if (checksum.substr(0, kSha256.size()) == kSha256) {
    std::string sha(checksum.substr(kSha256.size()));
    ASSIGN_OR_RETURN(auto raw, db_.Get(Key(kBlobPrefix, sha)));
    if (!raw) return std::optional<std::string>();
    return std::optional<std::string>(sha);
  }
  return db_.Get(Key(kAltPrefix, checksum));
}

base::Status RegistryIndex::SetName(std::string_view name, std::string_view platform,
                                    std::string_view sha256) {
  if (name.empty()) return base::Status::InvalidArgument("registry name is empty");
  ASSIGN_OR_RETURN(NameTargets targets, GetName(name));
  targets[std::string(platform)] = std::string(sha256);
  return db_.Put(Key(kNamePrefix, name), FormatNameTargets(targets));
}

base::Result<NameTargets> RegistryIndex::GetName(std::string_view name) const {
  std::string key = Key(kNamePrefix, name);
  ASSIGN_OR_RETURN(auto raw, db_.Get(key));
  if (!raw) return NameTargets{};
  return TargetsFromJson(key, *raw);
}

base::Result<std::vector<RegistryEntry>> RegistryIndex::List() const {
  ASSIGN_OR_RETURN(auto rows, db_.Scan(kBlobPrefix));
  std::vector<RegistryEntry> out;
  out.reserve(rows.size());
  for (const auto& [key, value] : rows) {
    ASSIGN_OR_RETURN(auto e, EntryFromJson(key, value));
    out.push_back(std::move(e));
  }
  return out;
}

base::Result<std::vector<std::pair<std::string, NameTargets>>> RegistryIndex::ListNames() const {
  ASSIGN_OR_RETURN(auto rows, db_.Scan(kNamePrefix));
  std::vector<std::pair<std::string, NameTargets>> out;
  for (const auto& [key, value] : rows) {
    ASSIGN_OR_RETURN(auto targets, TargetsFromJson(key, value));
    out.emplace_back(key.substr(kNamePrefix.size()), std::move(targets));
  }
  return out;
}

base::Status RegistryIndex::Remove(std::string_view sha256) {
  ASSIGN_OR_RETURN(auto entry, Get(sha256));
  Database::Batch b;
  b.Delete(Key(kBlobPrefix, sha256));
  if (entry) {
    for (const auto& c : entry->checksums) b.Delete(Key(kAltPrefix, c));
  }
  ASSIGN_OR_RETURN(auto names, ListNames());
  for (auto& [name, targets] : names) {
    bool changed = false;
    for (auto it = targets.begin(); it != targets.end();) {
      if (it->second == sha256) {
        it = targets.erase(it);
        changed = true;
      } else {
        ++it;
      }
    }
    if (!changed) continue;
    if (targets.empty()) {
      b.Delete(Key(kNamePrefix, name));
    } else {
      b.Put(Key(kNamePrefix, name), FormatNameTargets(targets));
    }
  }
  return db_.Write(b);
}

}  // namespace state
