// Fuzz target: the configuration from a whole environment (as /proc/<pid>/environ holds it:
// NAME=value entries separated by NUL, or by newlines when there is no NUL) must never crash;
// every configuration that parses comes back equal from the config.toml `replayer init` writes
// for it, and reads the same with that file beside the environment. (TOML is UTF-8 by
// definition: an environment value that is not UTF-8, which the variables themselves accept as
// Cosmovisor does, cannot go into config.toml, so the round trip is checked for UTF-8 ones.)
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "replayer/config/config.h"

namespace {

// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
bool IsUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : (c >> 4) == 0xe ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    auto c1 = static_cast<unsigned char>(s[i + (n > 1 ? 1 : 0)]);
    if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0) || (c == 0xf0 && c1 < 0x90) ||
        (c == 0xf4 && c1 >= 0x90)) {
      return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

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
  for (const auto& [name, value] : env) {
    if (!IsUtf8(value)) return 0;
  }
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
