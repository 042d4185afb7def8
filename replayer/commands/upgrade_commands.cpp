#include "replayer/commands/upgrade_commands.h"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "binary-registry/verify.h"
#include "replayer/chain/chain_query.h"
#include "replayer/config/file_util.h"
#include "replayer/config/layout.h"
#include "replayer/supervisor/height_gate.h"

namespace replayer {

std::string BatchFilePath(const Config& config) {
  return Layout(config.home, config.name).UpgradeInfoFile() + ".batch";
}

base::Result<std::vector<std::string>> AddBatchUpgrade(
    const Config& config, const std::vector<plans::BatchEntry>& entries) {
  if (entries.empty()) return base::Status::InvalidArgument("the batch names no upgrades");
  Layout layout(config.home, config.name);
  // Every entry is checked before anything is written: one bad entry refuses the batch.
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    std::string which = "batch entry " + std::to_string(i + 1) + " (\"" + e.name + "\", " +
                        e.binary + ")";
    struct stat st {};
    if (::stat(e.binary.c_str(), &st) != 0) {
      return base::Status::NotFound(which + ": binary " + e.binary + " does not exist");
    }
    if (!S_ISREG(st.st_mode)) {
      return base::Status::InvalidArgument(which + ": " + e.binary + " is not a regular file");
    }
    if (auto f = registry::CheckExecutableFormat(e.binary, "any"); !f.ok()) {
      return base::Status(f.code(), which + ": " + f.message());
    }
    for (size_t j = 0; j < i; ++j) {
      if (plans::UpgradeDirName(entries[j].name, config.disable_recase) ==
          plans::UpgradeDirName(e.name, config.disable_recase)) {
        return base::Status::InvalidArgument(which + ": same upgrade folder as entry " +
                                             std::to_string(j + 1) + " (\"" + entries[j].name +
                                             "\")");
      }
    }
  }
  RETURN_IF_ERROR(MakeDirs(layout.DataDir()));
  std::vector<std::string> actions;
  std::vector<plans::UpgradeInfo> batch;
  for (const auto& e : entries) {
    std::string dir = plans::UpgradeDirName(e.name, config.disable_recase);
    std::string target = Layout::UpgradeTarget(dir);
    RETURN_IF_ERROR(layout.InstallBinary(e.binary, target, /*force=*/true));
    nlohmann::json marker{{"name", e.name}, {"height", e.height}};
    RETURN_IF_ERROR(WriteFileAtomic(ManualPlanMarker(layout, dir), marker.dump() + "\n"));
    actions.push_back("installed " + e.binary + " as " + layout.TargetBinary(target) +
                      " for upgrade \"" + e.name + "\" at height " + std::to_string(e.height));
    batch.push_back(plans::UpgradeInfo{e.name, e.height, "", ""});
  }
  std::string path = BatchFilePath(config);
  RETURN_IF_ERROR(WriteFileAtomic(path, plans::FormatBatchFile(batch)));
  actions.push_back("wrote " + path + " (" + std::to_string(batch.size()) +
                    " upgrades; `replayer run` moves each into " + layout.UpgradeInfoFile() +
                    " in turn and switches once the node reports its height)");
  return actions;
}

base::Result<std::vector<std::string>> PrepareUpgrade(const Config& config,
                                                      const PrepareUpgradeOptions& options,
                                                      const registry::RegistrySettings& settings,
                                                      registry::ProgressSink* progress) {
  ASSIGN_OR_RETURN(auto plan, QueryCurrentPlan(options.rest_url, settings.download));
  std::vector<std::string> actions;
  if (!plan) {
    actions.push_back("no upgrade plan is scheduled (" + options.rest_url +
                      "/cosmos/upgrade/v1beta1/current_plan); nothing to prepare");
    return actions;
  }
  if (auto st = plans::CheckPlanName(plan->name); !st.ok()) {
    return base::Status(st.code(), options.rest_url + ": current plan: " + st.message());
  }
  actions.push_back("upcoming upgrade \"" + plan->name + "\" at height " +
                    std::to_string(plan->height));
  registry::EnsureRequest req;
  req.daemon_home = config.home;
  req.daemon_name = config.name;
  req.upgrade_dir = plans::UpgradeDirName(plan->name, config.disable_recase);
  req.plan_name = plan->name;
  req.plan_info = plan->info;
  auto r = registry::EnsureUpgradeBinary(req, settings, progress);
  if (!r.ok()) {
    return base::Status(r.status().code(), "upgrade \"" + plan->name + "\" (from " +
                                               options.rest_url + "): " + r.status().message());
  }
  if (r->already_present) {
    actions.push_back(r->binary + " is already in place; nothing downloaded");
  } else {
    actions.push_back("installed " + r->binary + " from " + r->source + " (sha256 " + r->sha256 +
                      ")");
  }
  actions.push_back("`current` is unchanged; the switch happens when the node reaches height " +
                    std::to_string(plan->height));
  return actions;
}

}  // namespace replayer
