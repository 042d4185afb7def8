// Reading Replayer's settings from the environment and config.toml (see config.h).
//
// Each variable is looked up once: a non-empty environment variable wins, then the file's key,
// then the default. Where Replayer deliberately differs from Cosmovisor the code says
// "DIFFERENCE"; README lists the same points.
#include "replayer/config.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>

#include <toml++/toml.h>

namespace replayer {
namespace {

using std::chrono::nanoseconds;

constexpr const char* kHome = "DAEMON_HOME";
constexpr const char* kName = "DAEMON_NAME";
constexpr const char* kDownload = "DAEMON_ALLOW_DOWNLOAD_BINARIES";
constexpr const char* kChecksum = "DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM";
constexpr const char* kRestart = "DAEMON_RESTART_AFTER_UPGRADE";
constexpr const char* kRestartDelay = "DAEMON_RESTART_DELAY";
constexpr const char* kShutdownGrace = "DAEMON_SHUTDOWN_GRACE";
constexpr const char* kPollInterval = "DAEMON_POLL_INTERVAL";
constexpr const char* kSkipBackup = "UNSAFE_SKIP_BACKUP";
constexpr const char* kBackupDir = "DAEMON_DATA_BACKUP_DIR";
constexpr const char* kMaxRetries = "DAEMON_PREUPGRADE_MAX_RETRIES";
constexpr const char* kGrpc = "DAEMON_GRPC_ADDRESS";
constexpr const char* kDisableLogs = "COSMOVISOR_DISABLE_LOGS";
constexpr const char* kColorLogs = "COSMOVISOR_COLOR_LOGS";
constexpr const char* kTimeFormat = "COSMOVISOR_TIMEFORMAT_LOGS";
constexpr const char* kCustomPreupgrade = "COSMOVISOR_CUSTOM_PREUPGRADE";
constexpr const char* kDisableRecase = "COSMOVISOR_DISABLE_RECASE";
constexpr const char* kBackupKeep = "REPLAYER_BACKUP_KEEP";

constexpr const char* kAllVariables[] = {
    kHome,          kName,         kDownload,   kChecksum,         kRestart,       kRestartDelay,
    kShutdownGrace, kPollInterval, kSkipBackup, kBackupDir,        kMaxRetries,    kGrpc,
    kDisableLogs,   kColorLogs,    kTimeFormat, kCustomPreupgrade, kDisableRecase, kBackupKeep};

constexpr std::string_view kTimeFormatNames[] = {"layout",   "ansic",   "unixdate",    "rubydate",
                                                 "rfc822",   "rfc822z", "rfc850",      "rfc1123",
                                                 "rfc1123z", "rfc3339", "rfc3339nano", "kitchen"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string TypeName(const toml::node& node) {
  std::ostringstream out;
  out << node.type();
  return out.str();
}

// Joins path pieces like Go's filepath.Join: one '/' between pieces, cleaned.
std::string JoinPath(std::string_view base, std::initializer_list<std::string_view> parts) {
  std::filesystem::path p{std::string(base)};
  for (std::string_view part : parts) p /= std::string(part);
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// Looks variables up in the environment, then the file, and records every problem.
class Reader {
 public:
  Reader(const EnvMap& env, const toml::table* table, std::string_view path)
      : env_(env), table_(table), path_(path.empty() ? "config.toml" : path) {}

  std::vector<std::string>& errors() { return errors_; }

  // Where `var`'s value comes from, for messages.
  std::string Label(const char* var) const {
    if (EnvValue(var, false)) return var;
    if (FileNode(var)) return path_ + ": key " + Lower(var) + " (" + var + ")";
    return var;
  }

  // True when the environment or the file gives `var` a non-empty value.
  bool IsSet(const char* var) const {
    if (EnvValue(var, false)) return true;
    const toml::node* node = FileNode(var);
    return node && !(node->is_string() && node->value_exact<std::string>()->empty());
  }

  std::string String(const char* var, std::string fallback) {
    if (const std::string* v = EnvValue(var, false)) return *v;
    if (const toml::node* node = FileNode(var)) {
      if (auto s = node->value_exact<std::string>()) return s->empty() ? fallback : *s;
      FileError(var, "must be a string, got " + TypeName(*node));
    }
    return fallback;
  }

  bool Bool(const char* var, bool fallback) {
    if (const std::string* v = EnvValue(var, false)) {
      auto parsed = ParseGoBool(*v);
      if (parsed.ok()) return *parsed;
      EnvError(var, parsed.status().message());
      return fallback;
    }
    if (const toml::node* node = FileNode(var)) {
      if (auto b = node->value_exact<bool>()) return *b;
      if (auto s = node->value_exact<std::string>()) {
        if (s->empty()) return fallback;
        auto parsed = ParseGoBool(*s);
        if (parsed.ok()) return *parsed;
        FileError(var, parsed.status().message());
      } else {
        FileError(var, "must be a boolean (true or false), got " + TypeName(*node));
      }
    }
    return fallback;
  }

  // From the environment a duration must be above zero, as in Cosmovisor. From the file an
  // integer is nanoseconds (what `init` writes) and zero is allowed except where `positive`.
  nanoseconds Duration(const char* var, nanoseconds fallback, bool positive) {
    if (const std::string* v = EnvValue(var, false)) {
      auto parsed = ParseGoDuration(*v);
      if (!parsed.ok()) {
        EnvError(var,
                 "could not parse " + Quote(*v) + " into a duration: " + parsed.status().message());
      } else if (parsed->count() <= 0) {
        EnvError(var, "must be greater than 0, got " + Quote(*v) +
                          (positive ? "" : " (leave it unset for none)"));
      } else {
        return *parsed;
      }
      return fallback;
    }
    const toml::node* node = FileNode(var);
    if (!node) return fallback;
    nanoseconds value;
    if (auto i = node->value_exact<int64_t>()) {
      value = nanoseconds(*i);
    } else if (auto s = node->value_exact<std::string>()) {
      if (s->empty()) return fallback;
      auto parsed = ParseGoDuration(*s);
      if (!parsed.ok()) {
        FileError(var, parsed.status().message());
        return fallback;
      }
      value = *parsed;
    } else {
      FileError(var, "must be integer nanoseconds or a duration string like \"300ms\", got " +
                         TypeName(*node));
      return fallback;
    }
    if (value.count() < 0 || (positive && value.count() == 0)) {
      FileError(var, std::string("must be ") + (positive ? "greater than 0" : "0 or more") +
                         ", got " + FormatGoDuration(value));
      return fallback;
    }
    return value;
  }

  // DIFFERENCE: Cosmovisor's strconv.Atoi also takes negative numbers; we refuse them.
  int NonNegativeInt(const char* var, int fallback) {
    if (const std::string* v = EnvValue(var, false)) {
      std::string_view text = *v;
      if (!text.empty() && text[0] == '+') text.remove_prefix(1);
      int value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (!text.empty() && text[0] == '-' && ec == std::errc() &&
          end == text.data() + text.size()) {
        EnvError(var, "must not be negative, got " + Quote(*v));
      } else if (text.empty() || text[0] == '-' || ec != std::errc() ||
                 end != text.data() + text.size()) {
        EnvError(var, "could not be parsed to a non-negative int: " + Quote(*v));
      } else {
        return value;
      }
      return fallback;
    }
    const toml::node* node = FileNode(var);
    if (!node) return fallback;
    if (auto i = node->value_exact<int64_t>()) {
      if (*i >= 0 && *i <= std::numeric_limits<int>::max()) return static_cast<int>(*i);
      FileError(var, "must be between 0 and " + std::to_string(std::numeric_limits<int>::max()) +
                         ", got " + std::to_string(*i));
    } else {
      FileError(var, "must be a non-negative integer, got " + TypeName(*node));
    }
    return fallback;
  }

  // Unlike the others, a set but empty COSMOVISOR_TIMEFORMAT_LOGS means "no timestamp".
  std::string TimeFormat(const char* var, std::string fallback) {
    if (const std::string* v = EnvValue(var, true)) {
      if (IsTimeFormatName(*v)) return *v;
      EnvError(var, TimeFormatProblem(*v));
      return fallback;
    }
    if (const toml::node* node = FileNode(var)) {
      auto s = node->value_exact<std::string>();
      if (!s) {
        FileError(var, "must be a string, got " + TypeName(*node));
      } else if (IsTimeFormatName(*s)) {
        return *s;
      } else {
        FileError(var, TimeFormatProblem(*s));
      }
    }
    return fallback;
  }

  // A validation error; skipped when `var` already has one (e.g. a key of the wrong type).
  void Error(const char* var, const std::string& message) {
    if (failed_.count(var)) return;
    failed_.insert(var);
    errors_.push_back(Label(var) + ": " + message);
  }

 private:
  const std::string* EnvValue(const char* var, bool empty_counts) const {
    auto it = env_.find(var);
    if (it == env_.end() || (it->second.empty() && !empty_counts)) return nullptr;
    return &it->second;
  }
  const toml::node* FileNode(const char* var) const {
    return table_ ? table_->get(Lower(var)) : nullptr;
  }
  void EnvError(const char* var, const std::string& message) {
    failed_.insert(var);
    errors_.push_back(std::string(var) + ": " + message);
  }
  void FileError(const char* var, const std::string& message) {
    failed_.insert(var);
    errors_.push_back(path_ + ": key " + Lower(var) + " (" + var + "): " + message);
  }
  static std::string TimeFormatProblem(std::string_view value) {
    std::string names;
    for (std::string_view n : kTimeFormatNames)
      names += (names.empty() ? "" : "|") + std::string(n);
    return "must be one of " + names + " or empty, got " + Quote(value);
  }

  const EnvMap& env_;
  const toml::table* table_;
  std::string path_;
  std::vector<std::string> errors_;
  std::set<std::string> failed_;  // variables that already have an error
};

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

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

// Derived paths, the same as Layout's; kept here so config does not depend on layout.
std::string RootDir(const Config& c) { return JoinPath(c.home, {"cosmovisor"}); }
std::string UpgradesDir(const Config& c) { return JoinPath(c.home, {"cosmovisor", "upgrades"}); }
std::string GenesisBin(const Config& c) {
  return JoinPath(c.home, {"cosmovisor", "genesis", "bin", c.name});
}
std::string UpgradeInfoFile(const Config& c) {
  return JoinPath(c.home, {"data", "upgrade-info.json"});
}

}  // namespace

EnvMap EnvFromEnviron(char** envp) {
  EnvMap env;
  for (char** p = envp; p && *p; ++p) {
    const char* eq = std::strchr(*p, '=');
    if (!eq) continue;
    env.emplace(std::string(*p, static_cast<size_t>(eq - *p)),
                std::string(eq + 1));  // emplace keeps the first
  }
  return env;
}

bool IsTimeFormatName(std::string_view name) {
  if (name.empty()) return true;
  for (std::string_view n : kTimeFormatNames) {
    if (n == name) return true;
  }
  return false;
}

base::Result<Config> ParseConfig(const EnvMap& env, const std::optional<std::string>& toml_text,
                                 std::string_view toml_path) {
  std::vector<std::string> early_errors;
  toml::table table;
  bool have_table = false;
  if (toml_text) {
    const std::string shown = toml_path.empty() ? "config.toml" : std::string(toml_path);
    try {
      table = toml::parse(*toml_text, toml_path);
      have_table = true;
    } catch (const toml::parse_error& e) {
      early_errors.push_back(shown + ":" + std::to_string(e.source().begin.line) + ":" +
                             std::to_string(e.source().begin.column) +
                             ": invalid TOML: " + std::string(e.description()));
    } catch (const std::exception& e) {
      early_errors.push_back(shown + ": cannot read TOML: " + e.what());
    }
  }

  Reader r(env, have_table ? &table : nullptr, toml_path);
  Config c;
  if (toml_text) c.config_file = std::string(toml_path);
  c.home = r.String(kHome, "");
  c.name = r.String(kName, "");
  c.allow_download_binaries = r.Bool(kDownload, false);
  // DIFFERENCE: checksums are required by default (Cosmovisor: false since v1.5).
  c.download_must_have_checksum = r.Bool(kChecksum, true);
  c.restart_after_upgrade = r.Bool(kRestart, true);
  c.restart_delay = r.Duration(kRestartDelay, nanoseconds(0), false);
  c.shutdown_grace = r.Duration(kShutdownGrace, nanoseconds(0), false);
  // DIFFERENCE: a zero poll interval in the file is refused (Cosmovisor would panic later).
  c.poll_interval = r.Duration(kPollInterval, std::chrono::milliseconds(300), true);
  c.unsafe_skip_backup = r.Bool(kSkipBackup, false);
  // DIFFERENCE: with a config file, a missing key takes the documented default; Cosmovisor's
  // viper leaves Go's zero value (false, 0, "") for every key the file lacks.
  c.data_backup_dir = r.String(kBackupDir, c.home);
  c.preupgrade_max_retries = r.NonNegativeInt(kMaxRetries, 0);
  c.custom_preupgrade = r.String(kCustomPreupgrade, "");
  c.disable_recase = r.Bool(kDisableRecase, false);
  c.disable_logs = r.Bool(kDisableLogs, false);
  c.color_logs = r.Bool(kColorLogs, true);
  c.time_format_logs = r.TimeFormat(kTimeFormat, "kitchen");
  c.grpc_address = r.String(kGrpc, "localhost:9090");
  c.backup_keep = r.NonNegativeInt(kBackupKeep, 2);

  if (c.name.empty()) {
    r.Error(kName, "is not set");
  } else if (c.name.find('/') != std::string::npos || c.name == "." || c.name == "..") {
    // DIFFERENCE: Cosmovisor does not check; a path here would point outside every bin/.
    r.Error(kName, "must be a plain file name, got " + Quote(c.name));
  }
  if (c.home.empty()) {
    r.Error(kHome, "is not set");
  } else if (c.home[0] != '/') {
    r.Error(kHome, "must be an absolute path, got " + Quote(c.home));
  }
  // A backup dir that merely defaulted to a bad home is already reported as DAEMON_HOME.
  if (!c.unsafe_skip_backup && r.IsSet(kBackupDir) && c.data_backup_dir[0] != '/') {
    r.Error(kBackupDir, "must be an absolute path, got " + Quote(c.data_backup_dir));
  }

  if (have_table) {
    std::set<std::string> known;
    for (const char* var : kAllVariables) known.insert(Lower(var));
    for (const auto& [key, node] : table) {
      if (!known.count(std::string(key.str()))) {
        c.warnings.push_back(c.config_file + ": unknown key " + Quote(key.str()) + " ignored");
      }
    }
  }
  if (env.count("DAEMON_LOG_BUFFER_SIZE")) {
    c.warnings.push_back("DAEMON_LOG_BUFFER_SIZE is ignored (it only mattered before v1.0)");
  }

  std::vector<std::string> errors = std::move(early_errors);
  for (auto& e : r.errors()) errors.push_back(std::move(e));
  if (!errors.empty()) return base::Status::InvalidArgument(JoinLines(errors));
  return c;
}

std::string DefaultConfigPath(const Config& c) {
  return JoinPath(c.home, {"cosmovisor", "config.toml"});
}

base::Status ValidateHome(const Config& c) {
  namespace fs = std::filesystem;
  std::vector<std::string> errors;
  bool bad_path = false;
  if (c.home.empty() || c.home[0] != '/') {
    errors.push_back(std::string(kHome) + " must be an absolute path, got " + Quote(c.home));
    bad_path = true;
  } else {
    std::error_code ec;
    const std::string root = RootDir(c);
    auto st = fs::status(root, ec);
    if (!fs::exists(st)) {
      errors.push_back(root + " does not exist (" + kHome + "=" + c.home +
                       "): run `replayer init <genesis-binary>` first");
    } else if (!fs::is_directory(st)) {
      errors.push_back(root + " is not a directory (" + kHome + "=" + c.home + ")");
    }
  }
  if (!c.unsafe_skip_backup) {
    const std::string& dir = c.data_backup_dir;
    if (dir.empty() || dir[0] != '/') {
      errors.push_back(std::string(kBackupDir) + " must be an absolute path, got " + Quote(dir));
      bad_path = true;
    } else {
      std::error_code ec;
      auto st = fs::status(dir, ec);
      if (!fs::is_directory(st)) {
        errors.push_back(std::string(kBackupDir) + " " + Quote(dir) +
                         " must be an existing directory" +
                         (fs::exists(st) ? " (it is not a directory)" : " (it does not exist)") +
                         ", or set " + kSkipBackup + "=true");
      }
    }
  }
  if (errors.empty()) return base::Status::Ok();
  std::string message = JoinLines(errors);
  return bad_path ? base::Status::InvalidArgument(message)
                  : base::Status::FailedPrecondition(message);
}

namespace {

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
  auto ns = [](nanoseconds d) { return std::to_string(d.count()); };
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
  return out;
}

}  // namespace replayer
