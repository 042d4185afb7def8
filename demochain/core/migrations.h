// In-place store migrations, the demochain analogue of the SDK's module manager RunMigrations:
// from the module version map stored in state to the version map of the running binary, run
// each registered single-step migration (bank 1 -> 2 rewrites every balance from decimal text
// to 8-byte big-endian; staking 1 -> 2, in "v4", adds the staking params and the total bonded
// stake), InitGenesis for modules the stored map lacks (mint, added by "v3"), and
// store the new map. Throws std::runtime_error when a needed migration does not exist.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "demochain/core/kv_state.h"

namespace demochain {

// Migrates `module` from version `from` to `from + 1`. Throws if no such migration exists.
void MigrateModuleOneStep(KvState& s, const std::string& module, uint64_t from);

// A module's InitGenesis when an upgrade adds it. Throws for modules that cannot be added.
void InitModuleGenesis(KvState& s, const std::string& module);

// Runs every migration from the stored map to `target` and stores `target`.
// Returns a human-readable list of what ran ("bank 1->2, mint init").
std::string RunMigrations(KvState& s, const std::map<std::string, uint64_t>& target);

}  // namespace demochain
