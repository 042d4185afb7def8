// Tests for replayer::ParseConfig and friends: every Cosmovisor variable with its default and
// syntax, config.toml with env overrides, collected errors, and the file-system checks on real
// temporary directories.
#include "replayer/config/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/testing/temp_dir.h"

namespace replayer {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using base::Status;
using testing_util::TempDir;

EnvMap Minimal() { return {{"DAEMON_HOME", "/home/node"}, {"DAEMON_NAME", "gaiad"}}; }

EnvMap With(EnvMap env, const std::string& key, const std::string& value) {
  env[key] = value;
  return env;
}

Config MustParse(const EnvMap& env, const std::optional<std::string>& toml = std::nullopt,
                 std::string_view path = "") {
  auto r = ParseConfig(env, toml, path);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Config{};
}

std::string MustFail(const EnvMap& env, const std::optional<std::string>& toml = std::nullopt,
                     std::string_view path = "") {
  auto r = ParseConfig(env, toml, path);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(Status::Code::kInvalidArgument)) << r.status().ToString();
  return r.status().message();
}

size_t LineCount(const std::string& s) {
  return s.empty() ? 0 : static_cast<size_t>(std::count(s.begin(), s.end(), '\n')) + 1;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(ParseConfig, DefaultsFromMinimalEnvironment) {
  Config c = MustParse(Minimal());
  EXPECT_EQ(c.home, "/home/node");
  EXPECT_EQ(c.name, "gaiad");
  EXPECT_FALSE(c.allow_download_binaries);
  EXPECT_TRUE(c.download_must_have_checksum);  // deliberate difference from Cosmovisor
  EXPECT_TRUE(c.restart_after_upgrade);
  EXPECT_EQ(c.restart_delay, 0ns);
  EXPECT_EQ(c.shutdown_grace, 0ns);
  EXPECT_EQ(c.poll_interval, 300ms);
  EXPECT_EQ(c.data_backup_dir, "/home/node");
  EXPECT_FALSE(c.unsafe_skip_backup);
  EXPECT_EQ(c.preupgrade_max_retries, 0);
  EXPECT_EQ(c.custom_preupgrade, "");
  EXPECT_FALSE(c.disable_recase);
  EXPECT_FALSE(c.disable_logs);
  EXPECT_TRUE(c.color_logs);
  EXPECT_EQ(c.time_format_logs, "kitchen");
  EXPECT_EQ(c.grpc_address, "localhost:9090");
  EXPECT_EQ(c.backup_keep, 2);
  EXPECT_EQ(c.config_file, "");
  EXPECT_TRUE(c.warnings.empty());
}

TEST(ParseConfig, EveryVariableFromEnvironment) {
  EnvMap env = {
      {"DAEMON_HOME", "/srv/chain"},
      {"DAEMON_NAME", "simd"},
      {"DAEMON_ALLOW_DOWNLOAD_BINARIES", "true"},
      {"DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM", "false"},
      {"DAEMON_RESTART_AFTER_UPGRADE", "FALSE"},
      {"DAEMON_RESTART_DELAY", "5s"},
      {"DAEMON_SHUTDOWN_GRACE", "1m30s"},
      {"DAEMON_POLL_INTERVAL", "50ms"},
      {"DAEMON_DATA_BACKUP_DIR", "/backups"},
      {"UNSAFE_SKIP_BACKUP", "True"},
      {"DAEMON_PREUPGRADE_MAX_RETRIES", "3"},
      {"COSMOVISOR_CUSTOM_PREUPGRADE", "preupgrade.sh"},
      {"COSMOVISOR_DISABLE_RECASE", "true"},
      {"COSMOVISOR_DISABLE_LOGS", "true"},
      {"COSMOVISOR_COLOR_LOGS", "false"},
      {"COSMOVISOR_TIMEFORMAT_LOGS", "rfc3339nano"},
      {"DAEMON_GRPC_ADDRESS", "https://node:9090"},
      {"REPLAYER_BACKUP_KEEP", "0"},
  };
  Config c = MustParse(env);
  EXPECT_EQ(c.home, "/srv/chain");
  EXPECT_EQ(c.name, "simd");
  EXPECT_TRUE(c.allow_download_binaries);
  EXPECT_FALSE(c.download_must_have_checksum);
  EXPECT_FALSE(c.restart_after_upgrade);
  EXPECT_EQ(c.restart_delay, 5s);
  EXPECT_EQ(c.shutdown_grace, 90s);
  EXPECT_EQ(c.poll_interval, 50ms);
  EXPECT_EQ(c.data_backup_dir, "/backups");
  EXPECT_TRUE(c.unsafe_skip_backup);
  EXPECT_EQ(c.preupgrade_max_retries, 3);
  EXPECT_EQ(c.custom_preupgrade, "preupgrade.sh");
  EXPECT_TRUE(c.disable_recase);
  EXPECT_TRUE(c.disable_logs);
  EXPECT_FALSE(c.color_logs);
  EXPECT_EQ(c.time_format_logs, "rfc3339nano");
  EXPECT_EQ(c.grpc_address, "https://node:9090");
  EXPECT_EQ(c.backup_keep, 0);
}

TEST(ParseConfig, BooleansInAnyCaseAndEmptyMeansDefault) {
  for (const char* v : {"true", "TRUE", "True", "tRUE"}) {
    EXPECT_TRUE(
        MustParse(With(Minimal(), "DAEMON_ALLOW_DOWNLOAD_BINARIES", v)).allow_download_binaries);
  }
  for (const char* v : {"false", "FALSE", "False"}) {
    EXPECT_FALSE(MustParse(With(Minimal(), "COSMOVISOR_COLOR_LOGS", v)).color_logs);
  }
  EXPECT_TRUE(MustParse(With(Minimal(), "DAEMON_RESTART_AFTER_UPGRADE", "")).restart_after_upgrade);
  EXPECT_TRUE(MustParse(With(Minimal(), "DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM", ""))
                  .download_must_have_checksum);
  for (const char* bad : {"1", "0", "yes", "on", "t"}) {
    std::string m = MustFail(With(Minimal(), "UNSAFE_SKIP_BACKUP", bad));
    EXPECT_TRUE(Contains(m, "UNSAFE_SKIP_BACKUP")) << m;
  }
}

TEST(ParseConfig, EnvironmentDurationsMustBePositive) {
  std::string m = MustFail(With(Minimal(), "DAEMON_RESTART_DELAY", "0s"));
  EXPECT_TRUE(Contains(m, "DAEMON_RESTART_DELAY")) << m;
  EXPECT_TRUE(Contains(m, "must be greater than 0")) << m;
  for (const char* var :
       {"DAEMON_SHUTDOWN_GRACE", "DAEMON_POLL_INTERVAL", "DAEMON_RESTART_DELAY"}) {
    for (const char* v : {"0", "0s", "-1s"}) {
      m = MustFail(With(Minimal(), var, v));
      EXPECT_TRUE(Contains(m, var)) << m;
      EXPECT_TRUE(Contains(m, "must be greater than 0")) << m;
    }
  }
}

// REPLAYER_CONFIRM_TIMEOUT (Replayer's own): 10m by default, a positive duration from the
// environment or the file (never 0: a switch would be reported at once); REPLAYER_METRICS_ADDR is
// taken as given (the CLI checks it before anything starts).
TEST(ParseConfig, ConfirmTimeoutAndMetricsAddress) {
  Config d = MustParse(Minimal());
  EXPECT_EQ(d.confirm_timeout, 10min);
  EXPECT_EQ(d.metrics_addr, "");
  Config c = MustParse(With(With(Minimal(), "REPLAYER_CONFIRM_TIMEOUT", "1m30s"),
                            "REPLAYER_METRICS_ADDR", "127.0.0.1:9464"));
  EXPECT_EQ(c.confirm_timeout, 90s);
  EXPECT_EQ(c.metrics_addr, "127.0.0.1:9464");
  for (const char* v : {"0", "0s", "-1s", "soon"}) {
    std::string m = MustFail(With(Minimal(), "REPLAYER_CONFIRM_TIMEOUT", v));
    EXPECT_TRUE(Contains(m, "REPLAYER_CONFIRM_TIMEOUT")) << m;
  }
  const std::string toml = R"(
daemon_home = "/h"
daemon_name = "d"
replayer_confirm_timeout = "45s"
replayer_metrics_addr = "127.0.0.1:0"
)";
  Config f = MustParse({}, toml, "c.toml");
  EXPECT_EQ(f.confirm_timeout, 45s);
  EXPECT_EQ(f.metrics_addr, "127.0.0.1:0");
  EXPECT_TRUE(f.warnings.empty()) << "known keys";
  std::string zero = MustFail({}, "daemon_home = \"/h\"\ndaemon_name = \"d\"\n"
                                  "replayer_confirm_timeout = 0\n",
                              "c.toml");
  EXPECT_TRUE(Contains(zero, "replayer_confirm_timeout")) << zero;
  // `replayer init`'s file carries both keys and reads back the same.
  Config round = MustParse({}, DefaultConfigToml(f), "c.toml");
  EXPECT_EQ(round.confirm_timeout, 45s);
  EXPECT_EQ(round.metrics_addr, "127.0.0.1:0");
}

TEST(ParseConfig, PollIntervalHasAFloor) {
  Config c = MustParse(With(Minimal(), "DAEMON_POLL_INTERVAL", "1ns"));
  EXPECT_EQ(c.poll_interval, kMinPollInterval);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_TRUE(Contains(c.warnings[0], "DAEMON_POLL_INTERVAL 1ns is below the floor of 10ms"))
      << c.warnings[0];
  EXPECT_EQ(MustParse(With(Minimal(), "DAEMON_POLL_INTERVAL", "10ms")).warnings.size(), 0u);
}

// Zero in the file means "none" for the delay and the grace (`cosmovisor init` writes 0 there);
// only the poll interval must be above zero, and no duration may be negative.
TEST(ParseConfig, ZeroDurationsInTheFileMeanNone) {
  const std::string toml = R"(
daemon_home = "/h"
daemon_name = "d"
daemon_restart_delay = 0
daemon_shutdown_grace = "0s"
)";
  Config c = MustParse({}, toml, "c.toml");
  EXPECT_EQ(c.restart_delay.count(), 0);
  EXPECT_EQ(c.shutdown_grace.count(), 0);
}

TEST(ParseConfig, BareNumberDurationRefusedWithHint) {
  std::string m = MustFail(With(Minimal(), "DAEMON_POLL_INTERVAL", "300"));
  EXPECT_TRUE(Contains(m, "DAEMON_POLL_INTERVAL")) << m;
  EXPECT_TRUE(Contains(m, "\"300ms\"")) << m;
  m = MustFail(With(Minimal(), "DAEMON_RESTART_DELAY", "five seconds"));
  EXPECT_TRUE(Contains(m, "DAEMON_RESTART_DELAY")) << m;
}

TEST(ParseConfig, IntegersMustBeNonNegative) {
  EXPECT_EQ(
      MustParse(With(Minimal(), "DAEMON_PREUPGRADE_MAX_RETRIES", "+7")).preupgrade_max_retries, 7);
  EXPECT_EQ(MustParse(With(Minimal(), "REPLAYER_BACKUP_KEEP", "10")).backup_keep, 10);
  for (const char* bad : {"-1", "abc", "1.5", "3x", "99999999999"}) {
    std::string m = MustFail(With(Minimal(), "DAEMON_PREUPGRADE_MAX_RETRIES", bad));
    EXPECT_TRUE(Contains(m, "DAEMON_PREUPGRADE_MAX_RETRIES")) << m;
    m = MustFail(With(Minimal(), "REPLAYER_BACKUP_KEEP", bad));
    EXPECT_TRUE(Contains(m, "REPLAYER_BACKUP_KEEP")) << m;
  }
}

TEST(ParseConfig, TimeFormatNames) {
  for (const char* name : {"layout", "ansic", "unixdate", "rubydate", "rfc822", "rfc822z", "rfc850",
                           "rfc1123", "rfc1123z", "rfc3339", "rfc3339nano", "kitchen"}) {
    EXPECT_EQ(MustParse(With(Minimal(), "COSMOVISOR_TIMEFORMAT_LOGS", name)).time_format_logs,
              name);
  }
  // Set but empty means "no timestamp", unlike every other variable.
  EXPECT_EQ(MustParse(With(Minimal(), "COSMOVISOR_TIMEFORMAT_LOGS", "")).time_format_logs, "");
  for (const char* bad : {"Kitchen", "iso8601", "15:04"}) {
    std::string m = MustFail(With(Minimal(), "COSMOVISOR_TIMEFORMAT_LOGS", bad));
    EXPECT_TRUE(Contains(m, "COSMOVISOR_TIMEFORMAT_LOGS")) << m;
  }
}

TEST(ParseConfig, HomeAndNameChecks) {
  std::string m = MustFail({});
  EXPECT_TRUE(Contains(m, "DAEMON_NAME is not set") || Contains(m, "DAEMON_NAME: is not set")) << m;
  EXPECT_TRUE(Contains(m, "DAEMON_HOME")) << m;
  m = MustFail(With(Minimal(), "DAEMON_HOME", "relative/home"));
  EXPECT_TRUE(Contains(m, "DAEMON_HOME")) << m;
  EXPECT_TRUE(Contains(m, "absolute")) << m;
  m = MustFail(With(Minimal(), "DAEMON_NAME", "bin/gaiad"));
  EXPECT_TRUE(Contains(m, "DAEMON_NAME")) << m;
  m = MustFail(With(Minimal(), "DAEMON_DATA_BACKUP_DIR", "backups"));
  EXPECT_TRUE(Contains(m, "DAEMON_DATA_BACKUP_DIR")) << m;
  // A relative backup dir does not matter when backups are off.
  EnvMap skip =
      With(With(Minimal(), "DAEMON_DATA_BACKUP_DIR", "backups"), "UNSAFE_SKIP_BACKUP", "true");
  EXPECT_TRUE(ParseConfig(skip).ok());
}

TEST(ParseConfig, AllBadCollectsEveryErrorNamingItsVariable) {
  EnvMap env = {
      {"DAEMON_HOME", "not/absolute"},
      {"DAEMON_NAME", ""},
      {"DAEMON_ALLOW_DOWNLOAD_BINARIES", "yes"},
      {"DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM", "1"},
      {"DAEMON_RESTART_AFTER_UPGRADE", "maybe"},
      {"DAEMON_RESTART_DELAY", "0s"},
      {"DAEMON_SHUTDOWN_GRACE", "10"},
      {"DAEMON_POLL_INTERVAL", "fast"},
      {"UNSAFE_SKIP_BACKUP", "nope"},
      {"DAEMON_PREUPGRADE_MAX_RETRIES", "-1"},
      {"COSMOVISOR_DISABLE_RECASE", "x"},
      {"COSMOVISOR_DISABLE_LOGS", "x"},
      {"COSMOVISOR_COLOR_LOGS", "x"},
      {"COSMOVISOR_TIMEFORMAT_LOGS", "x"},
      {"REPLAYER_BACKUP_KEEP", "many"},
  };
  std::string m = MustFail(env);
  // Every variable but the free-form strings (custom preupgrade, gRPC address, backup dir, which
  // defaults to the already bad home) has its own line.
  EXPECT_EQ(LineCount(m), 15u) << m;
  for (const auto& [var, value] : env) {
    EXPECT_TRUE(Contains(m, var)) << var << " missing from:\n" << m;
  }
}

TEST(ParseConfig, TomlFileWithNanosecondDurations) {
  // What `cosmovisor init` (v1.6+) writes, from a public guide.
  const std::string toml = R"(
daemon_home = "/root/.gaia"
daemon_name = "gaiad"
daemon_allow_download_binaries = false
daemon_download_must_have_checksum = false
daemon_restart_after_upgrade = true
daemon_restart_delay = 0
daemon_shutdown_grace = 0
daemon_poll_interval = 300000000
unsafe_skip_backup = false
daemon_data_backup_dir = "/root/.gaia"
daemon_preupgrade_max_retries = 0
daemon_grpc_address = "localhost:9090"
cosmovisor_disable_logs = false
cosmovisor_color_logs = true
cosmovisor_timeformat_logs = "kitchen"
cosmovisor_custom_preupgrade = ""
cosmovisor_disable_recase = false
)";
  Config c = MustParse({}, toml, "/root/.gaia/cosmovisor/config.toml");
  EXPECT_EQ(c.home, "/root/.gaia");
  EXPECT_EQ(c.name, "gaiad");
  EXPECT_FALSE(c.download_must_have_checksum);
  EXPECT_EQ(c.restart_delay, 0ns);  // zero is fine in the file
  EXPECT_EQ(c.poll_interval, 300ms);
  EXPECT_EQ(c.config_file, "/root/.gaia/cosmovisor/config.toml");
  EXPECT_EQ(c.backup_keep, 2);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(ParseConfig, TomlDurationStringsAndStringBooleans) {
  const std::string toml = R"(
daemon_home = "/h"
daemon_name = "d"
daemon_poll_interval = "1.5s"
daemon_shutdown_grace = "1m"
daemon_restart_after_upgrade = "FALSE"
replayer_backup_keep = 5
)";
  Config c = MustParse({}, toml, "c.toml");
  EXPECT_EQ(c.poll_interval, 1500ms);
  EXPECT_EQ(c.shutdown_grace, 1min);
  EXPECT_FALSE(c.restart_after_upgrade);
  EXPECT_EQ(c.backup_keep, 5);
}

TEST(ParseConfig, EnvironmentOverridesTomlKeys) {
  const std::string toml = R"(
daemon_home = "/from/file"
daemon_name = "filed"
daemon_poll_interval = 1000000000
unsafe_skip_backup = true
cosmovisor_timeformat_logs = "rfc3339"
)";
  EnvMap env = {{"DAEMON_NAME", "envd"},
                {"DAEMON_POLL_INTERVAL", "20ms"},
                {"UNSAFE_SKIP_BACKUP", ""},  // empty: the file's value stands
                {"COSMOVISOR_TIMEFORMAT_LOGS", "ansic"}};
  Config c = MustParse(env, toml, "c.toml");
  EXPECT_EQ(c.home, "/from/file");
  EXPECT_EQ(c.name, "envd");
  EXPECT_EQ(c.poll_interval, 20ms);
  EXPECT_TRUE(c.unsafe_skip_backup);
  EXPECT_EQ(c.time_format_logs, "ansic");
  EXPECT_EQ(c.data_backup_dir, "/from/file");
}

TEST(ParseConfig, TomlErrorsNameFileAndKey) {
  const std::string toml = R"(
daemon_home = "relative"
daemon_name = "d"
daemon_poll_interval = 0
daemon_restart_delay = -5
daemon_shutdown_grace = "300"
daemon_restart_after_upgrade = 1
daemon_preupgrade_max_retries = -2
cosmovisor_timeformat_logs = "nope"
cosmovisor_color_logs = "yes"
replayer_backup_keep = "2"
daemon_name_typo = "x"
)";
  std::string m = MustFail({}, toml, "/etc/c.toml");
  EXPECT_EQ(LineCount(m), 9u) << m;
  for (const char* key :
       {"daemon_home", "daemon_poll_interval", "daemon_restart_delay", "daemon_shutdown_grace",
        "daemon_restart_after_upgrade", "daemon_preupgrade_max_retries",
        "cosmovisor_timeformat_logs", "cosmovisor_color_logs", "replayer_backup_keep"}) {
    EXPECT_TRUE(Contains(m, std::string("/etc/c.toml: key ") + key)) << key << "\n" << m;
  }
  EXPECT_TRUE(Contains(m, "DAEMON_POLL_INTERVAL")) << m;
}

TEST(ParseConfig, InvalidTomlIsReportedWithEnvironmentErrors) {
  std::string m = MustFail(With({}, "DAEMON_RESTART_DELAY", "0s"), "daemon_home = ", "bad.toml");
  EXPECT_TRUE(Contains(m, "bad.toml:1:")) << m;
  EXPECT_TRUE(Contains(m, "DAEMON_RESTART_DELAY")) << m;
}

TEST(ParseConfig, WarnsAboutUnknownKeysAndObsoleteVariables) {
  Config c = MustParse(With(Minimal(), "DAEMON_LOG_BUFFER_SIZE", "512"),
                       std::string("daemon_poll_intervall = 5\n"), "c.toml");
  ASSERT_EQ(c.warnings.size(), 2u);
  EXPECT_TRUE(Contains(c.warnings[0], "daemon_poll_intervall"));
  EXPECT_TRUE(Contains(c.warnings[1], "DAEMON_LOG_BUFFER_SIZE"));
}

TEST(ParseConfig, DefaultConfigTomlRoundTrips) {
  Config c = MustParse(Minimal());
  c.config_file = "/home/node/cosmovisor/config.toml";
  EXPECT_EQ(MustParse({}, DefaultConfigToml(c), c.config_file), c);

  Config odd = c;
  odd.home = "/weird \"home\"\\with\ttab";
  odd.data_backup_dir = "/b";
  odd.name = "d\u00e9mon";
  odd.allow_download_binaries = true;
  odd.download_must_have_checksum = false;
  odd.restart_after_upgrade = false;
  odd.restart_delay = 1500ms;
  odd.shutdown_grace = 3s;
  odd.poll_interval = 15ms;
  odd.unsafe_skip_backup = true;
  odd.preupgrade_max_retries = 4;
  odd.custom_preupgrade = "pre.sh";
  odd.disable_recase = true;
  odd.disable_logs = true;
  odd.color_logs = false;
  odd.time_format_logs = "";
  odd.grpc_address = "node:1";
  odd.backup_keep = 0;
  EXPECT_EQ(MustParse({}, DefaultConfigToml(odd), odd.config_file), odd);
}

TEST(EnvFromEnviron, CopiesNameValuePairs) {
  char a[] = "DAEMON_NAME=gaiad";
  char b[] = "EMPTY=";
  char c[] = "WITH=EQUALS=SIGN";
  char d[] = "NOEQUALS";
  char e[] = "DAEMON_NAME=second";
  char* envp[] = {a, b, c, d, e, nullptr};
  EnvMap env = EnvFromEnviron(envp);
  EXPECT_EQ(env.size(), 3u);
  EXPECT_EQ(env["DAEMON_NAME"], "gaiad");
  EXPECT_EQ(env["EMPTY"], "");
  EXPECT_EQ(env["WITH"], "EQUALS=SIGN");
  EXPECT_TRUE(EnvFromEnviron(nullptr).empty());
}

TEST(ValidateHome, AcceptsInitialisedHome) {
  TempDir home;
  fs::create_directories(home / "cosmovisor");
  Config c = MustParse({{"DAEMON_HOME", home.path()}, {"DAEMON_NAME", "d"}});
  EXPECT_TRUE(ValidateHome(c).ok()) << ValidateHome(c).ToString();
}

TEST(ValidateHome, MissingCosmovisorDirSuggestsInit) {
  TempDir home;
  Config c = MustParse({{"DAEMON_HOME", home.path()}, {"DAEMON_NAME", "d"}});
  Status st = ValidateHome(c);
  EXPECT_TRUE(st.Is(Status::Code::kFailedPrecondition)) << st.ToString();
  EXPECT_TRUE(Contains(st.message(), "replayer init")) << st.message();
  std::ofstream(home / "cosmovisor") << "a file";
  st = ValidateHome(c);
  EXPECT_TRUE(Contains(st.message(), "not a directory")) << st.message();
}

TEST(ValidateHome, BackupDirMustExistUnlessBackupsAreSkipped) {
  TempDir home;
  fs::create_directories(home / "cosmovisor");
  EnvMap env = {{"DAEMON_HOME", home.path()},
                {"DAEMON_NAME", "d"},
                {"DAEMON_DATA_BACKUP_DIR", home / "missing"}};
  Status st = ValidateHome(MustParse(env));
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(Contains(st.message(), "DAEMON_DATA_BACKUP_DIR")) << st.message();
  env["UNSAFE_SKIP_BACKUP"] = "true";
  EXPECT_TRUE(ValidateHome(MustParse(env)).ok());
}

TEST(ValidateHome, CollectsAllProblems) {
  TempDir home;
  Config c = MustParse({{"DAEMON_HOME", home.path()},
                        {"DAEMON_NAME", "d"},
                        {"DAEMON_DATA_BACKUP_DIR", home / "nope"}});
  Status st = ValidateHome(c);
  EXPECT_EQ(LineCount(st.message()), 2u) << st.message();
  Config bad;
  bad.home = "relative";
  bad.data_backup_dir = "also-relative";
  st = ValidateHome(bad);
  EXPECT_TRUE(st.Is(Status::Code::kInvalidArgument));
  EXPECT_EQ(LineCount(st.message()), 2u) << st.message();
}

TEST(FormatConfig, ListsConfigurableAndDerivedValues) {
  Config c = MustParse(With(Minimal(), "DAEMON_POLL_INTERVAL", "1m30s"));
  std::string text = FormatConfig(c);
  EXPECT_TRUE(Contains(text, "Configurable Values:\n  DAEMON_HOME: /home/node\n")) << text;
  for (const char* var :
       {"DAEMON_NAME: gaiad", "DAEMON_POLL_INTERVAL: 1m30s", "DAEMON_RESTART_DELAY: 0s",
        "DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM: true", "COSMOVISOR_TIMEFORMAT_LOGS: kitchen",
        "REPLAYER_BACKUP_KEEP: 2", "DAEMON_GRPC_ADDRESS: localhost:9090"}) {
    EXPECT_TRUE(Contains(text, std::string("  ") + var + "\n")) << var << "\n" << text;
  }
  EXPECT_TRUE(Contains(text, "Derived Values:\n")) << text;
  EXPECT_TRUE(Contains(text, "         Root Dir: /home/node/cosmovisor\n")) << text;
  EXPECT_TRUE(Contains(text, "      Upgrade Dir: /home/node/cosmovisor/upgrades\n")) << text;
  EXPECT_TRUE(Contains(text, "      Genesis Bin: /home/node/cosmovisor/genesis/bin/gaiad\n"))
      << text;
  EXPECT_TRUE(Contains(text, "   Monitored File: /home/node/data/upgrade-info.json\n")) << text;
  EXPECT_TRUE(Contains(text, "  Data Backup Dir: /home/node\n")) << text;
}

TEST(FormatConfig, DerivedPathsAreCleaned) {
  Config c = MustParse(With(Minimal(), "DAEMON_HOME", "/home//node/"));
  EXPECT_TRUE(Contains(FormatConfig(c), "Root Dir: /home/node/cosmovisor\n"));
  EXPECT_EQ(DefaultConfigPath(c), "/home/node/cosmovisor/config.toml");
}

TEST(FormatConfigJson, HasTypedValuesAndDerivedObject) {
  Config c = MustParse(With(Minimal(), "DAEMON_HOME", "/q\"uote"));
  std::string json = FormatConfigJson(c);
  EXPECT_TRUE(Contains(json, "\"daemon_home\": \"/q\\\"uote\"")) << json;
  EXPECT_TRUE(Contains(json, "\"daemon_restart_after_upgrade\": true")) << json;
  EXPECT_TRUE(Contains(json, "\"daemon_poll_interval\": \"300ms\"")) << json;
  EXPECT_TRUE(Contains(json, "\"replayer_backup_keep\": 2")) << json;
  EXPECT_TRUE(Contains(json, "\"genesis_bin\": \"/q\\\"uote/cosmovisor/genesis/bin/gaiad\""))
      << json;
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.back(), '}');
}

}  // namespace
TEST(ValidateHome, CustomPreUpgradeScriptMustExistAtStart) {
  TempDir home;
  fs::create_directories(home / "cosmovisor");
  EnvMap env = {{"DAEMON_HOME", home.path()},
                {"DAEMON_NAME", "d"},
                {"COSMOVISOR_CUSTOM_PREUPGRADE", "pre.sh"}};
  Status st = ValidateHome(MustParse(env));
  EXPECT_TRUE(st.Is(Status::Code::kFailedPrecondition)) << st.ToString();
  EXPECT_TRUE(Contains(st.message(), "COSMOVISOR_CUSTOM_PREUPGRADE \"pre.sh\": " +
                                         (home / "cosmovisor/pre.sh") +
                                         " does not exist"))
      << st.message();
  fs::create_directories(home / "cosmovisor/pre.sh");
  EXPECT_TRUE(Contains(ValidateHome(MustParse(env)).message(), "is not a regular file"));
  fs::remove(home / "cosmovisor/pre.sh");
  std::ofstream(home / "cosmovisor/pre.sh") << "#!/bin/sh\n";
  EXPECT_TRUE(ValidateHome(MustParse(env)).ok());
}

}  // namespace replayer
