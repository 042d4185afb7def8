// Fuzz target: the configuration from a whole environment (as /proc/<pid>/environ holds it:
// NAME=value entries separated by NUL, or by newlines when there is no NUL) must never crash;
// every configuration that parses comes back equal from the config.toml `replayer init` writes
// for it, and reads the same with that file beside the environment.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "replayer/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const char sep = text.find('\0') != std::string_view::npos ? '\0' : '\n';
  std::vector<std::string> entries;
  while (!text.empty()) {
    size_t end = text.find(sep);
    entries.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  std::vector<char*> envp;
  for (auto& e : entries) {
    if (e.find('\0') == std::string::npos) envp.push_back(e.data());
  }
  envp.push_back(nullptr);
  const replayer::EnvMap env = replayer::EnvFromEnviron(envp.data());

  auto config = replayer::ParseConfig(env);
  if (!config.ok()) return 0;
  (void)replayer::FormatConfig(*config);
  (void)replayer::FormatConfigJson(*config);
  replayer::Config expected = *config;
  expected.warnings.clear();
  expected.config_file = "fuzz.toml";
  const std::string toml = replayer::DefaultConfigToml(expected);
  auto from_file = replayer::ParseConfig({}, toml, "fuzz.toml");
  if (!from_file.ok() || *from_file != expected) std::abort();
  auto both = replayer::ParseConfig(env, toml, "fuzz.toml");
  if (!both.ok()) std::abort();
  both->warnings.clear();
  if (*both != expected) std::abort();
  return 0;
}
