// Fuzz target: the upgrade-info.json parser, the log-line matcher and the folder-name mapping
// must never crash, and whatever parses must survive a format/parse round trip.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "upgrade-plans/upgrade_info.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = plans::ParseUpgradeInfo(text);
  if (parsed.ok()) {
    auto again = plans::ParseUpgradeInfo(plans::FormatUpgradeInfo(*parsed));
    if (!again.ok() || again->name != parsed->name || again->height != parsed->height ||
        again->info != parsed->info) {
      std::abort();
    }
  }
  (void)plans::ParseUpgradeNeededLine(text);
  (void)plans::UpgradeDirName(text, false);
  return 0;
}
