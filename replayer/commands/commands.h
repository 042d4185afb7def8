// replayer commands: what each CLI command does, as library functions with plain option structs.
//
// The CLI (cli.cpp) only parses flags and prints; everything a command changes on disk happens
// here, returns Status/Result, and leaves the home exactly as it was when it fails. Nothing here
// reads the environment or exits.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "replayer/config/config.h"
#include "replayer/config/layout.h"
#include "replayer/sync/progress.h"
#include "state/database.h"
#include "state/journal.h"
#include "upgrade-plans/upgrade_info.h"

namespace replayer {

// Where Replayer keeps its LevelDB inside a home.
std::string StateDbPath(const Layout& layout);
// Opens the state database for a command that writes (fails if `replayer run` holds it).
base::Result<std::unique_ptr<state::Database>> OpenState(const Layout& layout);
// Opens a consistent copy when the live database is locked by a running Replayer, so `status`
// works while the node runs. The copy is removed when the returned database is destroyed.
base::Result<std::unique_ptr<state::Database>> OpenStateForReading(const Layout& layout);

struct InitOptions {
  std::string genesis_binary;
  bool force = false;  // replace an existing genesis binary
};
// Creates cosmovisor/genesis/bin/<daemon> (copied, mode 0755), `current` -> genesis, data/, and
// cosmovisor/config.toml if missing. Returns one line per action taken.
base::Result<std::vector<std::string>> InitHome(const Config& config, const InitOptions& options);

struct AddUpgradeOptions {
  std::string name;
  std::string binary;
  bool force = false;
  std::optional<int64_t> upgrade_height;
};
// Copies the binary to upgrades/<dir>/bin/<daemon>; with a height also writes
// data/upgrade-info.json {name, height} and a marker saying the plan is manual, so the supervisor
// waits until the node reaches that height. Refuses to overwrite either file unless `force`.
base::Result<std::vector<std::string>> AddUpgrade(const Config& config,
                                                  const AddUpgradeOptions& options);

struct StatusReport {
  std::string current_target;  // "" when `current` is missing
  std::string current_binary;
  std::string current_upgrade;  // plan name `current` runs ("" for genesis)
  std::string current_error;
  std::vector<state::AppliedUpgrade> applied;
  std::optional<plans::UpgradeInfo> pending;  // data/upgrade-info.json names another upgrade
  std::string pending_error;
  std::optional<state::UpgradeTxn> in_progress;
  std::vector<state::JournalEntry> journal;
  std::optional<StoredProgress> sync;  // the last `replayer sync`'s progress, if any
  bool replayer_running = false;  // a Replayer holds the state database (so a sync may be live)
  std::vector<std::string> pruned_snapshots;  // applied upgrades' snapshots no longer there
};
// FailedPrecondition for a home that was never initialised (neither `current` nor a genesis
// binary). `pending` leaves out a plan already applied (after a switch without an on-chain plan
// the file still names the previous one).
base::Result<StatusReport> CollectStatus(const Config& config, size_t journal_entries = 10);
std::string FormatStatus(const StatusReport& report);
std::string FormatStatusJson(const StatusReport& report);

}  // namespace replayer
