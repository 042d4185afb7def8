// replayer::RunPolicy: how a schedule steers the supervisor (`replayer sync`); `replayer run`
// has none and behaves like Cosmovisor.
//
// The supervisor keeps owning the node process, the journal and the upgrade transaction; the
// policy only answers questions at the points where a schedule knows more than the node: which
// arguments a binary starts with (a halt height), whether the plan the node reports is the one
// the schedule expects (never guess), and what a node that exited by itself means (it reached a
// halt height: switch; it reached --until: done; anything else: an error). Called on the
// event-loop thread; implementations may run short child processes (status probes).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "replayer/process/process.h"
#include "upgrade-plans/upgrade_info.h"

namespace replayer {

class RunPolicy {
 public:
  virtual ~RunPolicy() = default;

  struct BeforeLaunch {
    enum class Action { kLaunch, kSwitch, kDone } action = Action::kLaunch;
    plans::UpgradeInfo plan;  // kSwitch: the switch that is due before anything runs
  };
  // Asked before every launch, with the node stopped.
  virtual base::Result<BeforeLaunch> CheckBeforeLaunch(const std::string& current_target) = 0;
  // Arguments for starting the binary `current_target` points at.
  virtual base::Result<std::vector<std::string>> LaunchArgs(
      const std::string& current_target, const std::vector<std::string>& base_args) = 0;
  // The node reported `plan` (upgrade-info.json or its log line). Non-OK: the supervisor stops
  // the node and exits with this error, changing nothing else.
  virtual base::Status CheckReportedPlan(const std::string& current_target,
                                         const plans::UpgradeInfo& plan) = 0;
  // The node exited by itself with no plan reported. A plan: switch now (a halt height was
  // reached). nullopt: the run is over; the supervisor returns the node's exit code.
  virtual base::Result<std::optional<plans::UpgradeInfo>> OnNodeExit(
      const std::string& current_target, const ExitInfo& exit) = 0;
  // Called after each launch and each completed switch (progress reporting).
  virtual void OnLaunched(const std::string& current_target) { (void)current_target; }
  // Every line the node writes (stdout and stderr, bounded like the upgrade scanner's lines),
  // after it was relayed. Must be cheap: it runs for every log line. Returns true when the line
  // says the node halted where the schedule ends its segment but will not exit by itself (SDK
  // 0.50+ `--halt-height`): the supervisor then stops it like a node at an upgrade, and asks
  // OnNodeExit what that means (nullopt from there is then a successful end, exit code 0).
  virtual bool OnNodeOutputLine(std::string_view line) {
    (void)line;
    return false;
  }
  // The run ends with `failure` (a plan the policy refused, a node it stopped), once the node
  // exited and its output was read to the end: the policy may add what the node itself said
  // (its last error lines) to the message.
  virtual base::Status ExplainFailure(const base::Status& failure) const { return failure; }
};

}  // namespace replayer
