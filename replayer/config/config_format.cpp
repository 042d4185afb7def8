// Output of the configuration: `replayer config` (text and JSON), the config.toml that `init`
// writes, and the helpers config_internal.h shares with the parser.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "replayer/config/config.h"
#include "replayer/config/config_internal.h"

namespace replayer {
namespace config_internal {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string JoinPath(std::string_view base, std::initializer_list<std::string_view> parts) {
  std::filesystem::path p{std::string(base)};
  for (std::string_view part : parts) p /= std::string(part);
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::string RootDir(const Config& c) { return JoinPath(c.home, {"cosmovisor"}); }
std::string UpgradesDir(const Config& c) { return JoinPath(c.home, {"cosmovisor", "upgrades"}); }
std::string GenesisBin(const Config& c) {
  return JoinPath(c.home, {"cosmovisor", "genesis", "bin", c.name});
}
std::string UpgradeInfoFile(const Config& c) {
  return JoinPath(c.home, {"data", "upgrade-info.json"});
}

}  // namespace config_internal

namespace {

std::string JoinKeys(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : ",") + k;
  return out;
}


using namespace config_internal;  // NOLINT(google-build-using-namespace)

// A TOML basic string: escapes quotes, backslashes and every control character.
std::string TomlString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

const char* BoolText(bool b) { return b ? "true" : "false"; }

struct Entry {
  const char* name;
  std::string value;
};

std::vector<Entry> ConfigurableValues(const Config& c) {
  return {
      {kHome, c.home},
      {kName, c.name},
      {kDownload, BoolText(c.allow_download_binaries)},
      {kChecksum, BoolText(c.download_must_have_checksum)},
      {kRestart, BoolText(c.restart_after_upgrade)},
      {kRestartDelay, FormatGoDuration(c.restart_delay)},
      {kShutdownGrace, FormatGoDuration(c.shutdown_grace)},
      {kPollInterval, FormatGoDuration(c.poll_interval)},
      {kSkipBackup, BoolText(c.unsafe_skip_backup)},
      {kBackupDir, c.data_backup_dir},
      {kMaxRetries, std::to_string(c.preupgrade_max_retries)},
      {kDisableLogs, BoolText(c.disable_logs)},
      {kColorLogs, BoolText(c.color_logs)},
      {kTimeFormat, c.time_format_logs},
      {kCustomPreupgrade, c.custom_preupgrade},
      {kDisableRecase, BoolText(c.disable_recase)},
      {kGrpc, c.grpc_address},
      {kBackupKeep, std::to_string(c.backup_keep)},
      {kCaBundle, c.ca_bundle},
      {kTrustedKeys, JoinKeys(c.trusted_keys)},
      {kRequireSignature, BoolText(c.require_signature)},
      {kHookTimeout, FormatGoDuration(c.hook_timeout)},
      {kConfirmTimeout, FormatGoDuration(c.confirm_timeout)},
      {kMetricsAddr, c.metrics_addr},
  };
}

std::vector<Entry> DerivedValues(const Config& c) {
  std::vector<Entry> out = {
      {"Root Dir", RootDir(c)},
      {"Upgrade Dir", UpgradesDir(c)},
      {"Genesis Bin", GenesisBin(c)},
      {"Monitored File", UpgradeInfoFile(c)},
      {"Data Backup Dir", c.data_backup_dir},
  };
  if (!c.config_file.empty()) out.push_back({"Config File", c.config_file});
  return out;
}

// A JSON string literal (RFC 8259 escaping); values may hold any bytes the user put there.
std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    auto u = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (u < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", u);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

}  // namespace

std::string FormatConfig(const Config& c) {
  std::string out = "Configurable Values:\n";
  for (const auto& e : ConfigurableValues(c))
    out += std::string("  ") + e.name + ": " + e.value + "\n";
  out += "Derived Values:\n";
  const auto derived = DerivedValues(c);
  size_t width = 0;
  for (const auto& e : derived) width = std::max(width, std::strlen(e.name));
  for (const auto& e : derived) {
    out += "  " + std::string(width - std::strlen(e.name), ' ') + e.name + ": " + e.value + "\n";
  }
  return out;
}

std::string FormatConfigJson(const Config& c) {
  // Hand-built so that bytes that are not UTF-8 in a path cannot make a JSON library throw.
  auto field = [](std::string_view key, const std::string& json) {
    return "  " + JsonString(key) + ": " + json;
  };
  std::vector<std::string> fields = {
      field("daemon_home", JsonString(c.home)),
      field("daemon_name", JsonString(c.name)),
      field("daemon_allow_download_binaries", BoolText(c.allow_download_binaries)),
      field("daemon_download_must_have_checksum", BoolText(c.download_must_have_checksum)),
      field("daemon_restart_after_upgrade", BoolText(c.restart_after_upgrade)),
      field("daemon_restart_delay", JsonString(FormatGoDuration(c.restart_delay))),
      field("daemon_shutdown_grace", JsonString(FormatGoDuration(c.shutdown_grace))),
      field("daemon_poll_interval", JsonString(FormatGoDuration(c.poll_interval))),
      field("unsafe_skip_backup", BoolText(c.unsafe_skip_backup)),
      field("daemon_data_backup_dir", JsonString(c.data_backup_dir)),
      field("daemon_preupgrade_max_retries", std::to_string(c.preupgrade_max_retries)),
      field("cosmovisor_disable_logs", BoolText(c.disable_logs)),
      field("cosmovisor_color_logs", BoolText(c.color_logs)),
      field("cosmovisor_timeformat_logs", JsonString(c.time_format_logs)),
      field("cosmovisor_custom_preupgrade", JsonString(c.custom_preupgrade)),
      field("cosmovisor_disable_recase", BoolText(c.disable_recase)),
      field("daemon_grpc_address", JsonString(c.grpc_address)),
      field("replayer_backup_keep", std::to_string(c.backup_keep)),
      field("replayer_ca_bundle", JsonString(c.ca_bundle)),
      field("replayer_trusted_keys", JsonString(JoinKeys(c.trusted_keys))),
      field("replayer_require_signature", BoolText(c.require_signature)),
      field("config_file", JsonString(c.config_file)),
  };
  std::string derived = "{";
  for (const auto& e : DerivedValues(c)) {
    std::string key = Lower(e.name);
    for (char& ch : key) {
      if (ch == ' ') ch = '_';
    }
    derived += (derived.size() > 1 ? ", " : "") + JsonString(key) + ": " + JsonString(e.value);
  }
  fields.push_back(field("derived", derived + "}"));
  std::string out = "{\n";
  for (size_t i = 0; i < fields.size(); ++i) {
    out += fields[i] + (i + 1 < fields.size() ? ",\n" : "\n");
  }
  return out + "}";
}

std::string DefaultConfigToml(const Config& c) {
  auto ns = [](std::chrono::nanoseconds d) { return std::to_string(d.count()); };
  std::string out =
      "# Replayer / Cosmovisor configuration. Keys are the lower-case environment variable\n"
      "# names; a set environment variable overrides its key. Durations are nanoseconds.\n";
  auto line = [&out](const char* var, const std::string& value) {
    out += Lower(var) + " = " + value + "\n";
  };
  line(kHome, TomlString(c.home));
  line(kName, TomlString(c.name));
  line(kDownload, BoolText(c.allow_download_binaries));
  line(kChecksum, BoolText(c.download_must_have_checksum));
  line(kRestart, BoolText(c.restart_after_upgrade));
  line(kRestartDelay, ns(c.restart_delay));
  line(kShutdownGrace, ns(c.shutdown_grace));
  line(kPollInterval, ns(c.poll_interval));
  line(kSkipBackup, BoolText(c.unsafe_skip_backup));
  line(kBackupDir, TomlString(c.data_backup_dir));
  line(kMaxRetries, std::to_string(c.preupgrade_max_retries));
  line(kGrpc, TomlString(c.grpc_address));
  line(kDisableLogs, BoolText(c.disable_logs));
  line(kColorLogs, BoolText(c.color_logs));
  line(kTimeFormat, TomlString(c.time_format_logs));
  line(kCustomPreupgrade, TomlString(c.custom_preupgrade));
  line(kDisableRecase, BoolText(c.disable_recase));
  line(kBackupKeep, std::to_string(c.backup_keep));
  line(kCaBundle, TomlString(c.ca_bundle));
  line(kTrustedKeys, TomlString(JoinKeys(c.trusted_keys)));
  line(kRequireSignature, BoolText(c.require_signature));
  line(kHookTimeout, ns(c.hook_timeout));
  line(kConfirmTimeout, ns(c.confirm_timeout));
  line(kMetricsAddr, TomlString(c.metrics_addr));
  return out;
}

std::string DefaultConfigPath(const Config& c) {
  return JoinPath(c.home, {"cosmovisor", "config.toml"});
}

}  // namespace replayer
