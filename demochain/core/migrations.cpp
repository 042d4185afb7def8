#include "demochain/core/migrations.h"

#include <stdexcept>
#include <utility>
#include <vector>

#include "demochain/core/modules.h"

namespace demochain {

static void MigrateBankV1ToV2(KvState& s) {
  std::vector<std::pair<std::string, std::string>> rewritten;
  s.ForEachPrefix("bank/balance/", [&](const std::string& k, const std::string& v) {
    rewritten.emplace_back(k, EncodeBalance(2, DecodeBalance(1, v)));
    return true;
  });
  for (auto& [k, v] : rewritten) s.Set(k, std::move(v));
}

void MigrateModuleOneStep(KvState& s, const std::string& module, uint64_t from) {
  if (module == "bank" && from == 1) return MigrateBankV1ToV2(s);
  if (module == "staking" && from == 1) return InitStakingV2(s);  // "v4": params + total bonded
  throw std::runtime_error("no migration registered for module " + module + " from version " +
                           std::to_string(from));
}

void InitModuleGenesis(KvState& s, const std::string& module) {
  if (module == "mint") {
    SetU64(s, "mint/params/block_reward", kDefaultBlockReward);
    SetU64(s, "mint/minted_total", 0);
    return;
  }
  throw std::runtime_error("module " + module + " cannot be added by an upgrade");
}

std::string RunMigrations(KvState& s, const std::map<std::string, uint64_t>& target) {
  std::map<std::string, uint64_t> stored = StoredModuleVersions(s);
  std::string done;
  auto note = [&](const std::string& what) { done += (done.empty() ? "" : ", ") + what; };
  for (const auto& [module, to] : target) {
    auto it = stored.find(module);
    if (it == stored.end()) {
      InitModuleGenesis(s, module);
      note(module + " init");
    } else if (it->second > to) {
      throw std::runtime_error("module " + module + " is at version " + std::to_string(it->second) +
                               ", newer than this binary's " + std::to_string(to));
    } else {
      for (uint64_t v = it->second; v < to; ++v) {
        MigrateModuleOneStep(s, module, v);
        note(module + " " + std::to_string(v) + "->" + std::to_string(v + 1));
      }
    }
    SetModuleVersion(s, module, to);
  }
  return done.empty() ? "none" : done;
}

}  // namespace demochain
