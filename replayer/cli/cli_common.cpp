#include "replayer/cli/cli_common.h"

#include <unistd.h>

#include <cstdio>

#include "replayer/config/file_util.h"

namespace replayer {

int Fail(const base::Status& st, int code) {
  std::fprintf(stderr, "replayer: error: %s\n", st.message().c_str());
  return code;
}

base::Result<Config> LoadConfig(const EnvMap& env, const std::string& config_file) {
  if (config_file.empty()) return ParseConfig(env);
  auto text = ReadFile(config_file);
  if (!text.ok()) return text.status().WithContext("--cosmovisor-config");
  return ParseConfig(env, *text, config_file);
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
