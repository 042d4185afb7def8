// Pieces every CLI command group shares: loading the configuration, printing errors, and the
// registry settings and progress sink derived from the configuration. CLI-only (never called
// from library code).
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "binary-registry/progress.h"
#include "binary-registry/registry.h"
#include "replayer/config/config.h"
#include "replayer/notify/notifier.h"
#include "replayer/upgrade/crash_points.h"
#include "upgrade-plans/schedule.h"

namespace replayer {

inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Prints "replayer: error: <message>" to stderr and returns `code`.
int Fail(const base::Status& st, int code = kExitFailure);
// Environment variables over the TOML file when one is named.
base::Result<Config> LoadConfig(const EnvMap& env, const std::string& config_file);
// For commands that only read and write files (`plans`): the same settings, but DAEMON_HOME and
// DAEMON_NAME may be unset (the result's home and name are then placeholders nobody may use).
base::Result<Config> LoadConfigForFileCommands(const EnvMap& env, const std::string& config_file);
registry::RegistrySettings RegistrySettingsFrom(const Config& config);
// The REPLAYER_TEST_CRASH_AT test hook (`run` and `sync`); none when unset.
base::Result<CrashPoints> CrashPointsFromEnv(const EnvMap& env);
// The notifier of `run` and `sync` (REPLAYER_WEBHOOK_*, parsed before anything is touched):
// events carry this home, daemon and chain id ("" when unknown). With no URL it does nothing.
std::unique_ptr<Notifier> MakeNotifier(const WebhookSettings& settings, const Config& config,
                                       std::string chain_id = "");
// Reads and parses a schedule file; errors name the file (or --plans when unreadable).
base::Result<plans::Schedule> LoadSchedule(const std::string& path);
// A bar on a terminal (stderr), periodic log lines otherwise.
std::unique_ptr<registry::ProgressSink> MakeProgressSink();

// Integer and number flags checked on their text before CLI11 converts them (CLI11 clamps an
// out-of-range integer to the type's limit and accepts "nan"): an integer in [lo, hi] written in
// decimal, or a finite number >= 0.
CLI::Validator IntegerIn(int64_t lo, int64_t hi);
CLI::Validator FiniteNonNegative();

// A group of subcommands: registers its flags, then runs if one of its commands was parsed.
class CommandGroup {
 public:
  virtual ~CommandGroup() = default;
  // nullopt when none of this group's commands was given.
  virtual std::optional<int> RunIfParsed(const Config& config, const EnvMap& env) = 0;
  // Runs before the node configuration is loaded, for commands that need none; nullopt when
  // none of this group's such commands was given.
  virtual std::optional<int> RunWithoutNodeConfig(const EnvMap& env,
                                                  const std::string& config_file) {
    (void)env;
    (void)config_file;
    return std::nullopt;
  }
};

std::unique_ptr<CommandGroup> AddRegistryCommands(CLI::App& app);
std::unique_ptr<CommandGroup> AddPlansCommands(CLI::App& app);
std::unique_ptr<CommandGroup> AddSyncCommands(CLI::App& app);
std::unique_ptr<CommandGroup> AddAuditCommands(CLI::App& app);
std::unique_ptr<CommandGroup> AddUpgradeCommands(CLI::App& app);

}  // namespace replayer
