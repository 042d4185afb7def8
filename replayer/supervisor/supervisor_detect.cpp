// Supervisor, the detection half: how a run learns that an upgrade is due. Three sources, any
// one enough: data/upgrade-info.json (inotify and polling, half-written files read again), the
// node's `UPGRADE "<name>" NEEDED` log line (written to the file after kLinePlanWait if the node
// leaves none, or at once when the node exits first), and for manual plans (`add-upgrade
// --upgrade-height`, add-batch-upgrade's batch promoted one entry at a time) the node's height. A run policy (sync) may refuse a reported plan or stop a
// node that logged its halt. A due plan that cannot be recorded (journal or upgrade-info.json
// not writable) is retried with back-off, then the node is stopped and the run fails: never a
// silent wait. The rest of the
// event loop (launch, output, signals, the transaction) is in supervisor.cpp.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include <boost/asio/post.hpp>

#include <chrono>
#include <filesystem>

#include "replayer/config/file_util.h"
#include "replayer/supervisor/height_gate.h"
#include "upgrade-plans/batch_upgrade.h"
#include "replayer/supervisor/supervisor.h"

namespace replayer {
namespace {

// How long after an `UPGRADE ... NEEDED` log line we wait for upgrade-info.json before acting on
// the line alone (SDK <= 0.44.2 wrote no info; some nodes never write the file).
constexpr auto kLinePlanWait = std::chrono::seconds(2);

// A due upgrade that cannot be recorded is tried again after 0.5, 1 and 2 s, then the node is
// stopped and the run fails.
constexpr int kDetectRetries = 3;
constexpr auto kDetectBackoff = std::chrono::milliseconds(500);

}  // namespace

void Supervisor::PromoteBatchPlan() {
  std::string batch_path = d_.layout.UpgradeInfoFile() + ".batch";
  struct stat st {};
  if (stat(batch_path.c_str(), &st) != 0) return;
  auto say_once = [&](const std::string& message) {
    if (message != last_batch_message_) {
      last_batch_message_ = message;
      spdlog::warn("{}", message);
    }
  };
  // A plan still waiting in upgrade-info.json (the node's, add-upgrade's, or the last promoted
  // one) is never overwritten.
  auto current = ReadFile(d_.layout.UpgradeInfoFile());
  if (current.ok()) {
    auto plan = plans::ParseUpgradeInfo(*current);
    if (!plan.ok() || IsNewUpgrade(*plan)) return;
  } else if (!current.status().Is(base::Status::Code::kNotFound)) {
    return;
  }
  auto text = ReadFile(batch_path);
  if (!text.ok()) return say_once(text.status().message() + "; batch upgrades wait");
  auto batch = plans::ParseBatchFile(*text);
  if (!batch.ok()) {
    return say_once(batch_path + ": " + batch.status().message() + "; batch upgrades wait");
  }
  std::vector<plans::UpgradeInfo> rest;
  std::optional<plans::UpgradeInfo> next;
  for (const auto& p : *batch) {
    if (!IsNewUpgrade(p)) continue;  // applied or running: dropped from the batch
    if (!next) {
      next = p;
    } else {
      rest.push_back(p);
    }
  }
  if (next) {
    // Written first, then removed from the batch: a crash in between promotes it again, and
    // IsNewUpgrade drops it once it is applied.
    std::string info = nlohmann::json{{"name", next->name}, {"height", next->height}}.dump();
    if (auto w = WriteFileAtomic(d_.layout.UpgradeInfoFile(), info); !w.ok()) {
      return say_once("cannot promote batch upgrade \"" + next->name + "\": " + w.message());
    }
    spdlog::info("batch upgrade \"{}\" at height {} moved from {} into {}", next->name,
                 next->height, batch_path, d_.layout.UpgradeInfoFile());
  }
  if (rest.empty()) {
    std::error_code ec;
    std::filesystem::remove(batch_path, ec);
    if (ec) say_once("cannot remove " + batch_path + ": " + ec.message());
  } else if (auto w = WriteFileAtomic(batch_path, plans::FormatBatchFile(rest)); !w.ok()) {
    say_once("cannot rewrite " + batch_path + ": " + w.message());
  }
}

base::Result<std::optional<plans::UpgradeInfo>> Supervisor::ReadPendingUpgrade() {
  PromoteBatchPlan();
  auto text = ReadFile(d_.layout.UpgradeInfoFile());
  if (!text.ok()) {
    if (text.status().Is(base::Status::Code::kNotFound)) {
      return std::optional<plans::UpgradeInfo>();
    }
    return text.status();
  }
  auto plan = plans::ParseUpgradeInfo(*text);
  if (!plan.ok()) {
    spdlog::warn("{}: {}; ignoring it until it changes", d_.layout.UpgradeInfoFile(),
                 plan.status().message());
    return std::optional<plans::UpgradeInfo>();
  }
  if (!IsNewUpgrade(*plan) || !PlanIsDue(*plan, /*wait=*/true)) {
    return std::optional<plans::UpgradeInfo>();
  }
  return std::optional<plans::UpgradeInfo>(*plan);
}

void Supervisor::StartHeightProbe() {
  auto bin = d_.layout.CheckTargetBinary(current_target_);
  if (!bin.ok()) {
    probed_height_ = bin.status();
    return;
  }
  height_probe_->Start(*bin, d_.layout.home(), [this](base::Result<int64_t> height) {
    probed_height_ = std::move(height);
    // Looked at again from the loop, not from inside the probe's own handler.
    boost::asio::post(io_, [this] {
      if (node_pid_ > 0 && !node_exit_) OnMaybeUpgradeFile();
    });
  });
}

bool Supervisor::PlanIsDue(const plans::UpgradeInfo& plan, bool wait) {
  std::string dir = plans::UpgradeDirName(plan.name, d_.config.disable_recase);
  if (!IsManualPlan(d_.layout, dir, plan)) return true;  // the node wrote it: due now
  if (!probed_height_) {
    StartHeightProbe();
    if (!wait) return false;  // the probe's answer brings OnMaybeUpgradeFile back
    while (!probed_height_ && height_probe_->running() && !terminate_requested_) io_.run_one();
    if (!probed_height_) {
      height_probe_->Stop();  // a stop signal came first
      return false;
    }
  }
  base::Result<int64_t> height = std::move(*probed_height_);
  probed_height_.reset();
  std::string message;
  if (!height.ok()) {
    message = "holding manual upgrade \"" + plan.name + "\" at height " +
              std::to_string(plan.height) + ": cannot read the node's height (" +
              height.status().message() + ")";
  } else if (*height < plan.height) {
    message = "manual upgrade \"" + plan.name + "\" waits for height " +
              std::to_string(plan.height);
  } else {
    spdlog::info("node reached height {}; manual upgrade \"{}\" at {} is due", *height,
                 plan.name, plan.height);
    return true;
  }
  if (message != last_gate_message_) {
    last_gate_message_ = message;
    spdlog::info("{}", message);
  }
  return false;
}

bool Supervisor::IsNewUpgrade(const plans::UpgradeInfo& plan) const {
  if (plans::SameUpgradeName(plan.name, current_name_, d_.config.disable_recase)) return false;
  // Already applied at this height (e.g. a later switch had no on-chain plan, so the file still
  // names the previous one).
  for (const auto& a : applied_) {
    if (a.height == plan.height &&
        plans::SameUpgradeName(a.name, plan.name, d_.config.disable_recase)) {
      return false;
    }
  }
  return Layout::UpgradeTarget(plans::UpgradeDirName(plan.name, d_.config.disable_recase)) !=
         current_target_;
}

void Supervisor::OnMaybeUpgradeFile() {
  if (stopping_for_upgrade_ || node_exit_) return;
  PromoteBatchPlan();
  struct stat st {};
  if (stat(d_.layout.UpgradeInfoFile().c_str(), &st) != 0) return;
  FileKey key{static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
              static_cast<int64_t>(st.st_size), static_cast<uint64_t>(st.st_ino)};
  if (key == last_file_key_) return;
  auto text = ReadFile(d_.layout.UpgradeInfoFile());
  if (!text.ok()) {
    // A FIFO, a device or a huge file is refused by ReadFile without blocking; say so once.
    if (text.status().Is(base::Status::Code::kNotFound)) return;
    last_file_key_ = key;
    if (text.status().message() != last_invalid_message_) {
      last_invalid_message_ = text.status().message();
      spdlog::warn("{}; waiting for a valid plan", text.status().message());
    }
    return;
  }
  auto plan = plans::ParseUpgradeInfo(*text);
  if (!plan.ok()) {
    if (plan.status().Is(base::Status::Code::kUnavailable)) return;  // half-written: look again
    last_file_key_ = key;
    if (plan.status().message() != last_invalid_message_) {
      last_invalid_message_ = plan.status().message();
      spdlog::warn("{}: {}; waiting for a valid plan", d_.layout.UpgradeInfoFile(),
                   plan.status().message());
    }
    return;
  }
  if (!IsNewUpgrade(*plan)) {
    last_file_key_ = key;
    return;
  }
  if (!PlanIsDue(*plan, /*wait=*/false)) return;  // key not recorded: asked again when it answers
  last_file_key_ = key;
  Detect(*plan);
}

void Supervisor::OnLine(std::string_view line) {
  if (awaiting_ || watch_undecided_) ObserveCommit(line);
  const bool halted = d_.policy && d_.policy->OnNodeOutputLine(line);
  if (refused_awaits_line_ && plans::ParseUpgradeNeededLine(line)) {
    // The node said it (the policy kept the line): now it is stopped.
    refused_awaits_line_ = false;
    line_timer_.cancel();
    if (!node_exit_) (void)d_.launcher.Signal(node_pid_, SIGKILL, true);
    return;
  }
  if (halted && !stopping_for_upgrade_ && !stopping_halted_node_) {
    // The node halted where its segment ends. It may stay up (stopped here), or exit at once: in
    // block sync CometBFT panics on the refused block (exit 2), and the line is then read while
    // the pipes are drained after the exit. Either way the run ends as the policy says.
    stopping_halted_node_ = true;
    if (!node_exit_) {
      spdlog::info("the node logged its halt and may not exit by itself: stopping it");
      StopNodeForUpgrade();
    }
    return;
  }
  if (stopping_for_upgrade_ || line_plan_) return;
  auto plan = plans::ParseUpgradeNeededLine(line);
  if (!plan || !IsNewUpgrade(*plan)) return;
  line_plan_ = *plan;
  OnMaybeUpgradeFile();
  if (stopping_for_upgrade_) return;
  line_timer_.expires_after(kLinePlanWait);
  line_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) OnLinePlanTimeout();
  });
}

void Supervisor::OnLinePlanTimeout() {
  if (stopping_for_upgrade_ || !line_plan_) return;
  last_file_key_ = {};
  OnMaybeUpgradeFile();
  if (stopping_for_upgrade_) return;
  if (auto st = WriteLinePlan(); !st.ok()) {
    RetryDetection(*line_plan_, st);
    return;
  }
  Detect(*line_plan_);
}

base::Status Supervisor::WriteLinePlan() {
  // The node announced the upgrade but left no usable upgrade-info.json: write it from the log
  // line, because the new binary reads it to apply store upgrades.
  spdlog::warn("node logged UPGRADE \"{}\" NEEDED at height {} but wrote no usable {}; writing it",
               line_plan_->name, line_plan_->height, d_.layout.UpgradeInfoFile());
  if (auto st = WriteFileAtomic(d_.layout.UpgradeInfoFile(), plans::FormatUpgradeInfo(*line_plan_));
      !st.ok()) {
    return st.WithContext("cannot write " + d_.layout.UpgradeInfoFile());
  }
  return {};
}

void Supervisor::Detect(const plans::UpgradeInfo& plan) {
  if (d_.policy) {
    if (auto st = d_.policy->CheckReportedPlan(current_target_, plan); !st.ok()) {
      // Never guess: stop the node, change nothing, and end the run with this error.
      spdlog::error("{}", st.message());
      fatal_ = st;
      stopping_for_upgrade_ = true;
      line_timer_.cancel();
      if (line_plan_ || node_exit_) {
        if (!node_exit_) (void)d_.launcher.Signal(node_pid_, SIGKILL, true);
        return;
      }
      // x/upgrade writes upgrade-info.json first and logs its `UPGRADE "<name>" NEEDED` line
      // right after: wait (bounded) for that line, so that the error quotes the node's own
      // words. The node is halted at the plan height meanwhile; nothing is changed.
      refused_awaits_line_ = true;
      line_timer_.expires_after(kLinePlanWait);
      line_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || !refused_awaits_line_) return;
        refused_awaits_line_ = false;
        if (!node_exit_) (void)d_.launcher.Signal(node_pid_, SIGKILL, true);
      });
      return;
    }
  }
  if (auto st = BeginTransaction(plan, current_target_); !st.ok()) {
    RetryDetection(plan, st.WithContext("cannot record upgrade \"" + plan.name +
                                        "\" in the journal"));
    return;
  }
  stopping_for_upgrade_ = true;
  line_timer_.cancel();
  StopNodeForUpgrade();
}

void Supervisor::RetryDetection(const plans::UpgradeInfo& plan, const base::Status& failure) {
  if (stopping_for_upgrade_ || node_exit_) return;
  ++detect_failures_;
  if (detect_failures_ > kDetectRetries) {
    spdlog::error("{}; giving up after {} attempts: stopping the node (it is at the height of "
                  "upgrade \"{}\") and exiting; fix the cause and start Replayer again",
                  failure.message(), detect_failures_, plan.name);
    fatal_ = failure.WithContext("upgrade \"" + plan.name + "\" at height " +
                                 std::to_string(plan.height) + " could not be recorded");
    stopping_for_upgrade_ = true;
    line_timer_.cancel();
    StopNodeForUpgrade();
    return;
  }
  auto wait = kDetectBackoff * (1 << (detect_failures_ - 1));
  spdlog::error("{}; upgrade \"{}\" at height {} is due but not recorded: retrying in {} ms "
                "(attempt {} of {})",
                failure.message(), plan.name, plan.height, wait.count(), detect_failures_ + 1,
                kDetectRetries + 1);
  retry_timer_.expires_after(wait);
  retry_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_for_upgrade_ || node_exit_) return;
    last_file_key_ = {};  // read the file again even if it did not change
    if (line_plan_) {
      OnLinePlanTimeout();
    } else {
      OnMaybeUpgradeFile();
    }
  });
}

}  // namespace replayer
