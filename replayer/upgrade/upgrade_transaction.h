// replayer::UpgradeTransaction: one switch of binaries, journaled step by step.
//
//   detected -> node stopped -> data snapshot -> binary ready -> custom pre-upgrade script
//   -> current switched (atomic rename) -> node pre-upgrade -> node restarted
//   (-> confirmed: recorded by the supervisor after completion, supervisor_confirm.cpp)
//
// Each step's work is idempotent and is recorded (one synced LevelDB batch) before the next
// starts, so Advance() called again after a crash anywhere resumes at the first unrecorded step:
// nothing is skipped and nothing recorded is repeated. Stopping and restarting the node belong to
// the supervisor (it owns the process); this class does everything in between and never touches
// the node process. Failures are recorded in the journal and leave the transaction open at the
// last completed step, so `current` and the data stay as the last completed step left them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "replayer/config/config.h"
#include "replayer/upgrade/crash_points.h"
#include "replayer/config/layout.h"
#include "replayer/process/process.h"
#include "state/journal.h"

namespace replayer {

// Puts a missing upgrade binary in place (auto-download); null when downloads are off.
using BinaryFetcher = std::function<base::Status(const state::UpgradeTxn& txn)>;

class UpgradeTransaction {
 public:
  UpgradeTransaction(const Config& config, const Layout& layout, state::JournalStore& journal,
                     ProcessLauncher& launcher, const CrashPoints& crash,
                     std::function<int64_t()> now_ms, BinaryFetcher fetcher = nullptr);

  // Records a step and fires the crash hook around it.
  base::Status Record(state::UpgradeTxn& txn, state::Step step, const std::string& detail);

  // Runs every step after kNodeStopped up to and including kNodePreUpgradeDone. Requires
  // txn.last_step >= kNodeStopped.
  base::Status AdvanceToPreUpgrade(state::UpgradeTxn& txn);

  // Marks the transaction done (node restarted, or restart disabled).
  base::Status Complete(state::UpgradeTxn& txn, bool restarted);

  void set_ordinal(int ordinal) { ordinal_ = ordinal; }
  // Asked while a hook runs (the supervisor's stop signals); true stops the hook and fails the
  // step, leaving the transaction open at the last completed step for the next run.
  void set_stop_requested(std::function<bool()> f) { stop_requested_ = std::move(f); }

 private:
  base::Status TakeSnapshot(state::UpgradeTxn& txn);
  base::Status EnsureBinary(state::UpgradeTxn& txn);
  // Takes the info of a corrected data/upgrade-info.json (same name and height) into txn.
  void UseCorrectedInfo(state::UpgradeTxn& txn);
  base::Status RunCustomPreUpgrade(state::UpgradeTxn& txn);
  base::Status SwitchCurrent(state::UpgradeTxn& txn);
  base::Status RunNodePreUpgrade(state::UpgradeTxn& txn);
  base::Status Fail(const state::UpgradeTxn& txn, state::Step step, base::Status status);
  std::chrono::milliseconds HookTimeout() const;  // REPLAYER_HOOK_TIMEOUT

  const Config& config_;
  const Layout& layout_;
  state::JournalStore& journal_;
  ProcessLauncher& launcher_;
  const CrashPoints& crash_;
  std::function<int64_t()> now_ms_;
  BinaryFetcher fetcher_;
  int ordinal_ = 1;
  std::function<bool()> stop_requested_;
};

}  // namespace replayer
