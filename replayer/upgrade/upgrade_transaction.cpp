#include "replayer/upgrade/upgrade_transaction.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/redact.h"
#include "binary-registry/verify.h"
#include "replayer/upgrade/snapshot.h"
#include "upgrade-plans/upgrade_info.h"

namespace replayer {

using state::Step;

UpgradeTransaction::UpgradeTransaction(const Config& config, const Layout& layout,
                                       state::JournalStore& journal, ProcessLauncher& launcher,
                                       const CrashPoints& crash, std::function<int64_t()> now_ms,
                                       BinaryFetcher fetcher)
    : config_(config),
      layout_(layout),
      journal_(journal),
      launcher_(launcher),
      crash_(crash),
      now_ms_(std::move(now_ms)),
      fetcher_(std::move(fetcher)) {}

std::chrono::milliseconds UpgradeTransaction::HookTimeout() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(config_.hook_timeout);
}

base::Status UpgradeTransaction::Record(state::UpgradeTxn& txn, Step step,
                                        const std::string& detail) {
  crash_.BeforeRecord(step, ordinal_);
  RETURN_IF_ERROR(journal_.Record(txn, step, now_ms_(), detail));
  spdlog::info("upgrade \"{}\" at height {}: {}{}{}", txn.name, txn.height, state::StepName(step),
               detail.empty() ? "" : ": ", detail);
  crash_.AfterRecord(step, ordinal_);
  return {};
}

base::Status UpgradeTransaction::Fail(const state::UpgradeTxn& txn, Step step,
                                      base::Status status) {
  (void)journal_.RecordFailure(txn, step, now_ms_(), status.message());
  return status.WithContext("upgrade \"" + txn.name + "\" at height " +
                            std::to_string(txn.height) + ", step " +
                            std::string(state::StepName(step)));
}

base::Status UpgradeTransaction::AdvanceToPreUpgrade(state::UpgradeTxn& txn) {
  if (static_cast<int>(txn.last_step) < static_cast<int>(Step::kNodeStopped)) {
    return base::Status::Internal("upgrade transaction advanced before the node was stopped");
  }
  if (txn.last_step == Step::kNodeStopped) RETURN_IF_ERROR(TakeSnapshot(txn));
  if (txn.last_step == Step::kSnapshotTaken) RETURN_IF_ERROR(EnsureBinary(txn));
  if (txn.last_step == Step::kBinaryReady) RETURN_IF_ERROR(RunCustomPreUpgrade(txn));
  if (txn.last_step == Step::kCustomPreUpgradeDone) RETURN_IF_ERROR(SwitchCurrent(txn));
  if (txn.last_step == Step::kCurrentSwitched) RETURN_IF_ERROR(RunNodePreUpgrade(txn));
  return {};
}

base::Status UpgradeTransaction::TakeSnapshot(state::UpgradeTxn& txn) {
  if (config_.unsafe_skip_backup) {
    return Record(txn, Step::kSnapshotTaken, "skipped (UNSAFE_SKIP_BACKUP=true)");
  }
  // A complete snapshot under this name that this transaction did not make (another home
  // sharing the backup folder, an earlier attempt before the data was restored) is kept, and
  // this one gets a name of its own; the same name again after a crash finds this one.
  SnapshotOwner owner{layout_.home(), txn.name, txn.height, txn.id, txn.started_ms};
  std::string dest = config_.data_backup_dir + "/" + SnapshotName(txn.dir, txn.height);
  if (auto other = ReadSnapshotMarker(dest); other.ok() && other->owner != owner) {
    std::string own = dest + "-txn" + std::to_string(txn.id) + "-" + std::to_string(txn.started_ms);
    spdlog::warn("{} holds a snapshot of {}, not of this data ({}); taking this one as {}", dest,
                 other->owner ? other->owner->Describe() : other->source, owner.Describe(), own);
    dest = own;
  }
  auto stats = replayer::TakeSnapshot(layout_.DataDir(), dest, owner);
  if (!stats.ok()) return Fail(txn, Step::kSnapshotTaken, stats.status());
  if (auto st = PruneSnapshots(config_.data_backup_dir, config_.backup_keep); !st.ok()) {
    spdlog::warn("pruning old snapshots in {}: {}", config_.data_backup_dir, st.message());
  }
  txn.snapshot_path = dest;
  char detail[256];
  std::snprintf(detail, sizeof detail,
                "%s (%llu files: %llu reflinked, %llu hard-linked, %llu copied; %.3f s)",
                dest.c_str(), static_cast<unsigned long long>(stats->files),
                static_cast<unsigned long long>(stats->reflinked),
                static_cast<unsigned long long>(stats->hardlinked),
                static_cast<unsigned long long>(stats->copied), stats->seconds);
  return Record(txn, Step::kSnapshotTaken, detail);
}

base::Status UpgradeTransaction::EnsureBinary(state::UpgradeTxn& txn) {
  UseCorrectedInfo(txn);
  std::string target = Layout::UpgradeTarget(txn.dir);
  std::string bin = layout_.TargetBinary(target);
  base::Status st = layout_.CheckTargetBinary(target).status();
  if (!st.ok() && fetcher_) {
    spdlog::info("binary for upgrade \"{}\" is not in place; fetching it from the plan info",
                 txn.name);
    base::Status fetched = fetcher_(txn);
    if (!fetched.ok()) {
      return Fail(txn, Step::kBinaryReady,
                  base::Status(fetched.code(),
                               fetched.message() + " (to recover: place a verified binary at " +
                                   bin + ", or correct the plan's info in " +
                                   layout_.UpgradeInfoFile() +
                                   " keeping its name and height, and run again)"));
    }
    st = layout_.CheckTargetBinary(target).status();
  }
  // A binary placed by hand gets the download path's checks too, before `current` moves.
  if (st.ok()) {
    st = registry::CheckExecutableFormat(bin, "any");
    if (!st.ok()) {
      st = base::Status(st.code(), st.message() + " (place a binary for this machine there and "
                                                  "run again)");
      return Fail(txn, Step::kBinaryReady, st);
    }
  }
  if (!st.ok()) {
    if (!config_.allow_download_binaries) {
      st = base::Status(st.code(), st.message() +
                                       " (DAEMON_ALLOW_DOWNLOAD_BINARIES is off: place the binary "
                                       "there, e.g. with `replayer add-upgrade " +
                                       txn.name + " <path>`, and run again)");
    }
    return Fail(txn, Step::kBinaryReady, st);
  }
  return Record(txn, Step::kBinaryReady, bin);
}

void UpgradeTransaction::UseCorrectedInfo(state::UpgradeTxn& txn) {
  // Until the binary is ready the plan's info may still be corrected in data/upgrade-info.json
  // (same name and height): a wrong checksum or URL there is fixed by the operator, not by us.
  auto text = ReadFile(layout_.UpgradeInfoFile());
  if (!text.ok()) return;
  auto plan = plans::ParseUpgradeInfo(*text);
  if (!plan.ok() || plan->height != txn.height || plan->info == txn.info ||
      !plans::SameUpgradeName(plan->name, txn.name, config_.disable_recase)) {
    return;
  }
  spdlog::info("{} gives new info for upgrade \"{}\" at height {}; using it (the binary is not "
               "ready yet)",
               layout_.UpgradeInfoFile(), txn.name, txn.height);
  txn.info = plan->info;
}

base::Status UpgradeTransaction::RunCustomPreUpgrade(state::UpgradeTxn& txn) {
  if (config_.custom_preupgrade.empty()) {
    return Record(txn, Step::kCustomPreUpgradeDone, "none configured");
  }
  std::string script = layout_.CosmovisorDir() + "/" + config_.custom_preupgrade;
  struct stat st {};
  int rc = ::stat(script.c_str(), &st);
  int err = errno;
  if (rc != 0 || !S_ISREG(st.st_mode)) {
    const std::string& given = config_.custom_preupgrade;
    struct stat elsewhere {};
    std::string why = rc == 0 ? " is not a regular file" : ": " + std::string(std::strerror(err));
    if (rc != 0 && err == ENOENT) {
      why = " does not exist";
      // Cosmovisor joins the value to cosmovisor/ whatever it is, so a script named by its own
      // path is not found there although it exists.
      if (::stat(given.c_str(), &elsewhere) == 0 && S_ISREG(elsewhere.st_mode)) {
        why += "; " + given + " does, but the value is a path relative to " +
               layout_.CosmovisorDir() + " and the script must be inside it";
      }
    }
    return Fail(txn, Step::kCustomPreUpgradeDone,
                base::Status::FailedPrecondition("COSMOVISOR_CUSTOM_PREUPGRADE script " + script +
                                                 why));
  }
  if (!(st.st_mode & S_IXUSR)) chmod(script.c_str(), st.st_mode | S_IXUSR);  // as Cosmovisor does
  SpawnOptions opts;
  opts.path = script;
  opts.args = {txn.name, std::to_string(txn.height)};
  opts.cwd = layout_.home();
  auto exit = RunToCompletion(launcher_, opts, HookTimeout(), stop_requested_);
  if (!exit.ok()) return Fail(txn, Step::kCustomPreUpgradeDone, exit.status());
  if (exit->exit_code != 0) {
    return Fail(txn, Step::kCustomPreUpgradeDone,
                base::Status::Aborted("custom pre-upgrade script " + script + " failed: " +
                                      exit->Describe()));
  }
  return Record(txn, Step::kCustomPreUpgradeDone, script + " succeeded");
}

base::Status UpgradeTransaction::SwitchCurrent(state::UpgradeTxn& txn) {
  std::string target = Layout::UpgradeTarget(txn.dir);
  // The copy beside the binary is Replayer's: stored without URL credentials.
  plans::UpgradeInfo plan{txn.name, txn.height, base::RedactUrlUserInfo(txn.info), {}};
  if (auto st = layout_.WriteTargetUpgradeInfo(target, plan); !st.ok()) {
    return Fail(txn, Step::kCurrentSwitched, st);
  }
  if (auto st = layout_.SwitchCurrent(target); !st.ok()) {
    return Fail(txn, Step::kCurrentSwitched, st);
  }
  return Record(txn, Step::kCurrentSwitched, "current -> " + target);
}

base::Status UpgradeTransaction::RunNodePreUpgrade(state::UpgradeTxn& txn) {
  auto checked = layout_.CheckTargetBinary(Layout::UpgradeTarget(txn.dir));
  if (!checked.ok()) return Fail(txn, Step::kNodePreUpgradeDone, checked.status());
  const std::string bin = *checked;
  int attempts = 0;
  while (true) {
    ++attempts;
    SpawnOptions opts;
    opts.path = bin;
    opts.args = {"pre-upgrade"};
    auto exit = RunToCompletion(launcher_, opts, HookTimeout(), stop_requested_);
    if (!exit.ok()) return Fail(txn, Step::kNodePreUpgradeDone, exit.status());
    int code = exit->exit_code;
    if (code == 0) {
      return Record(txn, Step::kNodePreUpgradeDone, "pre-upgrade succeeded");
    }
    if (code == 1 && !exit->signaled) {
      return Record(txn, Step::kNodePreUpgradeDone, "pre-upgrade not implemented (exit 1)");
    }
    if (code == 30 && !exit->signaled) {
      return Fail(txn, Step::kNodePreUpgradeDone,
                  base::Status::Aborted(bin + " pre-upgrade aborted the upgrade (exit 30)"));
    }
    if (code == 31 && !exit->signaled) {
      if (attempts <= config_.preupgrade_max_retries) {
        spdlog::warn("{} pre-upgrade asked for a retry (exit 31); attempt {} of {}", bin,
                     attempts + 1, config_.preupgrade_max_retries + 1);
        continue;
      }
      return Fail(txn, Step::kNodePreUpgradeDone,
                  base::Status::Aborted(bin + " pre-upgrade still asked for a retry (exit 31) after " +
                                        std::to_string(attempts) +
                                        " attempts (DAEMON_PREUPGRADE_MAX_RETRIES=" +
                                        std::to_string(config_.preupgrade_max_retries) + ")"));
    }
    // Deliberate difference from Cosmovisor, which treats unknown codes as success.
    return Fail(txn, Step::kNodePreUpgradeDone,
                base::Status::Aborted(bin + " pre-upgrade failed: " + exit->Describe()));
  }
}

base::Status UpgradeTransaction::Complete(state::UpgradeTxn& txn, bool restarted) {
  Step step = restarted ? Step::kNodeRestarted : Step::kNodePreUpgradeDone;
  crash_.BeforeRecord(step == Step::kNodeRestarted ? step : Step::kNone, ordinal_);
  RETURN_IF_ERROR(journal_.Complete(txn, step, now_ms_(),
                                    restarted ? "node restarted on the new binary"
                                              : "upgrade applied; restart disabled"));
  spdlog::info("upgrade \"{}\" at height {} complete", txn.name, txn.height);
  if (restarted) crash_.AfterRecord(step, ordinal_);
  return {};
}

}  // namespace replayer
