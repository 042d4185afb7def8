#include "replayer/commands/commands.h"

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>

#include "binary-registry/verify.h"
#include "replayer/config/file_util.h"
#include "replayer/upgrade/snapshot.h"
#include "replayer/supervisor/height_gate.h"

namespace replayer {
namespace fs = std::filesystem;

namespace {

std::string FormatTimeMs(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A binary placed by hand gets the checks a downloaded one gets (ELF for this machine's
// architecture, or a `#!` script whose interpreter is here), before anything is written. A
// missing or irregular source is left to InstallBinary, which names it.
base::Status CheckSourceBinary(const std::string& src) {
  struct stat st {};
  if (::stat(src.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
  return registry::CheckExecutableFormat(src, "any");
}

}  // namespace

std::string StateDbPath(const Layout& layout) { return layout.StateDir() + "/state"; }

base::Result<std::unique_ptr<state::Database>> OpenState(const Layout& layout) {
  RETURN_IF_ERROR(MakeDirs(layout.StateDir()));
  return state::Database::Open(StateDbPath(layout));
}

base::Result<std::unique_ptr<state::Database>> OpenStateForReading(const Layout& layout) {
  return state::Database::OpenForReading(StateDbPath(layout));
}

base::Result<std::vector<std::string>> InitHome(const Config& config, const InitOptions& options) {
  Layout layout(config.home, config.name);
  std::vector<std::string> actions;
  std::string bin = layout.TargetBinary("genesis");
  bool exists = fs::exists(bin);
  if (exists && !options.force) {
    actions.push_back(bin + " already exists; kept (use --force to replace it)");
  } else {
    RETURN_IF_ERROR(CheckSourceBinary(options.genesis_binary));
    RETURN_IF_ERROR(layout.InstallBinary(options.genesis_binary, "genesis", options.force));
    actions.push_back("installed " + options.genesis_binary + " as " + bin);
  }
  RETURN_IF_ERROR(MakeDirs(layout.UpgradesDir()));
  RETURN_IF_ERROR(MakeDirs(layout.DataDir()));
  auto current = layout.ReadCurrent();
  if (current.ok()) {
    actions.push_back(layout.CurrentLink() + " already points at " + *current + "; kept");
  } else if (current.status().Is(base::Status::Code::kNotFound)) {
    RETURN_IF_ERROR(layout.SwitchCurrent("genesis"));
    actions.push_back("created " + layout.CurrentLink() + " -> genesis");
  } else {
    return current.status();
  }
  std::string toml = DefaultConfigPath(config);
  if (!fs::exists(toml)) {
    RETURN_IF_ERROR(WriteFileAtomic(toml, DefaultConfigToml(config)));
    actions.push_back("wrote " + toml);
  }
  return actions;
}

base::Result<std::vector<std::string>> AddUpgrade(const Config& config,
                                                  const AddUpgradeOptions& options) {
  if (options.name.empty()) return base::Status::InvalidArgument("upgrade name is empty");
  RETURN_IF_ERROR(plans::CheckPlanName(options.name));
  if (options.upgrade_height && *options.upgrade_height <= 0) {
    return base::Status::InvalidArgument("--upgrade-height must be above 0, got " +
                                         std::to_string(*options.upgrade_height));
  }
  Layout layout(config.home, config.name);
  std::string dir = plans::UpgradeDirName(options.name, config.disable_recase);
  std::string target = Layout::UpgradeTarget(dir);
  std::vector<std::string> actions;
  // Check both files (and the binary's format) before writing either, so a refusal changes
  // nothing.
  RETURN_IF_ERROR(CheckSourceBinary(options.binary));
  if (options.upgrade_height && !options.force && fs::exists(layout.UpgradeInfoFile())) {
    return base::Status::AlreadyExists(layout.UpgradeInfoFile() +
                                       " already exists; use --force to overwrite it");
  }
  if (auto st = layout.InstallBinary(options.binary, target, options.force); !st.ok()) {
    if (st.Is(base::Status::Code::kAlreadyExists)) {
      return base::Status(st.code(), st.message() + "; use --force to replace it");
    }
    return st;
  }
  actions.push_back("installed " + options.binary + " as " + layout.TargetBinary(target));
  if (options.upgrade_height) {
    plans::UpgradeInfo plan{options.name, *options.upgrade_height, "", ""};
    nlohmann::json marker{{"name", options.name}, {"height", *options.upgrade_height}};
    RETURN_IF_ERROR(WriteFileAtomic(ManualPlanMarker(layout, dir), marker.dump() + "\n"));
    RETURN_IF_ERROR(MakeDirs(layout.DataDir()));
    // Only name and height, like cosmovisor add-upgrade.
    std::string text = nlohmann::json{{"name", options.name}, {"height", *options.upgrade_height}}
                           .dump();
    RETURN_IF_ERROR(WriteFileAtomic(layout.UpgradeInfoFile(), text));
    actions.push_back("wrote " + layout.UpgradeInfoFile() + ": upgrade \"" + options.name +
                      "\" at height " + std::to_string(*options.upgrade_height));
  }
  return actions;
}

base::Result<StatusReport> CollectStatus(const Config& config, size_t journal_entries) {
  Layout layout(config.home, config.name);
  StatusReport r;
  auto current = layout.ReadCurrent();
  if (current.ok()) {
    r.current_target = *current;
    r.current_binary = layout.TargetBinary(*current);
    auto info = layout.ReadTargetUpgradeInfo(*current);
    if (info.ok() && *info) r.current_upgrade = (*info)->name;
  } else {
    std::error_code ec;
    if (current.status().Is(base::Status::Code::kNotFound) &&
        !fs::exists(layout.TargetBinary("genesis"), ec)) {
      return base::Status::FailedPrecondition(
          config.home + " was never initialised: neither " + layout.CurrentLink() + " nor " +
          layout.TargetBinary("genesis") + " exists (set it up with `replayer init <binary>`)");
    }
    r.current_error = current.status().message();
  }
  ASSIGN_OR_RETURN(auto db, OpenStateForReading(layout));
  r.replayer_running = db->IsPrivateCopy();
  state::JournalStore journal(*db);
  ASSIGN_OR_RETURN(r.applied, journal.Applied());
  ASSIGN_OR_RETURN(r.in_progress, journal.Active());
  ASSIGN_OR_RETURN(r.journal, journal.LastEntries(journal_entries));
  for (const auto& a : r.applied) {
    if (!a.snapshot_path.empty() && !ReadSnapshotMarker(a.snapshot_path).ok()) {
      r.pruned_snapshots.push_back(a.snapshot_path);
    }
  }
  auto text = ReadFile(layout.UpgradeInfoFile());
  if (text.ok()) {
    auto plan = plans::ParseUpgradeInfo(*text);
    if (!plan.ok()) {
      r.pending_error = layout.UpgradeInfoFile() + ": " + plan.status().message();
    } else if (!plans::SameUpgradeName(plan->name, r.current_upgrade, config.disable_recase)) {
      bool applied = false;
      for (const auto& a : r.applied) {
        applied = applied || (a.height == plan->height &&
                              plans::SameUpgradeName(a.name, plan->name, config.disable_recase));
      }
      if (!applied) r.pending = *plan;
    }
  } else if (!text.status().Is(base::Status::Code::kNotFound)) {
    r.pending_error = text.status().message();  // a FIFO, a device, a huge file
  }
  ASSIGN_OR_RETURN(auto progress, db->Get(kSyncProgressKey));
  if (progress) {
    auto parsed = ParseStoredProgress(*progress);
    if (parsed.ok()) r.sync = *parsed;  // advisory: an unreadable record is not an error
  }
  return r;
}

namespace {

bool Pruned(const StatusReport& r, const std::string& path) {
  return std::find(r.pruned_snapshots.begin(), r.pruned_snapshots.end(), path) !=
         r.pruned_snapshots.end();
}

// A sync that did not finish while no Replayer holds the database has stopped (a crash, an
// error, a signal): its rate and ETA would be stale.
bool SyncStopped(const StatusReport& r) {
  return r.sync && !r.sync->progress.finished && !r.replayer_running;
}

// ", confirmed at height 5 (time)", ", waiting for confirmation ...", ", NOT CONFIRMED: ...".
std::string ConfirmationText(const state::AppliedUpgrade& a) {
  switch (a.confirmation) {
    case state::Confirmation::kUnknown:
      return "";
    case state::Confirmation::kPending:
      return ", waiting for confirmation (a block above " + std::to_string(a.height) + ")";
    case state::Confirmation::kConfirmed:
      return ", confirmed at height " + std::to_string(a.confirmed_height) + " (" +
             FormatTimeMs(a.confirmed_ms) + ")";
    case state::Confirmation::kUnconfirmed:
      return ", NOT CONFIRMED (" + FormatTimeMs(a.reported_ms) + "): " + a.confirm_detail;
  }
  return "";
}

nlohmann::json ConfirmationJson(const state::AppliedUpgrade& a) {
  using nlohmann::json;
  json j{{"state", state::ConfirmationName(a.confirmation)},
         {"confirmed", a.confirmation == state::Confirmation::kConfirmed},
         {"height", nullptr},
         {"time", nullptr},
         {"reported_at", nullptr},
         {"detail", a.confirm_detail}};
  if (a.confirmation == state::Confirmation::kConfirmed) {
    j["height"] = a.confirmed_height;
    j["time"] = FormatTimeMs(a.confirmed_ms);
  }
  if (a.reported_ms != 0) j["reported_at"] = FormatTimeMs(a.reported_ms);
  return j;
}

}  // namespace

std::string FormatStatus(const StatusReport& r) {
  std::string out;
  if (r.current_error.empty()) {
    out += "current:      " + r.current_target + " (" + r.current_binary + ")";
    if (!r.current_upgrade.empty()) out += ", upgrade \"" + r.current_upgrade + "\"";
    out += "\n";
  } else {
    out += "current:      ERROR " + r.current_error + "\n";
  }
  out += "applied:      " + (r.applied.empty() ? std::string("none") : std::to_string(r.applied.size())) + "\n";
  for (const auto& a : r.applied) {
    out += "  " + a.name + " at height " + std::to_string(a.height) + " (" +
           FormatTimeMs(a.applied_ms) + ")" +
           (a.snapshot_path.empty()      ? ""
            : Pruned(r, a.snapshot_path) ? ", snapshot pruned"
                                         : ", snapshot " + a.snapshot_path) +
           ConfirmationText(a) + "\n";
  }
  if (r.pending) {
    out += "pending:      \"" + r.pending->name + "\" at height " +
           std::to_string(r.pending->height) + "\n";
  } else if (!r.pending_error.empty()) {
    out += "pending:      unreadable: " + r.pending_error + "\n";
  } else {
    out += "pending:      none\n";
  }
  if (r.in_progress) {
    out += "in progress:  \"" + r.in_progress->name + "\" at height " +
           std::to_string(r.in_progress->height) + ", last step " +
           std::string(state::StepName(r.in_progress->last_step)) + "\n";
  }
  if (r.sync) {
    const auto& p = r.sync->progress;
    out += "sync:         ";
    if (SyncStopped(r)) {
      out += "not running; the last `replayer sync` stopped at height " +
             std::to_string(p.height) +
             (p.target ? " of " + std::to_string(*p.target) : std::string()) + ", segment " +
             std::to_string(p.segment) + " of " + std::to_string(p.segments) + " (updated " +
             FormatTimeMs(r.sync->unix_ms) + ")\n";
    } else {
      out += FormatProgressLine(p) + " (updated " + FormatTimeMs(r.sync->unix_ms) + ")\n";
    }
    for (const auto& d : p.downtimes) {
      out += "  switch to " + d.to_label + " (first block " + std::to_string(d.first_height) +
             "): downtime " + std::to_string(static_cast<int64_t>(d.seconds * 1000)) + " ms\n";
    }
  }
  out += "journal (last " + std::to_string(r.journal.size()) + "):\n";
  for (const auto& e : r.journal) {
    out += "  " + FormatTimeMs(e.time_ms) + "  " + e.upgrade + "  " +
           std::string(state::StepName(e.step)) + (e.failed ? " FAILED" : "") +
           (e.detail.empty() ? "" : ": " + e.detail) + "\n";
  }
  return out;
}

std::string FormatStatusJson(const StatusReport& r) {
  using nlohmann::json;
  json j;
  j["current"] = r.current_error.empty()
                     ? json{{"target", r.current_target},
                            {"binary", r.current_binary},
                            {"upgrade", r.current_upgrade}}
                     : json{{"error", r.current_error}};
  j["applied"] = json::array();
  for (const auto& a : r.applied) {
    j["applied"].push_back({{"name", a.name},
                            {"dir", a.dir},
                            {"height", a.height},
                            {"applied_at", FormatTimeMs(a.applied_ms)},
                            {"snapshot", Pruned(r, a.snapshot_path) ? "" : a.snapshot_path},
                            {"snapshot_pruned", Pruned(r, a.snapshot_path)},
                            {"confirmation", ConfirmationJson(a)}});
  }
  j["pending"] = r.pending ? json{{"name", r.pending->name}, {"height", r.pending->height},
                                  {"info", r.pending->info}}
                           : json(nullptr);
  if (!r.pending_error.empty()) j["pending_error"] = r.pending_error;
  j["in_progress"] = r.in_progress
                         ? json{{"name", r.in_progress->name},
                                {"height", r.in_progress->height},
                                {"last_step", state::StepName(r.in_progress->last_step)}}
                         : json(nullptr);
  j["journal"] = json::array();
  for (const auto& e : r.journal) {
    j["journal"].push_back({{"time", FormatTimeMs(e.time_ms)},
                            {"upgrade", e.upgrade},
                            {"step", state::StepName(e.step)},
                            {"failed", e.failed},
                            {"detail", e.detail}});
  }
  j["sync"] = r.sync ? json::parse(ProgressToJson(r.sync->progress, r.sync->unix_ms))
                     : json(nullptr);
  if (r.sync) j["sync"]["running"] = !r.sync->progress.finished && r.replayer_running;
  return j.dump(2);
}

}  // namespace replayer
