#include "replayer/commands/import_home.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <vector>

#include "binary-registry/hashing.h"
#include "replayer/config/layout.h"
#include "replayer/process/process.h"

namespace replayer {

namespace fs = std::filesystem;

namespace {

// The binary's own `version --long` names its Cosmos SDK version: its halt behaviour.
void ProbeHaltSemantics(plans::Segment& seg, const std::string& bin) {
  PosixProcessLauncher launcher;
  SpawnOptions opts;
  opts.path = bin;
  opts.args = {"version", "--long"};
  auto run = RunCaptured(launcher, opts, std::chrono::seconds(30));
  std::string sdk = run.ok() ? plans::SdkVersionFromVersionOutput(run->out) : "";
  seg.halt_semantics = plans::HaltSemanticsFromSdkVersion(sdk);
  if (sdk.empty()) {
    seg.sources["halt_semantics"] = "unknown: " + bin + " version --long names no Cosmos SDK";
  } else if (seg.halt_semantics == plans::HaltSemantics::kUnknown) {
    seg.sources["halt_semantics"] = "unknown: probe " + bin + " version --long: SDK " + sdk +
                                    " is not a line whose --halt-height behaviour is known";
  } else {
    seg.sources["halt_semantics"] = "probe " + bin + " version --long: cosmos_sdk_version " + sdk;
  }
}

}  // namespace

base::Result<plans::ImportResult> ImportScheduleFromCosmovisorHome(
    const std::string& home, const std::string& daemon, const std::string& daemon_source) {
  Layout layout(home, daemon);
  plans::ImportResult result;
  result.schedule.daemon_name = daemon;
  result.schedule.sources["daemon_name"] = daemon_source;
  auto add_binary = [&](plans::Segment& seg, const std::string& bin) -> base::Status {
    ProbeHaltSemantics(seg, bin);
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
  genesis.first_height = plans::kUnknownHeight;
  genesis.kind = plans::SwitchKind::kGenesis;
  genesis.name = "genesis";
  genesis.halt_semantics = plans::HaltSemantics::kUnknown;
  genesis.sources["first_height"] = "unknown: a Cosmovisor home does not record it";
  genesis.sources["binaries"] = "unknown: no genesis binary in cosmovisor home " + home;
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
    seg.halt_semantics = plans::HaltSemantics::kUnknown;
    seg.sources["binaries"] = "unknown: no executable in cosmovisor home upgrades/" + dir;
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
  result.schedule.format_version = plans::RequiredFormatVersion(result.schedule);
  return result;
}

}  // namespace replayer
