#include "replayer/cli/cli_common.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "base/redact.h"
#include "replayer/config/file_util.h"
#include "replayer/config/version.h"

namespace replayer {

int Fail(const base::Status& st, int code) {
  std::fprintf(stderr, "replayer: error: %s\n", base::ForDisplay(st.message()).c_str());
  return code;
}

std::unique_ptr<Notifier> MakeNotifier(const WebhookSettings& settings, const Config& config,
                                       std::string chain_id) {
  NotifyContext context{config.home, config.name, std::move(chain_id),
                        std::string(ReplayerVersion())};
  if (settings.enabled()) {
    std::string shown;
    for (const auto& url : settings.urls) shown += (shown.empty() ? "" : ", ") + WebhookUrlForDisplay(url);
    spdlog::info("notifications to {} ({}{})", shown,
                 settings.format == WebhookFormat::kSlack ? "slack" : "json",
                 settings.secret.empty() ? "" : ", signed");
  }
  return std::make_unique<Notifier>(settings, std::move(context));
}

CLI::Validator IntegerIn(int64_t lo, int64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        std::string range = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
        if (ec == std::errc::result_out_of_range) return text + " is out of range (" + range + ")";
        if (ec != std::errc() || p != text.data() + text.size()) {
          return text + " is not " + range;
        }
        if (v < lo || v > hi) return text + " is out of range (" + range + ")";
        return {};
      },
      "INT in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

CLI::Validator FiniteNonNegative() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        errno = 0;
        double v = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE ||
            !std::isfinite(v) || v < 0) {
          return text + " is not a finite number of 0 or more";
        }
        return {};
      },
      "NUMBER >= 0");
}

base::Result<Config> LoadConfig(const EnvMap& env, const std::string& config_file) {
  if (config_file.empty()) return ParseConfig(env);
  auto text = ReadFile(config_file);
  if (!text.ok()) return text.status().WithContext("--cosmovisor-config");
  return ParseConfig(env, *text, config_file);
}

base::Result<Config> LoadConfigForFileCommands(const EnvMap& env, const std::string& config_file) {
  EnvMap e = env;
  if (e["DAEMON_HOME"].empty()) e["DAEMON_HOME"] = "/nonexistent-daemon-home";
  if (e["DAEMON_NAME"].empty()) e["DAEMON_NAME"] = "unset-daemon-name";
  return LoadConfig(e, config_file);
}

registry::RegistrySettings RegistrySettingsFrom(const Config& config) {
  registry::RegistrySettings s;
  s.store_root = registry::DefaultStoreRoot(config.home);
  s.must_have_checksum = config.download_must_have_checksum;
  s.download.ca_bundle = config.ca_bundle;
  s.trusted_keys = config.trusted_keys;
  s.require_signature = config.require_signature;
  return s;
}

std::unique_ptr<registry::ProgressSink> MakeProgressSink() {
  if (isatty(STDERR_FILENO)) {
    return std::make_unique<registry::BarProgressSink>([](std::string_view text) {
      std::fwrite(text.data(), 1, text.size(), stderr);
      std::fflush(stderr);
    });
  }
  return std::make_unique<registry::LogProgressSink>();
}

base::Result<CrashPoints> CrashPointsFromEnv(const EnvMap& env) {
  auto it = env.find("REPLAYER_TEST_CRASH_AT");
  if (it == env.end()) return CrashPoints();
  return CrashPoints::Parse(it->second);
}

base::Result<plans::Schedule> LoadSchedule(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status().WithContext("--plans");
  auto schedule = plans::ParseSchedule(*text);
  if (!schedule.ok()) return schedule.status().WithContext(path);
  return schedule;
}

}  // namespace replayer
