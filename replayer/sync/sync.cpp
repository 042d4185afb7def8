#include "replayer/sync/sync.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "replayer/supervisor/height_gate.h"
#include "state/cometbft_store.h"

namespace replayer {
namespace {

// How many of the node's last error lines a failure quotes.
constexpr size_t kKeptNodeErrors = 4;

// Whether a node's data folder holds any database (`*.db`, as CometBFT and the SDK name them). A
// fresh home has none: its height is 0 without asking the binary.
bool HasDatabases(const std::string& data_dir) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(data_dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() > 3 && name.compare(name.size() - 3, 3, ".db") == 0) return true;
  }
  return false;
}

}  // namespace

std::string SegmentTarget(const plans::Schedule& schedule, size_t index, bool disable_recase) {
  if (index == 0) return "genesis";
  return Layout::UpgradeTarget(plans::UpgradeDirName(schedule.segments[index].name, disable_recase));
}


SyncPolicy::SyncPolicy(const plans::Schedule& schedule, const Config& config, const Layout& layout,
                       ProcessLauncher& launcher, std::optional<int64_t> until,
                       SyncProgress* progress, std::function<void()> tick)
    : schedule_(schedule),
      config_(config),
      layout_(layout),
      launcher_(launcher),
      until_(until),
      timings_(schedule.segments.size()),
      progress_(progress),
      tick_(std::move(tick)) {}

base::Result<size_t> SyncPolicy::SegmentOf(const std::string& target) const {
  for (size_t i = 0; i < schedule_.segments.size(); ++i) {
    if (SegmentTarget(schedule_, i, config_.disable_recase) == target) return i;
  }
  return base::Status::FailedPrecondition(layout_.CurrentLink() + " points at " + target +
                                          ", which is not a segment of the schedule");
}

std::optional<int64_t> SyncPolicy::HaltHeight(size_t index) const {
  std::optional<int64_t> halt;
  if (index + 1 < schedule_.segments.size() &&
      schedule_.segments[index + 1].kind == plans::SwitchKind::kHaltHeight) {
    halt = schedule_.segments[index + 1].first_height - 1;
  }
  if (until_ && (!halt || *until_ < *halt)) halt = until_;
  return halt;
}

std::optional<plans::UpgradeInfo> SyncPolicy::NextHaltSwitch(size_t index) const {
  if (index + 1 >= schedule_.segments.size()) return std::nullopt;
  const auto& next = schedule_.segments[index + 1];
  if (next.kind != plans::SwitchKind::kHaltHeight) return std::nullopt;
  return plans::UpgradeInfo{next.name, next.first_height, "", ""};
}

base::Result<int64_t> SyncPolicy::NodeHeight(const std::string& target) {
  ASSIGN_OR_RETURN(std::string bin, layout_.CheckTargetBinary(target));
  // First the node's own data (no binary runs): the state store's last executed height, or
  // the block store's height when the state store holds none yet.
  auto stored = state::ReadNodeStoreHeights(layout_.DataDir());
  if (stored.ok()) {
    int64_t h = stored->last_executed.value_or(stored->block_store.height);
    spdlog::info("the node's own data says height {} (block store {}..{}{})", h,
                 stored->block_store.base, stored->block_store.height,
                 stored->last_executed ? ", state store " + std::to_string(*stored->last_executed)
                                       : std::string());
    return h;
  }
  spdlog::info("{}; asking the node instead ({} status)", stored.status().message(), bin);
  return ProbeNodeHeight(launcher_, bin, layout_.home());
}

base::Result<RunPolicy::BeforeLaunch> SyncPolicy::CheckBeforeLaunch(
    const std::string& current_target) {
  ASSIGN_OR_RETURN(size_t k, SegmentOf(current_target));
  int64_t h = 0;
  if (HasDatabases(layout_.DataDir())) {
    ASSIGN_OR_RETURN(h, NodeHeight(current_target));
  } else {
    spdlog::info("{} holds no database yet: the node starts from genesis", layout_.DataDir());
  }
  if (!start_height_) start_height_ = h;
  BeforeLaunch out;
  if (until_ && h >= *until_) {
    spdlog::info("node is at height {}, at or past --until {}: nothing to do", h, *until_);
    out.action = BeforeLaunch::Action::kDone;
    return out;
  }
  auto seg = plans::SegmentForHeight(schedule_, h + 1);
  if (seg && *seg == k) return out;
  // The node already executed the last block of this segment: the next switch is due now.
  if (auto sw = NextHaltSwitch(k); sw && h + 1 == sw->height) {
    out.action = BeforeLaunch::Action::kSwitch;
    out.plan = *sw;
    return out;
  }
  return base::Status::FailedPrecondition(
      "the node is at height " + std::to_string(h) + ", so height " + std::to_string(h + 1) +
      " must run " + (seg ? plans::SegmentLabel(schedule_, *seg) : std::string("no segment")) +
      ", but " + layout_.CurrentLink() + " points at " + current_target + " (" +
      plans::SegmentLabel(schedule_, k) + "); refusing to guess");
}

base::Result<std::vector<std::string>> SyncPolicy::LaunchArgs(
    const std::string& current_target, const std::vector<std::string>& base_args) {
  ASSIGN_OR_RETURN(size_t k, SegmentOf(current_target));
  std::vector<std::string> args = plans::StartArgs(schedule_, k, base_args);
  if (until_) {
    // --until may end this segment earlier than the schedule does.
    auto halt = HaltHeight(k);
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i] == "--halt-height" && i + 1 < args.size()) {
        args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
        break;
      }
      if (args[i].rfind("--halt-height=", 0) == 0) {
        args.erase(args.begin() + static_cast<long>(i));
        break;
      }
    }
    if (halt) {
      args.push_back("--halt-height");
      args.push_back(
          std::to_string(plans::HaltHeightFlagValue(schedule_.segments[k].halt_semantics, *halt)));
    }
  }
  return args;
}

base::Status SyncPolicy::CheckReportedPlan(const std::string& current_target,
                                           const plans::UpgradeInfo& plan) {
  ASSIGN_OR_RETURN(size_t k, SegmentOf(current_target));
  const std::string label = plans::SegmentLabel(schedule_, k);
  if (k + 1 >= schedule_.segments.size()) {
    return base::Status::FailedPrecondition(
        "the node (" + label + ") reports upgrade \"" + plan.name + "\" at height " +
        std::to_string(plan.height) + ", but the schedule has no segment after " + label +
        ": " + label + " has the wrong binary for height " + std::to_string(plan.height) +
        " or the schedule misses that plan; stopping without changing anything");
  }
  const auto& next = schedule_.segments[k + 1];
  if (next.kind != plans::SwitchKind::kGovernancePlan ||
      !plans::SameUpgradeName(next.name, plan.name, config_.disable_recase) ||
      next.first_height != plan.height) {
    return base::Status::FailedPrecondition(
        "the node (" + label + ") reports upgrade \"" + plan.name + "\" at height " +
        std::to_string(plan.height) + ", but the schedule expects " +
        plans::SegmentLabel(schedule_, k + 1) + " (" +
        std::string(plans::SwitchKindName(next.kind)) + " \"" + next.name + "\" at height " +
        std::to_string(next.first_height) + "); stopping without changing anything");
  }
  timings_[k].ended = std::chrono::steady_clock::now();
  return {};
}

base::Result<std::optional<plans::UpgradeInfo>> SyncPolicy::OnNodeExit(
    const std::string& current_target, const ExitInfo& exit) {
  ASSIGN_OR_RETURN(size_t k, SegmentOf(current_target));
  timings_[k].ended = std::chrono::steady_clock::now();
  const std::string label = plans::SegmentLabel(schedule_, k);
  if (!app_hash_complaint_.empty()) {
    return base::Status::Aborted(
        "the node (" + label + ") refuses the chain's blocks: \"" + app_hash_complaint_ +
        "\": its binary computes another app hash than the chain did, so " + label +
        " has the wrong binary for these heights; stopped it, nothing was switched");
  }
  if (!consensus_failure_.empty()) {
    return base::Status::Aborted(
        "the node (" + label + ") stopped making blocks: \"" + consensus_failure_ +
        "\" (not at a halt height nor a plan): " + label +
        " has the wrong binary for the node's state at these heights; stopped it, nothing was "
        "switched");
  }
  if (exit.exit_code != 0 && !halted_by_config_) {
    if (auto why = ExplainEarlyBinary(node_errors_, label)) {
      return base::Status::Aborted("the node (" + label + ") stopped with " + exit.Describe() +
                                   ": " + *why + "; nothing more was switched");
    }
    return base::Status::Aborted("the node (" + label + ") stopped with " + exit.Describe() +
                                 "; see its output above");
  }
  // A node that exited cleanly has committed the last height it logged as committed; asking
  // its `status` (which opens its databases) is the fallback for nodes that log no heights.
  int64_t h = 0;
  if (auto logged = progress_ ? progress_->CommittedSinceLaunch() : std::nullopt) {
    h = *logged;
  } else {
    ASSIGN_OR_RETURN(h, NodeHeight(current_target));
  }
  if (refused_halt_height_ && NextHaltSwitch(k) && h + 1 == NextHaltSwitch(k)->height) {
    return base::Status::Aborted(
        "the node (" + label + ") committed its --halt-height " + std::to_string(h) +
        " and then refused the next block with \"halt per configuration\" instead of exiting, "
        "as Cosmos SDK 0.50.0-0.50.9 binaries do. Give " + label +
        " \"halt_semantics\": \"commit-then-stall\" in the schedule and run sync again; "
        "nothing was switched");
  }
  if (refused_halt_height_) {
    return base::Status::Aborted(
        "the node (" + label + ") committed height " + std::to_string(h) +
        " and then refused the next block with \"halt per configuration\": it stops before its "
        "--halt-height, as Cosmos SDK 0.50+ binaries do. Give " + label +
        " \"halt_semantics\": \"stop-before\" in the schedule and run sync again; nothing was "
        "switched");
  }
  if (until_ && h >= *until_) {
    spdlog::info("reached --until height {}", *until_);
    return std::optional<plans::UpgradeInfo>();
  }
  auto sw = NextHaltSwitch(k);
  if (sw && h + 1 == sw->height) {
    spdlog::info("node halted at height {}; {} starts at {}", h,
                 plans::SegmentLabel(schedule_, k + 1), sw->height);
    return std::optional<plans::UpgradeInfo>(*sw);
  }
  if (k + 1 == schedule_.segments.size() && !until_) return std::optional<plans::UpgradeInfo>();
  if (sw && h >= sw->height) {
    return base::Status::Aborted(
        "the node (" + label + ") ran past the end of its segment: it committed height " +
        std::to_string(h) + ", but from height " + std::to_string(sw->height) + " on the chain runs " +
        plans::SegmentLabel(schedule_, k + 1) + ". This binary commits its --halt-height before " +
        "exiting (Cosmos SDK <= 0.47), so " + label + " needs \"halt_semantics\": " +
        "\"commit-then-exit\". Its data now holds blocks executed by the wrong binary: roll the " +
        "node back to height " + std::to_string(sw->height - 1) +
        " (or restore a snapshot) before syncing again; nothing was switched");
  }
  return base::Status::Aborted("the node (" + label + ") exited at height " + std::to_string(h) +
                               " before the end of its segment");
}

void SyncPolicy::OnLaunched(const std::string& current_target) {
  auto k = SegmentOf(current_target);
  if (!k.ok()) return;
  auto now = std::chrono::steady_clock::now();
  running_ = *k;
  halted_by_config_ = false;
  refused_halt_height_ = false;
  app_hash_complaint_.clear();
  consensus_failure_.clear();
  node_errors_.clear();
  bool first = !timings_[*k].started;
  if (first) timings_[*k].started = now;
  std::string label = plans::SegmentLabel(schedule_, *k);
  spdlog::info("segment {} of {}: {}", *k + 1, schedule_.segments.size(), label);
  if (first && segment_listener_) segment_listener_(*k);
  if (progress_) {
    progress_->SegmentLaunched(*k, label, now);
    if (tick_) tick_();
  }
}

bool SyncPolicy::OnNodeOutputLine(std::string_view line) {
  if (auto err = ParseNodeErrorLine(line)) {
    // A few, for the error that ends a run: what the node itself said just before it.
    if (node_errors_.empty() || node_errors_.back() != *err) node_errors_.push_back(std::move(*err));
    if (node_errors_.size() > kKeptNodeErrors) node_errors_.pop_front();
  }
  if (progress_) {
    if (auto h = ParseCommittedHeight(line)) {
      progress_->Committed(*h, std::chrono::steady_clock::now());
      if (tick_) tick_();
      return false;
    }
  }
  // Halt lines. SDK 0.50+ binaries refuse the halt height ("halt per configuration height H")
  // and may stay alive, so their halt line ends the segment's run; some forks keep the <= 0.47
  // wording ("halting node per configuration") for that. A commit-then-exit binary that logs the
  // 0.50 wording refused a block it should have executed and will not exit either: it is
  // stopped too, and OnNodeExit explains the mismatch.
  // CometBFT's block sync refuses the peer's next block when this binary computed another app
  // hash for the previous one ("wrong Block.Header.AppHash. Expected X, got Y"), drops the peer
  // and retries forever: a wrong binary for this segment. It is stopped, never left hanging.
  if (running_ && !halted_by_config_) {
    if (size_t at = line.find("wrong Block.Header.AppHash"); at != std::string_view::npos) {
      std::string_view rest = line.substr(at);
      rest = rest.substr(0, std::min(rest.find('"'), rest.find('\x1b')));
      app_hash_complaint_ = std::string(rest.substr(0, 200));
      halted_by_config_ = true;
      return true;
    }
    // CometBFT's consensus stopped for another reason than a halt height or an upgrade plan
    // (both handled elsewhere): the app refused a block, e.g. x/upgrade's "wrong app version"
    // or "BINARY UPDATED BEFORE TRIGGER" on a binary that does not belong to these heights. The
    // node stays up and makes no more blocks: stopped, never left hanging.
    if (line.find("CONSENSUS FAILURE") != std::string_view::npos) {
      if (line.find("halt per configuration") == std::string_view::npos &&
          line.find("halting node per configuration") == std::string_view::npos &&
          line.find(" NEEDED at height") == std::string_view::npos) {
        auto text = ParseNodeErrorLine(line);
        consensus_failure_ = text ? *text : std::string(line.substr(0, kMaxNodeErrorLine));
        halted_by_config_ = true;
        return true;
      }
    }
  }
  if (!running_ || halted_by_config_ || !HaltHeight(*running_)) return false;
  const bool refused = line.find("halt per configuration") != std::string_view::npos;
  const bool halting = line.find("halting node per configuration") != std::string_view::npos;
  if (!refused && !halting) return false;
  // Both SDK 0.50 lines stay up after refusing a block: 0.50.10+ refuses its --halt-height
  // (stop-before), 0.50.0-0.50.9 the block after it (commit-then-stall).
  const plans::HaltSemantics semantics = schedule_.segments[*running_].halt_semantics;
  if (semantics == plans::HaltSemantics::kStopBefore ||
      semantics == plans::HaltSemantics::kCommitThenStall) {
    halted_by_config_ = true;
    return true;
  }
  if (!refused) return false;  // <= 0.47: it committed its last block and exits by itself
  halted_by_config_ = true;
  refused_halt_height_ = true;
  return true;
}

base::Status SyncPolicy::ExplainFailure(const base::Status& failure) const {
  if (failure.ok() || node_errors_.empty()) return failure;
  std::string quoted;
  for (const auto& e : node_errors_) {
    if (failure.message().find(e) != std::string::npos) continue;
    quoted += " [" + e + "]";
  }
  if (quoted.empty()) return failure;
  return base::Status(failure.code(), failure.message() + ". The node's own last error lines:" + quoted);
}

}  // namespace replayer
