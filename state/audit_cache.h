// state::AuditCache: what `replayer audit` verified about one binary artefact, kept so that a
// second audit of the same binaries downloads and runs nothing.
//
// The key pins the content: daemon name + URL + the checksum the artefact matched. Only
// artefacts whose declared checksum matched are recorded (content that no checksum pins may
// change under the same URL, so nothing about it is remembered). The facts are what needs the
// file itself: HTTP status, size, archive layout, the ELF check per platform, what `version`
// printed on the host, and the signature verdict per (signature URL, trusted key set). Judging
// them against a schedule (expected version, required platform) stays with the caller, so an
// edited schedule is judged afresh from the same facts. One JSON value per key, written with a
// synced Put. Knows nothing about files, HTTP or hashing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "state/database.h"

namespace state {

struct AuditVerdict {
  bool ok = false;
  std::string detail;  // what was found when ok, the reason otherwise
  bool operator==(const AuditVerdict&) const = default;
};

struct AuditFacts {
  std::string url;       // as audited (checksum query removed)
  std::string checksum;  // "sha256:<hex>": the declared checksum the artefact matched
  std::string sha256;    // of the artefact
  uint64_t size = 0;
  long http_status = 0;   // 0 for local files
  AuditVerdict archive;   // ok: the layout found, e.g. "tar (gzip), bin/appd"
  std::map<std::string, AuditVerdict> formats;  // platform key -> executable format check
  std::optional<AuditVerdict> version;  // host probe; ok: detail is the trimmed output
  // "<signature URL> <comma-separated trusted key ids>" -> verdict (ok: detail names the key)
  std::map<std::string, AuditVerdict> signatures;
  int64_t checked_ms = 0;  // when the artefact was last downloaded and inspected
  bool operator==(const AuditFacts&) const = default;
};

class AuditCache {
 public:
  explicit AuditCache(Database& db) : db_(db) {}

  static std::string Key(std::string_view daemon, std::string_view url,
                         std::string_view checksum);

  // nullopt when nothing is recorded; an unreadable record is kCorruption naming the key.
  base::Result<std::optional<AuditFacts>> Get(std::string_view key) const;
  base::Status Put(std::string_view key, const AuditFacts& facts);

 private:
  Database& db_;
};

}  // namespace state
