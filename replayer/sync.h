// replayer sync: replay a chain from the node's current height along a recorded schedule.
//
// PrepareSync fetches and verifies every binary of the schedule before anything runs (in
// parallel, through the binary registry) and installs each where the Cosmovisor layout expects
// it (segment 0 in `genesis/`, the others in `upgrades/<name>/`), or refuses listing everything
// that is missing. SyncPolicy then steers the ordinary supervisor: each binary starts with the
// halt height that ends its segment, a governance plan the node reports must be exactly the
// scheduled one, and a node that halted where the schedule says switches to the next segment
// through the same journaled upgrade transaction as `replayer run`.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "binary-registry/registry.h"
#include "replayer/config.h"
#include "replayer/layout.h"
#include "replayer/process.h"
#include "replayer/run_policy.h"
#include "upgrade-plans/schedule.h"

namespace replayer {

// "genesis" for the first segment, "upgrades/<dir>" for the others.
std::string SegmentTarget(const plans::Schedule& schedule, size_t index, bool disable_recase);

struct PrepareReport {
  std::vector<std::string> lines;     // one per segment: what was done
  std::vector<std::string> problems;  // everything that is missing or wrong
};
// Lints, fetches, verifies and installs every segment's binary. Non-OK (listing every problem)
// when anything is missing; nothing in the home is switched either way.
base::Result<PrepareReport> PrepareSync(const plans::Schedule& schedule, const Config& config,
                                        const Layout& layout,
                                        const registry::RegistrySettings& settings);

class SyncPolicy final : public RunPolicy {
 public:
  SyncPolicy(const plans::Schedule& schedule, const Config& config, const Layout& layout,
             ProcessLauncher& launcher, std::optional<int64_t> until);

  base::Result<BeforeLaunch> CheckBeforeLaunch(const std::string& current_target) override;
  base::Result<std::vector<std::string>> LaunchArgs(
      const std::string& current_target, const std::vector<std::string>& base_args) override;
  base::Status CheckReportedPlan(const std::string& current_target,
                                 const plans::UpgradeInfo& plan) override;
  base::Result<std::optional<plans::UpgradeInfo>> OnNodeExit(const std::string& current_target,
                                                             const ExitInfo& exit) override;
  void OnLaunched(const std::string& current_target) override;

  // Segment timings for the summary: index -> (first launch, last switch away) steady times.
  struct SegmentTiming {
    std::optional<std::chrono::steady_clock::time_point> started;
    std::optional<std::chrono::steady_clock::time_point> ended;
  };
  const std::vector<SegmentTiming>& timings() const { return timings_; }

 private:
  base::Result<size_t> SegmentOf(const std::string& target) const;
  // The height the segment's node must halt at (commit, then exit), if any.
  std::optional<int64_t> HaltHeight(size_t index) const;
  base::Result<int64_t> NodeHeight(const std::string& target);
  std::optional<plans::UpgradeInfo> NextHaltSwitch(size_t index) const;

  const plans::Schedule& schedule_;
  const Config& config_;
  const Layout& layout_;
  ProcessLauncher& launcher_;
  std::optional<int64_t> until_;
  std::vector<SegmentTiming> timings_;
};

}  // namespace replayer
