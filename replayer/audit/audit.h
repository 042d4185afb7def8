// replayer::RunAudit: checks a whole upgrade schedule without syncing anything.
//
// For every segment and platform it answers, one check each: does the schedule name a binary
// for the platform ("info"), does its URL answer ("url"), is a checksum present and does the
// artefact match it ("checksum"), does the artefact unpack to `<daemon>` or `bin/<daemon>`
// ("archive"), is the executable built for the platform or a `#!` script ("elf"), does its
// minisign signature verify with a trusted key ("signature"), does `<binary> version` print the
// segment's version ("version", host platform only), and, with a REST URL, does the chain's
// applied_plan height equal the segment's first height ("height", governance segments only).
// Distinct artefacts are downloaded once each, in parallel (curl multi), into a scratch folder
// under the registry store's tmp/ that is removed before returning; unpacking and probing run
// on `parallel` threads. A binary is only executed once its declared checksum matched (or when
// checksums are not required and none is declared). Facts about checksum-verified artefacts are
// kept in a state::AuditCache, so auditing the same binaries again downloads nothing. Nothing
// else is written: no install, no change to `current`, upgrades/ or the data. Problems found
// are results, never errors; RunAudit fails only for bad options (kInvalidArgument).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "binary-registry/registry.h"
#include "replayer/audit/audit_options.h"
#include "state/database.h"
#include "upgrade-plans/schedule.h"

namespace replayer {

struct AuditCheck {
  // "info", "url", "checksum", "archive", "elf", "signature", "version", "height"
  std::string name;
  enum class Result { kPass, kFail, kWarn, kSkip } result = Result::kSkip;
  std::string detail;
};

// "PASS", "FAIL", "WARN", "SKIP".
std::string_view AuditResultName(AuditCheck::Result result);

struct AuditRow {
  size_t segment = 0;
  std::string label;  // plans::SegmentLabel, e.g. `segments[2] "v10"`
  int64_t first_height = 0;
  std::string platform;
  std::vector<AuditCheck> checks;  // always all eight, in the order named above
  bool ok() const;  // no check failed (warnings and skips are fine)
  const AuditCheck* Find(std::string_view name) const;
};

struct AuditReport {
  std::vector<AuditRow> rows;  // segment order, then the order of AuditOptions::platforms
  size_t artifacts = 0;        // distinct artefacts (URL + checksum) the rows refer to
  size_t downloaded = 0;       // of those, fetched in this run
  size_t from_cache = 0;       // of those, answered from the audit cache
  uint64_t bytes_downloaded = 0;
  bool ok() const;
};

// `cache` may be null (nothing remembered). `settings` supplies the store root (scratch space),
// the download policy, must_have_checksum, trusted keys and the probe timeout; its `platform`
// is ignored in favour of options.platforms.
base::Result<AuditReport> RunAudit(const plans::Schedule& schedule, const AuditOptions& options,
                                   const registry::RegistrySettings& settings,
                                   state::Database* cache);

// An aligned table, one row per segment and platform, a summary line, then every failure and
// warning with its detail.
std::string FormatAuditTable(const AuditReport& report);
// {"ok":..., "artifacts":..., "rows":[{"segment", "label", "first_height", "platform", "ok",
// "checks":{"<name>":{"result":"pass|fail|warn|skip","detail":...}}}]}
std::string FormatAuditJson(const AuditReport& report);

}  // namespace replayer
