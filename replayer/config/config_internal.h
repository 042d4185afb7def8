// config_internal: what config.cpp (parsing) and config_format.cpp (output) share. Not part of
// the replayer API; include only from those two files.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "replayer/config/config.h"

namespace replayer::config_internal {

inline constexpr const char* kHome = "DAEMON_HOME";
inline constexpr const char* kName = "DAEMON_NAME";
inline constexpr const char* kDownload = "DAEMON_ALLOW_DOWNLOAD_BINARIES";
inline constexpr const char* kChecksum = "DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM";
inline constexpr const char* kRestart = "DAEMON_RESTART_AFTER_UPGRADE";
inline constexpr const char* kRestartDelay = "DAEMON_RESTART_DELAY";
inline constexpr const char* kShutdownGrace = "DAEMON_SHUTDOWN_GRACE";
inline constexpr const char* kPollInterval = "DAEMON_POLL_INTERVAL";
inline constexpr const char* kSkipBackup = "UNSAFE_SKIP_BACKUP";
inline constexpr const char* kBackupDir = "DAEMON_DATA_BACKUP_DIR";
inline constexpr const char* kMaxRetries = "DAEMON_PREUPGRADE_MAX_RETRIES";
inline constexpr const char* kGrpc = "DAEMON_GRPC_ADDRESS";
inline constexpr const char* kDisableLogs = "COSMOVISOR_DISABLE_LOGS";
inline constexpr const char* kColorLogs = "COSMOVISOR_COLOR_LOGS";
inline constexpr const char* kTimeFormat = "COSMOVISOR_TIMEFORMAT_LOGS";
inline constexpr const char* kCustomPreupgrade = "COSMOVISOR_CUSTOM_PREUPGRADE";
inline constexpr const char* kDisableRecase = "COSMOVISOR_DISABLE_RECASE";
inline constexpr const char* kBackupKeep = "REPLAYER_BACKUP_KEEP";
inline constexpr const char* kCaBundle = "REPLAYER_CA_BUNDLE";
inline constexpr const char* kTrustedKeys = "REPLAYER_TRUSTED_KEYS";
inline constexpr const char* kRequireSignature = "REPLAYER_REQUIRE_SIGNATURE";
inline constexpr const char* kHookTimeout = "REPLAYER_HOOK_TIMEOUT";
inline constexpr const char* kConfirmTimeout = "REPLAYER_CONFIRM_TIMEOUT";
inline constexpr const char* kMetricsAddr = "REPLAYER_METRICS_ADDR";

inline constexpr const char* kAllVariables[] = {
    kHome,          kName,         kDownload,   kChecksum,         kRestart,       kRestartDelay,
    kShutdownGrace, kPollInterval, kSkipBackup, kBackupDir,        kMaxRetries,    kGrpc,
    kDisableLogs,   kColorLogs,    kTimeFormat, kCustomPreupgrade, kDisableRecase, kBackupKeep,
    kCaBundle,      kTrustedKeys,  kRequireSignature, kHookTimeout, kConfirmTimeout, kMetricsAddr};

// ASCII lower case: the TOML key of a variable.
std::string Lower(std::string_view s);
// Joins path pieces like Go's filepath.Join: one '/' between pieces, cleaned.
std::string JoinPath(std::string_view base, std::initializer_list<std::string_view> parts);
// Derived paths, the same as Layout's; computed here so config does not depend on layout.
std::string RootDir(const Config& c);
std::string UpgradesDir(const Config& c);
std::string GenesisBin(const Config& c);
std::string UpgradeInfoFile(const Config& c);

}  // namespace replayer::config_internal
