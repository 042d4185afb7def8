// config: Replayer's settings, read exactly as Cosmovisor v1.7 reads them.
//
// Settings come from the environment (the DAEMON_* / COSMOVISOR_* / UNSAFE_* variables) and,
// optionally, from a v1.6+ `config.toml` whose keys are the lower-case variable names; a
// non-empty environment variable overrides the file's key (viper's automatic env). Parsing is
// pure: it takes the environment as a map and the file as text, never reads the process
// environment or the disk itself (only EnvFromEnviron touches `environ`, only ValidateHome
// touches the file system), and never logs. Every problem is collected and reported at once,
// each naming its variable, so an operator fixes a broken unit file in one pass. The few places
// where Replayer deliberately differs from Cosmovisor are marked "DIFFERENCE" in config.cpp.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace replayer {

using EnvMap = std::map<std::string, std::string>;

// Copies a NULL-terminated `envp` (e.g. main's third argument or `environ`) into a map. Entries
// without '=' are skipped; for duplicate names the first one wins, as getenv(3) does.
EnvMap EnvFromEnviron(char** envp);

struct Config {
  std::string home;                      // DAEMON_HOME (required, absolute)
  std::string name;                      // DAEMON_NAME (required, a plain file name)
  bool allow_download_binaries = false;  // DAEMON_ALLOW_DOWNLOAD_BINARIES
  // DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM; a deliberate difference, Cosmovisor defaults to false.
  bool download_must_have_checksum = true;
  bool restart_after_upgrade = true;           // DAEMON_RESTART_AFTER_UPGRADE
  std::chrono::nanoseconds restart_delay{0};   // DAEMON_RESTART_DELAY
  std::chrono::nanoseconds shutdown_grace{0};  // DAEMON_SHUTDOWN_GRACE
  std::chrono::nanoseconds poll_interval{std::chrono::milliseconds(300)};  // DAEMON_POLL_INTERVAL
  std::string data_backup_dir;               // DAEMON_DATA_BACKUP_DIR, default = home
  bool unsafe_skip_backup = false;           // UNSAFE_SKIP_BACKUP
  int preupgrade_max_retries = 0;            // DAEMON_PREUPGRADE_MAX_RETRIES (>= 0)
  std::string custom_preupgrade;             // COSMOVISOR_CUSTOM_PREUPGRADE (relative to root)
  bool disable_recase = false;               // COSMOVISOR_DISABLE_RECASE
  bool disable_logs = false;                 // COSMOVISOR_DISABLE_LOGS
  bool color_logs = true;                    // COSMOVISOR_COLOR_LOGS
  std::string time_format_logs = "kitchen";  // COSMOVISOR_TIMEFORMAT_LOGS (a Go layout name or "")
  std::string grpc_address = "localhost:9090";  // DAEMON_GRPC_ADDRESS (accepted, for compatibility)
  int backup_keep = 2;                          // REPLAYER_BACKUP_KEEP (Replayer's own, >= 0)
  // Downloads (Replayer's own): an extra CA bundle for https, minisign public keys (the key
  // text "RW..." or a path to a .pub file, comma-separated), and whether a signature is required.
  std::string ca_bundle;                        // REPLAYER_CA_BUNDLE
  std::vector<std::string> trusted_keys;        // REPLAYER_TRUSTED_KEYS
  bool require_signature = false;               // REPLAYER_REQUIRE_SIGNATURE
  // The longest a pre-upgrade hook (the node's `pre-upgrade`, the custom script) may run before
  // its process group is killed and the upgrade fails (Replayer's own; Cosmovisor waits for ever).
  std::chrono::nanoseconds hook_timeout{std::chrono::hours(1)};  // REPLAYER_HOOK_TIMEOUT
  // How long a switch's new binary has to commit a block above the switch height before the
  // switch is reported unconfirmed (Replayer's own; reported, never rolled back).
  std::chrono::nanoseconds confirm_timeout{std::chrono::minutes(10)};  // REPLAYER_CONFIRM_TIMEOUT
  // IP:PORT where `replayer run` serves Prometheus metrics ("" = none; Replayer's own).
  std::string metrics_addr;                     // REPLAYER_METRICS_ADDR
  std::string config_file;                      // the TOML file used, empty if none
  // Things worth a log line that are not errors: unknown keys in the file (a typo there is
  // otherwise silent, as in Cosmovisor), variables that Cosmovisor v1.x ignores.
  std::vector<std::string> warnings;

  bool operator==(const Config&) const = default;
};

// Builds a Config from environment variables and, optionally, the text of a config.toml
// (`toml_path` only names the file in messages and in Config::config_file). Errors are
// kInvalidArgument, one line per problem.
base::Result<Config> ParseConfig(const EnvMap& env,
                                 const std::optional<std::string>& toml_text = std::nullopt,
                                 std::string_view toml_path = "");

// The lowest DAEMON_POLL_INTERVAL used; a lower one is raised to it with a warning.
inline constexpr std::chrono::milliseconds kMinPollInterval{10};

// File-system checks for commands that need an initialised home: $home/cosmovisor is an
// existing directory; unless backups are skipped, data_backup_dir is an existing absolute
// directory; a COSMOVISOR_CUSTOM_PREUPGRADE script is a regular file in $home/cosmovisor. All
// problems are collected (kFailedPrecondition, or kInvalidArgument for a bad path).
base::Status ValidateHome(const Config& config);

// $home/cosmovisor/config.toml, where `replayer init` writes the file and `run` looks for it.
std::string DefaultConfigPath(const Config& config);

// `replayer config`: "Configurable Values:" then "Derived Values:", laid out like
// `cosmovisor config` ("  NAME: value"), and the same facts as one JSON object.
std::string FormatConfig(const Config& config);
std::string FormatConfigJson(const Config& config);

// The config.toml that `replayer init` writes: every key, durations as integer nanoseconds (as
// `cosmovisor init` writes them). ParseConfig({}, DefaultConfigToml(c), p) == c when
// c.config_file == p and c has no warnings.
std::string DefaultConfigToml(const Config& config);

// Go's time.ParseDuration syntax ("300ms", "1.5s", "1h2m", "-2us", "0"): nanoseconds, or
// kInvalidArgument. A bare number other than "0" is refused with a hint to add a unit.
base::Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view text);
// Go's Duration.String(): "0s", "300ms", "1.5µs", "1m30s", "1h0m0s".
std::string FormatGoDuration(std::chrono::nanoseconds d);
// "true" or "false" in any case; anything else (including "") is kInvalidArgument.
base::Result<bool> ParseGoBool(std::string_view text);

// The names COSMOVISOR_TIMEFORMAT_LOGS accepts, "" included.
bool IsTimeFormatName(std::string_view name);

}  // namespace replayer
