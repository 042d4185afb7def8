#include "replayer/commands/import_home.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "binary-registry/hashing.h"
#include "replayer/config/layout.h"

namespace replayer {

namespace fs = std::filesystem;

base::Result<plans::ImportResult> ImportScheduleFromCosmovisorHome(const std::string& home,
                                                                   const std::string& daemon) {
  Layout layout(home, daemon);
  plans::ImportResult result;
  result.schedule.daemon_name = daemon;
  auto add_binary = [&](plans::Segment& seg, const std::string& bin) -> base::Status {
    ASSIGN_OR_RETURN(std::string hex, registry::HashFileHex(bin, plans::HashAlgo::kSha256));
    plans::BinarySpec spec;
    spec.platform = std::string(plans::HostPlatform());
    spec.url = "file://" + bin;
    spec.checksum = plans::Checksum{plans::HashAlgo::kSha256, hex};
    seg.binaries[spec.platform] = spec;
    seg.sources["binaries"] = "cosmovisor home " + home;
    return {};
  };
  plans::Segment genesis;
  genesis.first_height = 1;
  genesis.kind = plans::SwitchKind::kGenesis;
  genesis.name = "genesis";
  genesis.sources["first_height"] = "assumed: a Cosmovisor home does not record it";
  if (layout.CheckTargetBinary("genesis").ok()) {
    RETURN_IF_ERROR(add_binary(genesis, layout.TargetBinary("genesis")));
  } else {
    result.notes.push_back({"genesis", "no executable " + layout.TargetBinary("genesis")});
  }
  result.schedule.segments.push_back(genesis);
  std::error_code ec;
  std::vector<plans::Segment> upgrades;
  for (const auto& e : fs::directory_iterator(layout.UpgradesDir(), ec)) {
    std::string dir = e.path().filename().string();
    if (!e.is_directory() || dir.starts_with(".")) continue;
    std::string target = Layout::UpgradeTarget(dir);
    auto info = layout.ReadTargetUpgradeInfo(target);
    if (!info.ok() || !*info) {
      result.notes.push_back({"upgrades/" + dir, "no upgrade-info.json beside the binary, so its "
                                                 "height is unknown; left out"});
      continue;
    }
    plans::Segment seg;
    seg.first_height = (*info)->height;
    seg.kind = plans::SwitchKind::kGovernancePlan;
    seg.name = (*info)->name;
    seg.sources["first_height"] = "cosmovisor home upgrade-info.json";
    seg.sources["kind"] = "assumed: Cosmovisor only switches at governance plans";
    if (layout.CheckTargetBinary(target).ok()) {
      RETURN_IF_ERROR(add_binary(seg, layout.TargetBinary(target)));
    }
    upgrades.push_back(seg);
  }
  std::sort(upgrades.begin(), upgrades.end(),
            [](const auto& a, const auto& b) { return a.first_height < b.first_height; });
  for (auto& s : upgrades) result.schedule.segments.push_back(std::move(s));
  return result;
}

}  // namespace replayer
