// plans batch upgrades: Cosmovisor v1.7's `add-batch-upgrade` inputs and its batch file, parsed
// and formatted (pure, no I/O).
//
// Inputs: `--upgrade-list name:path:height,...` and `--upgrade-file F`, a CSV file with no header
// and exactly three fields per row (name, path, height; leading spaces of a field trimmed, Go
// encoding/csv quoting, blank lines skipped). The batch file `data/upgrade-info.json.batch` is a
// JSON array of {name, height[, info]}, as Cosmovisor writes it. Names pass CheckPlanName,
// heights are above 0, and a name appears once per batch. Errors name the entry (its number and
// text). Never touches the file system: reading the file and checking binaries is the caller's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "upgrade-plans/upgrade_info.h"

namespace plans {

struct BatchEntry {
  std::string name;
  std::string binary;  // path as given
  int64_t height = 0;
  bool operator==(const BatchEntry&) const = default;
};

// `name:path:height,...` (the --upgrade-list value). Entries in the order given.
base::Result<std::vector<BatchEntry>> ParseBatchList(std::string_view text);
// The CSV text of an --upgrade-file.
base::Result<std::vector<BatchEntry>> ParseBatchCsv(std::string_view text);

// The batch file's JSON array, sorted by height (then name). Pure.
std::string FormatBatchFile(std::vector<UpgradeInfo> plans);
// Parses data/upgrade-info.json.batch; returns the plans sorted by height.
base::Result<std::vector<UpgradeInfo>> ParseBatchFile(std::string_view text);

}  // namespace plans
