// Reading Replayer's settings from the environment and config.toml (see config.h).
//
// Each variable is looked up once: a non-empty environment variable wins, then the file's key,
// then the default. Where Replayer deliberately differs from Cosmovisor the code says
// "DIFFERENCE"; README lists the same points.
#include "replayer/config/config.h"

#include <charconv>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "replayer/config/config_internal.h"

namespace replayer {
namespace {

using namespace config_internal;  // NOLINT(google-build-using-namespace)

using std::chrono::nanoseconds;

constexpr std::string_view kTimeFormatNames[] = {"layout",   "ansic",   "unixdate",    "rubydate",
                                                 "rfc822",   "rfc822z", "rfc850",      "rfc1123",
                                                 "rfc1123z", "rfc3339", "rfc3339nano", "kitchen"};

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string TypeName(const toml::node& node) {
  std::ostringstream out;
  out << node.type();
  return out.str();
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
  // DIFFERENCE: a zero poll interval in the file is refused (Cosmovisor would panic later), and
  // one below kMinPollInterval is raised to it (1ns burnt half a core; inotify reports the file
  // at once anyway, polling is only the fallback).
  c.poll_interval = r.Duration(kPollInterval, std::chrono::milliseconds(300), true);
  if (c.poll_interval < kMinPollInterval) {
    c.warnings.push_back(std::string(kPollInterval) + " " + FormatGoDuration(c.poll_interval) +
                         " is below the floor of " + FormatGoDuration(kMinPollInterval) +
                         "; using " + FormatGoDuration(kMinPollInterval));
    c.poll_interval = kMinPollInterval;
  }
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
  c.hook_timeout = r.Duration(kHookTimeout, std::chrono::hours(1), true);
  c.confirm_timeout = r.Duration(kConfirmTimeout, std::chrono::minutes(10), true);
  c.metrics_addr = r.String(kMetricsAddr, "");
  c.ca_bundle = r.String(kCaBundle, "");
  const std::string keys_text = r.String(kTrustedKeys, "");
  for (std::string_view rest = keys_text; !rest.empty();) {
    size_t comma = rest.find(',');
    std::string_view key = rest.substr(0, comma);
    while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
    while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
    if (!key.empty()) c.trusted_keys.emplace_back(key);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  c.require_signature = r.Bool(kRequireSignature, false);
  if (c.require_signature && c.trusted_keys.empty()) {
    r.Error(kRequireSignature, "is true but REPLAYER_TRUSTED_KEYS names no key");
  }

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
  if (!c.custom_preupgrade.empty() && !bad_path) {
    // Checked at start, not only once the node has been stopped at the upgrade. Looked up
    // inside cosmovisor/, as Cosmovisor joins it to its root.
    const std::string script = RootDir(c) + "/" + c.custom_preupgrade;
    std::error_code ec;
    auto st = fs::status(script, ec);
    if (!fs::is_regular_file(st)) {
      std::string why = fs::exists(st) ? " is not a regular file" : " does not exist";
      // Cosmovisor joins the value to cosmovisor/ whatever it is, so a script named by its own
      // path is not found there although it exists.
      if (!fs::exists(st) && fs::is_regular_file(c.custom_preupgrade, ec)) {
        why += "; " + c.custom_preupgrade + " does, but the value is a path relative to " +
               RootDir(c) + " and the script must be inside it";
      }
      errors.push_back(std::string(kCustomPreupgrade) + " " + Quote(c.custom_preupgrade) +
                       ": " + script + why);
    }
  }
  if (errors.empty()) return base::Status::Ok();
  std::string message = JoinLines(errors);
  return bad_path ? base::Status::InvalidArgument(message)
                  : base::Status::FailedPrecondition(message);
}

}  // namespace replayer
