// replayer sync: replay a chain from the node's current height along a recorded schedule.
//
// PrepareSync fetches and verifies every binary of the schedule before anything runs (in
// parallel, through the binary registry) and installs each where the Cosmovisor layout expects
// it (segment 0 in `genesis/`, the others in `upgrades/<name>/`), or refuses listing everything
// that is missing. SyncPolicy then steers the ordinary supervisor: each binary starts with the
// halt height that ends its segment, a governance plan the node reports must be exactly the
// scheduled one, and a node that halted where the schedule says switches to the next segment
// through the same journaled upgrade transaction as `replayer run`. A node that shows it runs the
// wrong binary (block sync refusing the chain's app hash, a consensus failure that is neither its
// halt height nor a plan) is stopped, never waited for; the error names the segment and quotes
// the node's own last error lines.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "binary-registry/registry.h"
#include "replayer/config/config.h"
#include "replayer/config/layout.h"
#include "replayer/process/process.h"
#include "replayer/sync/progress.h"
#include "replayer/supervisor/run_policy.h"
#include "upgrade-plans/schedule.h"

namespace replayer {

// "genesis" for the first segment, "upgrades/<dir>" for the others.
std::string SegmentTarget(const plans::Schedule& schedule, size_t index, bool disable_recase);

struct PrepareReport {
  std::vector<std::string> lines;     // one per segment: what was done
  std::vector<std::string> problems;  // everything that is missing or wrong
};
struct PrepareOptions {
  // A node's REST base URL: every governance segment the sync reaches must have been applied
  // by the chain at exactly its first height. Empty: not checked before the run (a plan the
  // node reports at another height still stops the run).
  std::string rest_url;
  std::optional<int64_t> until;  // segments starting above it are not height-checked
};
// Checks, fetches, verifies and installs every segment's binary. All or nothing: each binary is
// unpacked and probed in a staging folder, and only when every segment passed are they moved
// into the layout. Non-OK (listing every problem) when anything is missing or wrong; then the
// layout, `current` and the data are as they were (the registry store may keep artefacts that
// matched their checksums, as a cache). The caller holds the home's lock (its state database):
// each run stages into a folder of its own and removes the staging folders of crashed runs.
base::Result<PrepareReport> PrepareSync(const plans::Schedule& schedule, const Config& config,
                                        const Layout& layout,
                                        const registry::RegistrySettings& settings,
                                        const PrepareOptions& options);

class SyncPolicy final : public RunPolicy {
 public:
  // `progress` (may be null) is fed with launches and the node's committed heights; `tick`
  // (may be empty) is called after each update, for periodic printing and storing.
  SyncPolicy(const plans::Schedule& schedule, const Config& config, const Layout& layout,
             ProcessLauncher& launcher, std::optional<int64_t> until,
             SyncProgress* progress = nullptr, std::function<void()> tick = {});

  base::Result<BeforeLaunch> CheckBeforeLaunch(const std::string& current_target) override;
  base::Result<std::vector<std::string>> LaunchArgs(
      const std::string& current_target, const std::vector<std::string>& base_args) override;
  base::Status CheckReportedPlan(const std::string& current_target,
                                 const plans::UpgradeInfo& plan) override;
  base::Result<std::optional<plans::UpgradeInfo>> OnNodeExit(const std::string& current_target,
                                                             const ExitInfo& exit) override;
  void OnLaunched(const std::string& current_target) override;
  bool OnNodeOutputLine(std::string_view line) override;
  // Adds the running binary's last error lines (ParseNodeErrorLine), those the message does not
  // quote yet, as "the node's own last error lines: [...] [...]".
  base::Status ExplainFailure(const base::Status& failure) const override;

  // Called with a segment's index the first time its binary is launched (notifications).
  void set_segment_listener(std::function<void(size_t index)> f) { segment_listener_ = std::move(f); }

  // Segment timings for the summary: index -> (first launch, last switch away) steady times.
  struct SegmentTiming {
    std::optional<std::chrono::steady_clock::time_point> started;
    std::optional<std::chrono::steady_clock::time_point> ended;
  };
  const std::vector<SegmentTiming>& timings() const { return timings_; }
  // The node's height when this sync first looked (0 before that).
  int64_t start_height() const { return start_height_.value_or(0); }

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
  std::optional<int64_t> start_height_;
  std::optional<size_t> running_;  // segment of the binary running now
  bool halted_by_config_ = false;     // it logged its halt and is being stopped
  bool refused_halt_height_ = false;  // ... before its --halt-height (wrong halt_semantics)
  std::string app_hash_complaint_;    // CometBFT refused the chain's blocks: another app hash
  std::deque<std::string> node_errors_;  // the running binary's last error lines, oldest first
  std::string consensus_failure_;  // CometBFT's consensus stopped, not at a halt or a plan
  SyncProgress* progress_;
  std::function<void()> tick_;
  std::function<void(size_t)> segment_listener_;
};

}  // namespace replayer
