// What distinguishes one demochaind release from another: its version string, the consensus
// version of each module it wires, the upgrade handlers compiled into it, and the consensus rules
// it implements (the v2.1.0 fee-rounding fix). Each executable picks its traits from a compile
// definition in version_main.cpp; everything else in the tree is shared, as in a real chain whose
// releases are built from one repository at different tags.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace demochain {

struct VersionTraits {
  std::string version;                              // "v2.1.0"
  std::map<std::string, uint64_t> module_versions;  // module -> consensus version
  std::vector<std::string> upgrade_handlers;        // plan names this binary can apply
  bool fee_rounding_fix = false;         // fees round up from bank param fee_rounding_fix_height
  bool pre_upgrade_implemented = false;  // `pre-upgrade` exits 1 ("not implemented") otherwise

  bool HasHandler(const std::string& plan_name) const;
  bool HasModule(const std::string& module) const { return module_versions.count(module) > 0; }
  uint64_t ModuleVersion(const std::string& module) const;  // 0 when not wired
};

// The releases this source tree can build. Returns false for an unknown version string.
bool TraitsForVersion(const std::string& version, VersionTraits* out);
std::vector<std::string> KnownVersions();

}  // namespace demochain
