// `replayer audit --plans <file>`: checks every binary of a schedule without syncing anything.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>

#include "replayer/audit/audit.h"
#include "replayer/cli/cli_common.h"
#include "replayer/config/file_util.h"
#include "upgrade-plans/schedule.h"

namespace replayer {
namespace {

class AuditCommands final : public CommandGroup {
 public:
  explicit AuditCommands(CLI::App& app) {
    cmd_ = app.add_subcommand(
        "audit",
        "Audit an upgrade schedule without syncing: per segment and platform, the binary's URL, "
        "checksum, archive layout, ELF architecture, signature and `version`, and with --rest "
        "each plan's applied height. Exit 0 when everything passes, 1 when anything fails");
    // Checked in RunIfParsed rather than by CLI11, so that usage errors exit with 2.
    cmd_->add_option("--plans", plans_file_, "The schedule (JSON, see `replayer plans`); required");
    cmd_->add_option("--rest", options_.rest_url,
                     "A node's REST URL: compare each gov plan's applied height with the schedule");
    cmd_->add_flag("--json", json_, "Print the report as JSON");
    cmd_->add_option("--platform", options_.platforms,
                     "Platform key to audit (repeatable; default: this host's)");
    cmd_->add_flag("--no-cache", no_cache_,
                   "Download and check everything again (results are still recorded)");
    cmd_->add_option("--parallel", options_.parallel, "Downloads and checks at once (1-64)")
        ->capture_default_str()
        ->check(IntegerIn(1, 64));
  }

  std::optional<int> RunIfParsed(const Config& config, const EnvMap& env) override {
    (void)env;
    if (!cmd_->parsed()) return std::nullopt;
    if (plans_file_.empty()) {
      return Fail(base::Status::InvalidArgument("audit: --plans <file> is required"), kExitUsage);
    }
    if (options_.parallel < 1 || options_.parallel > 64) {
      return Fail(base::Status::InvalidArgument("audit: --parallel must be between 1 and 64"),
                  kExitUsage);
    }
    auto text = ReadFile(plans_file_);
    if (!text.ok()) return Fail(text.status().WithContext("--plans"), kExitUsage);
    auto schedule = plans::ParseSchedule(*text);
    if (!schedule.ok()) return Fail(schedule.status().WithContext(plans_file_));
    if (schedule->daemon_name.empty()) schedule->daemon_name = config.name;
    registry::RegistrySettings settings = RegistrySettingsFrom(config);
    options_.use_cache = !no_cache_;
    auto progress = json_ ? nullptr : MakeProgressSink();
    options_.progress = progress.get();

    // The cache lives beside the registry store. Another audit holding it is no reason to
    // fail: this one then runs without remembering anything.
    std::unique_ptr<state::Database> cache;
    std::string cache_dir = settings.store_root + "/audit-cache";
    std::error_code ec;
    std::filesystem::create_directories(settings.store_root, ec);
    auto db = state::Database::Open(cache_dir);
    if (db.ok()) {
      cache = std::move(*db);
    } else {
      spdlog::warn("audit: running without the cache: {}", db.status().message());
    }

    auto report = RunAudit(*schedule, options_, settings, cache.get());
    if (!report.ok()) {
      return Fail(report.status(), report.status().Is(base::Status::Code::kInvalidArgument)
                                       ? kExitUsage
                                       : kExitFailure);
    }
    std::string out = json_ ? FormatAuditJson(*report) + "\n" : FormatAuditTable(*report);
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    return report->ok() ? 0 : kExitFailure;
  }

 private:
  CLI::App* cmd_ = nullptr;
  std::string plans_file_;
  AuditOptions options_;
  bool json_ = false;
  bool no_cache_ = false;
};

}  // namespace

std::unique_ptr<CommandGroup> AddAuditCommands(CLI::App& app) {
  return std::make_unique<AuditCommands>(app);
}

}  // namespace replayer
