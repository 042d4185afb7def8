// Fuzz target: the Go duration and boolean parsers and the config.toml reader must never crash
// or throw; every duration that parses must survive Format/Parse, and every config that parses
// must come back equal from the config.toml that `replayer init` would write for it.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "replayer/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto duration = replayer::ParseGoDuration(text);
  if (duration.ok()) {
    auto again = replayer::ParseGoDuration(replayer::FormatGoDuration(*duration));
    if (!again.ok() || *again != *duration) std::abort();
  }
  (void)replayer::ParseGoBool(text);

  // As a config.toml, alone and under an environment that overrides some keys.
  const std::string toml(text);
  auto config = replayer::ParseConfig({}, toml, "fuzz.toml");
  if (config.ok()) {
    replayer::Config expected = *config;
    expected.warnings.clear();
    auto again = replayer::ParseConfig({}, replayer::DefaultConfigToml(expected), "fuzz.toml");
    if (!again.ok() || *again != expected) std::abort();
    (void)replayer::FormatConfig(*config);
    (void)replayer::FormatConfigJson(*config);
  }
  replayer::EnvMap env = {{"DAEMON_HOME", "/home/node"},
                          {"DAEMON_NAME", "gaiad"},
                          {"DAEMON_POLL_INTERVAL", std::string(text.substr(0, 32))}};
  (void)replayer::ParseConfig(env, toml, "fuzz.toml");
  return 0;
}
