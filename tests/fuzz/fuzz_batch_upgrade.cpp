// Fuzz target: the add-batch-upgrade parsers (--upgrade-list, --upgrade-file CSV, the batch file)
// must never crash; what parses has names CheckPlanName accepts and heights above 0, and a batch
// file survives a format/parse round trip.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "upgrade-plans/batch_upgrade.h"

namespace {

void CheckEntries(const base::Result<std::vector<plans::BatchEntry>>& r) {
  if (!r.ok()) return;
  for (const auto& e : *r) {
    if (e.height <= 0 || e.binary.empty() || !plans::CheckPlanName(e.name).ok()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckEntries(plans::ParseBatchList(text));
  CheckEntries(plans::ParseBatchCsv(text));
  auto file = plans::ParseBatchFile(text);
  if (file.ok()) {
    auto again = plans::ParseBatchFile(plans::FormatBatchFile(*file));
    if (!again.ok() || again->size() != file->size()) std::abort();
    for (size_t i = 0; i < file->size(); ++i) {
      if ((*again)[i].height != (*file)[i].height) std::abort();
    }
  }
  return 0;
}
