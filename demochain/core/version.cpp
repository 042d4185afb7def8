#include "demochain/core/version.h"

#include <algorithm>

namespace demochain {

bool VersionTraits::HasHandler(const std::string& plan_name) const {
  return std::find(upgrade_handlers.begin(), upgrade_handlers.end(), plan_name) !=
         upgrade_handlers.end();
}

uint64_t VersionTraits::ModuleVersion(const std::string& module) const {
  auto it = module_versions.find(module);
  return it == module_versions.end() ? 0 : it->second;
}

std::vector<std::string> KnownVersions() {
  return {"v1.0.0", "v2.0.0", "v2.1.0", "v3.0.0", "v4.0.0"};
}

bool TraitsForVersion(const std::string& version, VersionTraits* out) {
  VersionTraits t;
  t.version = version;
  if (version == "v1.0.0") {
    // Genesis release: balances stored as decimal text (bank v1), no handlers.
    t.module_versions = {{"bank", 1}, {"gov", 1}, {"staking", 1}, {"upgrade", 1}};
  } else if (version == "v2.0.0" || version == "v2.1.0") {
    // "v2": bank v2 stores balances as 8-byte big-endian integers (migration rewrites them).
    // v2.1.0 is the patch release: same handlers, plus the fee-rounding fix from a fixed height.
    t.module_versions = {{"bank", 2}, {"gov", 1}, {"staking", 1}, {"upgrade", 1}};
    t.upgrade_handlers = {"v2"};
    t.fee_rounding_fix = version == "v2.1.0";
    t.pre_upgrade_implemented = true;
  } else if (version == "v3.0.0") {
    // "v3": adds the mint module (InitGenesis in the handler); keeps the fee fix.
    t.module_versions = {{"bank", 2}, {"gov", 1}, {"mint", 1}, {"staking", 1}, {"upgrade", 1}};
    t.upgrade_handlers = {"v3"};
    t.fee_rounding_fix = true;
    t.pre_upgrade_implemented = true;
  } else if (version == "v4.0.0") {
    // "v4": staking 1 -> 2 (adds the staking params and the total-bonded record the
    // migration computes from the validator set); keeps mint and the fee fix.
    t.module_versions = {{"bank", 2}, {"gov", 1}, {"mint", 1}, {"staking", 2}, {"upgrade", 1}};
    t.upgrade_handlers = {"v4"};
    t.fee_rounding_fix = true;
    t.pre_upgrade_implemented = true;
  } else {
    return false;
  }
  *out = std::move(t);
  return true;
}

}  // namespace demochain
