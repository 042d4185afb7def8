#include "state/audit_cache.h"

#include "state/records.h"

namespace state {
namespace {

constexpr std::string_view kPrefix = "audit/v1/";

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
  auto facts = ParseAuditFacts(*text);
  if (!facts.ok()) {
    std::string printable(key);
    for (char& c : printable) {
      if (c == '\n') c = ' ';
    }
    return facts.status().WithContext("audit cache record " + printable);
  }
  return std::optional<AuditFacts>(std::move(facts).value());
}

base::Status AuditCache::Put(std::string_view key, const AuditFacts& f) {
  return db_.Put(key, FormatAuditFacts(f));
}

}  // namespace state
