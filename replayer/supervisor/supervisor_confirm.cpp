// Supervisor, the confirmation half: after a switch, did the new binary get past the switch
// height? Confirmed once it logs a committed block above the height (plans::ParseCommittedHeight)
// or reaches the next switch; both prove it executed the switch block. A node that logs no commit
// line at all (a log level above info) is asked with `<binary> status` (its CometBFT RPC
// /status) every ConfirmProbeInterval: a latest height of H+2 or more confirms H+1 (RPC /status
// reports a block once it is stored, before it is committed, so the latest one proves only the
// one before it). Each outcome is one synced
// journal batch (JournalStore::Confirm / ReportUnconfirmed, step `confirmed`). Not confirmed
// within REPLAYER_CONFIRM_TIMEOUT, or the node exiting first, is an error line and a failed
// `confirmed` entry, and the applied record says unconfirmed (`replayer status`, /metrics); the
// node keeps running and nothing is rolled back, because only an operator can tell a slow start
// (state sync, peers) from a broken binary. A block seen later still confirms it. The watch lives
// in the applied record, so a Replayer killed before `confirmed` watches again after its restart.
// The rest of the event loop is in supervisor.cpp.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "base/clock.h"
#include "replayer/supervisor/height_gate.h"
#include "replayer/supervisor/supervisor.h"
#include "upgrade-plans/node_log.h"

namespace replayer {
namespace {

std::string Seconds(std::chrono::steady_clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(d).count());
  return buf;
}

// How often the node's `status` is asked while it logged no commit line: a quarter of
// REPLAYER_CONFIRM_TIMEOUT, at least 500 ms, at most 30 s.
std::chrono::steady_clock::duration ConfirmProbeInterval(std::chrono::nanoseconds timeout) {
  auto quarter = std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout / 4);
  return std::clamp<std::chrono::steady_clock::duration>(quarter, std::chrono::milliseconds(500),
                                                         std::chrono::seconds(30));
}

}  // namespace

base::Status Supervisor::WatchConfirmation() {
  awaiting_.reset();
  watch_undecided_ = false;
  confirm_timer_.cancel();
  status_probe_timer_.cancel();
  last_status_height_.reset();
  ASSIGN_OR_RETURN(auto applied, journal_.Applied());
  if (applied.empty()) return {};
  const state::AppliedUpgrade& last = applied.back();
  if (last.confirmation != state::Confirmation::kPending &&
      last.confirmation != state::Confirmation::kUnconfirmed) {
    return {};
  }
  // Only the binary the switch installed can confirm it.
  if (Layout::UpgradeTarget(last.dir) != current_target_) return {};
  awaiting_ = last;
  watch_started_ = std::chrono::steady_clock::now();
  const std::string timeout = FormatGoDuration(d_.config.confirm_timeout);
  spdlog::info("upgrade \"{}\" at height {}: waiting for {} to commit a block above height {} "
               "(REPLAYER_CONFIRM_TIMEOUT {}){}",
               last.name, last.height, current_target_, last.height, timeout,
               last.confirmation == state::Confirmation::kUnconfirmed
                   ? "; it was reported unconfirmed before: " + last.confirm_detail
                   : "");
  confirm_timer_.expires_after(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(d_.config.confirm_timeout));
  confirm_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) OnConfirmTimeout();
  });
  ArmStatusProbe();
  if (last_committed_ && *last_committed_ > last.height) {
    // Blocks are committed one after another: the first above the height was among them.
    int64_t first_above = std::max(first_committed_, last.height + 1);
    Confirm(first_above, current_target_ + " committed height " + std::to_string(first_above));
  }
  return {};
}

void Supervisor::ObserveCommit(std::string_view line) {
  auto h = plans::ParseCommittedHeight(line);
  if (!h) return;
  if (!last_committed_ || *h > *last_committed_) last_committed_ = *h;
  if (first_committed_ == 0 || *h < first_committed_) first_committed_ = *h;
  if (awaiting_ && *h > awaiting_->height) {
    Confirm(*h, current_target_ + " committed height " + std::to_string(*h));
  }
}

void Supervisor::ArmStatusProbe() {
  status_probe_timer_.expires_after(ConfirmProbeInterval(d_.config.confirm_timeout));
  status_probe_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) ProbeStatusForConfirmation();
  });
}

void Supervisor::ProbeStatusForConfirmation() {
  if (!awaiting_ || node_exit_ || stopping_for_upgrade_) return;
  // Its own commit lines, once there are any, say more; a probe still running is waited for.
  if (last_committed_ || confirm_probe_->running()) {
    ArmStatusProbe();
    return;
  }
  auto bin = d_.layout.CheckTargetBinary(current_target_);
  if (!bin.ok()) {
    ArmStatusProbe();
    return;
  }
  // Beside the event loop: the node's output, signals and timers go on while `status` runs.
  confirm_probe_->Start(*bin, d_.layout.home(), [this](base::Result<int64_t> height) {
    if (!awaiting_ || node_exit_ || stopping_for_upgrade_) return;
    if (height.ok()) {
      last_status_height_ = *height;
      if (*height >= awaiting_->height + 2) {
        Confirm(*height - 1, current_target_ + " committed height " + std::to_string(*height - 1) +
                                 " (its `status` reports latest block height " +
                                 std::to_string(*height) + "; it logs no commit lines)");
        return;
      }
    }
    ArmStatusProbe();
  });
}

void Supervisor::ConfirmByNextSwitch(const plans::UpgradeInfo& plan) {
  if (!awaiting_ || plan.height <= awaiting_->height) return;
  Confirm(plan.height, current_target_ + " reached the next switch, \"" + plan.name +
                           "\" at height " + std::to_string(plan.height));
}

void Supervisor::Confirm(int64_t height, const std::string& how) {
  state::AppliedUpgrade applied = *awaiting_;
  awaiting_.reset();
  confirm_timer_.cancel();
  status_probe_timer_.cancel();
  const bool late = applied.confirmation == state::Confirmation::kUnconfirmed;
  d_.crash.BeforeRecord(state::Step::kConfirmed, txn_ordinal_);
  if (auto st = journal_.Confirm(applied, height, base::UnixMillis(), how); !st.ok()) {
    // Still pending in the journal: the next run watches it again.
    spdlog::error("upgrade \"{}\" at height {}: {}, but recording the confirmation failed: {}",
                  applied.name, applied.height, how, st.message());
    return;
  }
  std::string after = Seconds(std::chrono::steady_clock::now() - watch_started_);
  if (late) {
    spdlog::warn("upgrade \"{}\" at height {}: confirmed late (it was reported unconfirmed): {}, "
                 "{} after the start",
                 applied.name, applied.height, how, after);
  } else {
    spdlog::info("upgrade \"{}\" at height {}: confirmed: {}, {} after the start", applied.name,
                 applied.height, how, after);
  }
  d_.crash.AfterRecord(state::Step::kConfirmed, txn_ordinal_);
}

void Supervisor::OnConfirmTimeout() {
  if (!awaiting_ || node_exit_) return;
  std::string seen = last_committed_ ? "the last committed height it logged is " +
                                           std::to_string(*last_committed_)
                                     : "it logged no committed block";
  if (!last_committed_ && last_status_height_) {
    seen += ", and its `status` reports latest block height " + std::to_string(*last_status_height_);
  }
  std::string why = "no block above height " + std::to_string(awaiting_->height) +
                    " committed by " + current_target_ + " within " +
                    FormatGoDuration(d_.config.confirm_timeout) + " (REPLAYER_CONFIRM_TIMEOUT); " +
                    seen;
  spdlog::error("upgrade \"{}\" at height {} NOT CONFIRMED: {}. The node keeps running and "
                "nothing is rolled back: check it (`replayer status` shows the switch "
                "unconfirmed until a block above the height is committed)",
                awaiting_->name, awaiting_->height, why);
  if (auto st = journal_.ReportUnconfirmed(*awaiting_, base::UnixMillis(), why); !st.ok()) {
    spdlog::error("recording that upgrade \"{}\" is unconfirmed failed: {}", awaiting_->name,
                  st.message());
  }
}

void Supervisor::EndConfirmationWatch(const std::string& why, bool report) {
  if (!awaiting_) return;
  state::AppliedUpgrade applied = *awaiting_;
  awaiting_.reset();
  confirm_timer_.cancel();
  status_probe_timer_.cancel();
  if (!report) {
    spdlog::info("upgrade \"{}\" at height {} is not confirmed yet ({}); the next run keeps "
                 "watching for a block above height {}",
                 applied.name, applied.height, why, applied.height);
    return;
  }
  std::string detail = why + " before " + current_target_ + " committed a block above height " +
                       std::to_string(applied.height) +
                       (last_committed_ ? " (last committed: " + std::to_string(*last_committed_) +
                                              ")"
                                        : " (it logged no committed block)");
  spdlog::error("upgrade \"{}\" at height {} NOT CONFIRMED: {}. Nothing is rolled back; the next "
                "`replayer run` watches it again",
                applied.name, applied.height, detail);
  if (auto st = journal_.ReportUnconfirmed(applied, base::UnixMillis(), detail); !st.ok()) {
    spdlog::error("recording that upgrade \"{}\" is unconfirmed failed: {}", applied.name,
                  st.message());
  }
}

}  // namespace replayer
