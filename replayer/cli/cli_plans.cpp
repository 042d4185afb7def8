// `replayer plans check|explain|import`: the schedule from the command line.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>

#include "replayer/chain/gov_import.h"
#include "replayer/cli/cli_common.h"
#include "replayer/commands/commands.h"
#include "replayer/commands/import_home.h"
#include "replayer/config/file_util.h"
#include "upgrade-plans/chain_registry.h"
#include "upgrade-plans/schedule.h"
#include "upgrade-plans/schedule_lint.h"
#include "upgrade-plans/schedule_merge.h"

namespace replayer {
namespace {

// One source of an import, in the operator's priority order (the first wins a conflict).
struct Source {
  std::string kind;   // "schedule", "rest", "chain-registry", "cosmovisor-home"
  std::string label;  // the file, URL or home it was read from
  plans::ImportResult import;
};

constexpr const char* kDefaultPriority = "schedule,rest,chain-registry,cosmovisor-home";

base::Result<std::vector<std::string>> ParsePriority(const std::string& text) {
  std::vector<std::string> out;
  const std::vector<std::string> known = {"schedule", "rest", "chain-registry", "cosmovisor-home"};
  size_t p = 0;
  while (p <= text.size()) {
    size_t comma = text.find(',', p);
    std::string kind = text.substr(p, comma == std::string::npos ? std::string::npos : comma - p);
    if (std::find(known.begin(), known.end(), kind) == known.end()) {
      return base::Status::InvalidArgument("--priority: \"" + kind +
                                           "\" is not one of schedule, rest, chain-registry, "
                                           "cosmovisor-home");
    }
    if (std::find(out.begin(), out.end(), kind) != out.end()) {
      return base::Status::InvalidArgument("--priority: \"" + kind + "\" is named twice");
    }
    out.push_back(kind);
    if (comma == std::string::npos) break;
    p = comma + 1;
  }
  for (const std::string& k : known) {
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);  // unnamed: last
  }
  return out;
}

// An operator's own schedule file: every stated field without a source is the operator's.
void MarkOperatorSources(plans::Schedule& s, const std::string& file) {
  const std::string source = "operator schedule (" + file + ")";
  if (!s.chain_id.empty()) s.sources.emplace("chain_id", source);
  if (!s.daemon_name.empty()) s.sources.emplace("daemon_name", source);
  for (plans::Segment& seg : s.segments) {
    for (const char* f : {"first_height", "kind", "name", "halt_semantics"}) {
      seg.sources.emplace(f, source);
    }
    if (!plans::HeightKnown(seg)) seg.sources["first_height"] = "unknown: " + source;
    if (!seg.version.empty()) seg.sources.emplace("version", source);
    if (!seg.binaries.empty()) seg.sources.emplace("binaries", source);
  }
}

// One schedule is one chain: every chain id (and chain-registry chain_name) must agree.
base::Status CompareChains(const std::vector<const Source*>& sources,
                           const std::string& operator_chain_id) {
  std::pair<std::string, std::string> id, name;  // value, where from
  if (!operator_chain_id.empty()) id = {operator_chain_id, "--chain-id"};
  for (const Source* s : sources) {
    const std::string& cid = s->import.schedule.chain_id;
    if (!cid.empty()) {
      if (id.first.empty()) {
        id = {cid, s->label};
      } else if (id.first != cid) {
        return base::Status::FailedPrecondition(
            "different chains: chain id " + id.first + " (" + id.second + ") and " + cid + " (" +
            s->label + "); a schedule is one chain's history, nothing written");
      }
    }
    const std::string& cname = s->import.chain_name;
    if (cname.empty()) continue;
    if (name.first.empty()) {
      name = {cname, s->label};
    } else if (name.first != cname) {
      return base::Status::FailedPrecondition(
          "different chains: chain-registry chain_name " + name.first + " (" + name.second +
          ") and " + cname + " (" + s->label + "); a schedule is one chain's history, nothing "
          "written");
    }
  }
  return {};
}

class PlansCommands final : public CommandGroup {
 public:
  explicit PlansCommands(CLI::App& app) {
    plans_ = app.add_subcommand(
        "plans", "Upgrade schedules: check, explain, import (no node configuration needed)");
    plans_->require_subcommand(1);
    check_ = plans_->add_subcommand(
        "check", "Lint a schedule: heights, names, checksums, platforms, holes, halt behaviour; "
                 "exit 1 when it cannot be replayed as it stands");
    check_->add_option("--plans", plans_file_, "Schedule JSON file")->required();
    check_->add_option("--platform", platform_, "os/arch to check (default: this host's)");
    check_->add_flag("--json", check_json_,
                     "Findings as one JSON object: ok, errors, warnings, findings[]");
    explain_ = plans_->add_subcommand(
        "explain", "Which binary, version and arguments run at each height");
    explain_->add_option("--plans", plans_file_, "Schedule JSON file")->required();
    explain_->add_option("--height", height_,
                         "Only the segment that executes this height (segments counted from 0)")
        ->check(IntegerIn(1, std::numeric_limits<int64_t>::max()));
    explain_->add_option("--platform", platform_, "os/arch (default: this host's)");
    explain_->add_option("args", node_args_, "Node start arguments (after --)");
    import_ = plans_->add_subcommand(
        "import", "Build a schedule from operator schedules, chain-registry files, a node's REST "
                  "API or a Cosmovisor home; several sources are merged in --priority order and "
                  "every conflict is reported. Exit 1 when the result cannot be replayed");
    import_->add_option("--chain-registry", registry_files_,
                        "versions.json or chain.json (older and current layouts)");
    import_->add_option("--schedule", schedule_files_,
                        "An operator's schedule file (Replayer's format); any number");
    import_->add_option("--rest", rest_url_, "REST base URL of a node (gov + upgrade modules)");
    import_->add_option("--cosmovisor-home", cosmovisor_home_,
                        "A $DAEMON_HOME whose binaries are already placed (each is probed with "
                        "`version --long` for its SDK version)");
    import_->add_option("--chain-id", chain_id_, "Chain id for the schedule (compared with the "
                                                 "sources')");
    import_->add_option("--daemon-name", daemon_name_, "The executable's name (e.g. gaiad)");
    import_->add_option("--priority", priority_,
                        "Source kinds, highest first, comma-separated (default " +
                            std::string(kDefaultPriority) + "); files of one kind rank in "
                            "command-line order");
    import_->add_option("--platform", platform_, "os/arch to check (default: this host's)");
    import_->add_option("-o,--output", output_, "Write the schedule here (default: stdout)");
    import_->add_flag("--allow-conflicts", allow_conflicts_,
                      "Write the merged schedule even when sources disagree (an entry the "
                      "sources disagree on is kept whole from the higher-priority source)");
  }

  std::optional<int> RunIfParsed(const Config& config, const EnvMap& env) override {
    (void)config;
    (void)env;
    return std::nullopt;  // RunWithoutNodeConfig ran the plans commands
  }

  std::optional<int> RunWithoutNodeConfig(const EnvMap& env,
                                          const std::string& config_file) override {
    if (!plans_->parsed()) return std::nullopt;
    auto config = LoadConfigForFileCommands(env, config_file);
    if (!config.ok()) return Fail(config.status(), kExitUsage);
    return RunPlans(*config, env);
  }

 private:
  int RunPlans(const Config& config, const EnvMap& env) {
    std::string platform = platform_.empty() ? std::string(plans::HostPlatform()) : platform_;
    if (check_->parsed()) {
      auto schedule = LoadSchedule(plans_file_);
      if (!schedule.ok()) return Fail(schedule.status());
      auto findings = plans::CheckSchedule(*schedule, platform, config.download_must_have_checksum);
      if (check_json_) {
        std::fputs(plans::FormatFindingsJson(findings).c_str(), stdout);
      } else {
        std::fputs(plans::FormatFindings(findings).c_str(), stdout);
      }
      return plans::HasErrors(findings) ? kExitFailure : 0;
    }
    if (explain_->parsed()) {
      std::optional<int64_t> h;
      if (explain_->count("--height")) h = height_;  // >= 1: the option's validator
      auto schedule = LoadSchedule(plans_file_);
      if (!schedule.ok()) return Fail(schedule.status());
      std::fputs(plans::ExplainSchedule(*schedule, platform, node_args_, h).c_str(), stdout);
      return 0;
    }
    if (import_->parsed()) return RunImport(config, env, platform);
    return kExitUsage;
  }

  base::Status ReadRegistryFiles(std::vector<Source>& out) {
    std::vector<std::string> texts;
    std::string genesis_name;  // a current chain.json's codebase.genesis.name
    for (const auto& file : registry_files_) {
      auto text = ReadFile(file);
      if (!text.ok()) return text.status().WithContext("--chain-registry");
      plans::RegistryImportOptions options;
      options.file = file;
      auto r = plans::ImportChainRegistry(*text, options);
      if (!r.ok()) return r.status().WithContext(file);
      if (r->facts && !r->facts->genesis_name.empty()) genesis_name = r->facts->genesis_name;
      texts.push_back(std::move(*text));
      out.push_back({"chain-registry", file, std::move(*r)});
    }
    if (genesis_name.empty()) return {};
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i].import.facts) continue;
      plans::RegistryImportOptions options{out[i].label, genesis_name};
      auto r = plans::ImportChainRegistry(texts[i], options);
      if (!r.ok()) return r.status().WithContext(out[i].label);
      out[i].import = std::move(*r);
    }
    return {};
  }

  int RunImport(const Config& config, const EnvMap& env, const std::string& platform) {
    auto order = ParsePriority(priority_.empty() ? kDefaultPriority : priority_);
    if (!order.ok()) return Fail(order.status(), kExitUsage);
    std::vector<Source> sources;
    for (const auto& file : schedule_files_) {
      auto s = LoadSchedule(file);
      if (!s.ok()) return Fail(s.status().WithContext("--schedule"));
      Source src{"schedule", file, {}};
      src.import.schedule = std::move(*s);
      MarkOperatorSources(src.import.schedule, file);
      sources.push_back(std::move(src));
    }
    if (auto st = ReadRegistryFiles(sources); !st.ok()) return Fail(st);
    if (!rest_url_.empty()) {
      auto r = ImportScheduleFromRest(rest_url_, chain_id_, daemon_name_,
                                      RegistrySettingsFrom(config).download);
      if (!r.ok()) return Fail(r.status());
      sources.push_back({"rest", rest_url_, std::move(*r)});
    }
    if (!cosmovisor_home_.empty()) {
      std::string daemon = daemon_name_;
      std::string daemon_source = "operator --daemon-name";
      if (auto it = env.find("DAEMON_NAME"); daemon.empty() && it != env.end()) {
        daemon = it->second;
        daemon_source = "environment DAEMON_NAME (naming the binaries in " + cosmovisor_home_ + ")";
      }
      if (daemon.empty()) {
        return Fail(base::Status::InvalidArgument(
                        "--cosmovisor-home needs the executable's name: --daemon-name"),
                    kExitUsage);
      }
      auto r = ImportScheduleFromCosmovisorHome(cosmovisor_home_, daemon, daemon_source);
      if (!r.ok()) return Fail(r.status());
      sources.push_back({"cosmovisor-home", cosmovisor_home_, std::move(*r)});
    }
    if (sources.empty()) {
      return Fail(base::Status::InvalidArgument("name at least one source: --schedule, "
                                                "--chain-registry, --rest or --cosmovisor-home"),
                  kExitUsage);
    }
    std::vector<const Source*> ordered;
    for (const std::string& kind : *order) {
      for (const Source& s : sources) {
        if (s.kind == kind) ordered.push_back(&s);
      }
    }
    if (auto st = CompareChains(ordered, chain_id_); !st.ok()) return Fail(st);
    plans::Schedule merged = ordered[0]->import.schedule;
    std::vector<plans::Conflict> conflicts;
    for (size_t i = 1; i < ordered.size(); ++i) {
      auto m = plans::MergeSchedules(merged, ordered[i]->import.schedule);
      merged = std::move(m.schedule);
      for (auto& c : m.conflicts) {
        c.right += " [" + ordered[i]->label + "]";
        conflicts.push_back(std::move(c));
      }
    }
    std::vector<std::pair<std::string, plans::ImportNote>> notes;
    for (const Source* s : ordered) {
      for (const auto& n : s->import.notes) notes.push_back({s->label, n});
      if (!s->import.facts) continue;
      for (auto& n : plans::ApplyChainFacts(merged, *s->import.facts,
                                            s->import.schedule.chain_id,
                                            s->import.schedule.daemon_name)) {
        notes.push_back({s->label, std::move(n)});
      }
    }
    if (!chain_id_.empty() && merged.chain_id.empty()) {
      merged.chain_id = chain_id_;
      merged.sources["chain_id"] = "operator --chain-id";
    }
    if (!daemon_name_.empty() && merged.daemon_name != daemon_name_) {
      if (!merged.daemon_name.empty()) {
        notes.push_back({"--daemon-name", {"daemon_name", "the operator's " + daemon_name_ +
                                                              " replaces " + merged.daemon_name}});
      }
      merged.daemon_name = daemon_name_;
      merged.sources["daemon_name"] = "operator --daemon-name";
    }
    for (const auto& [label, n] : notes) {
      std::fprintf(stderr, "note: %s: %s: %s\n", label.c_str(), n.where.c_str(),
                   n.message.c_str());
    }
    if (!conflicts.empty()) {
      std::fprintf(stderr, "%s", plans::FormatConflicts(conflicts).c_str());
      if (!allow_conflicts_) {
        return Fail(base::Status::FailedPrecondition(
            std::to_string(conflicts.size()) +
            " conflicts between the sources (listed above); nothing written. Fix the sources, "
            "or pass --allow-conflicts to keep each disputed entry whole from the "
            "higher-priority source (--priority)"));
      }
    }
    auto findings = plans::CheckSchedule(merged, platform, config.download_must_have_checksum);
    std::fputs(plans::FormatFindings(findings).c_str(), stderr);
    std::string text = plans::FormatSchedule(merged);
    if (output_.empty()) {
      std::fputs(text.c_str(), stdout);
    } else {
      if (auto st = WriteFileAtomic(output_, text); !st.ok()) return Fail(st);
      std::fprintf(stderr, "wrote %s: %zu segments\n", output_.c_str(), merged.segments.size());
    }
    if (plans::HasErrors(findings)) {
      size_t errors = 0;
      for (const auto& f : findings) errors += f.severity == plans::Finding::Severity::kError;
      return Fail(base::Status::FailedPrecondition(
          "the schedule was written, but it cannot be replayed as it stands: " +
          std::to_string(errors) + " errors (listed above; `replayer plans check` repeats "
          "them)"));
    }
    return 0;
  }

  CLI::App* plans_ = nullptr;
  CLI::App* check_ = nullptr;
  CLI::App* explain_ = nullptr;
  CLI::App* import_ = nullptr;
  std::string plans_file_;
  std::string platform_;
  bool check_json_ = false;
  int64_t height_ = 0;
  std::vector<std::string> node_args_;
  std::vector<std::string> registry_files_;
  std::vector<std::string> schedule_files_;
  std::string rest_url_;
  std::string cosmovisor_home_;
  std::string chain_id_;
  std::string daemon_name_;
  std::string priority_;
  std::string output_;
  bool allow_conflicts_ = false;
};

}  // namespace

std::unique_ptr<CommandGroup> AddPlansCommands(CLI::App& app) {
  return std::make_unique<PlansCommands>(app);
}

}  // namespace replayer
