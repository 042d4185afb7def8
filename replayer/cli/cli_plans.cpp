// `replayer plans check|explain|import`: the schedule from the command line.
#include <unistd.h>

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

class PlansCommands final : public CommandGroup {
 public:
  explicit PlansCommands(CLI::App& app) {
    plans_ = app.add_subcommand("plans", "Upgrade schedules: check, explain, import");
    plans_->require_subcommand(1);
    check_ = plans_->add_subcommand(
        "check", "Lint a schedule: heights, names, checksums, platforms, gaps");
    check_->add_option("--plans", plans_file_, "Schedule JSON file")->required();
    check_->add_option("--platform", platform_, "os/arch to check (default: this host's)");
    explain_ = plans_->add_subcommand(
        "explain", "Which binary, version and arguments run at each height");
    explain_->add_option("--plans", plans_file_, "Schedule JSON file")->required();
    explain_->add_option("--height", height_, "Only the segment that executes this height")
        ->check(IntegerIn(1, std::numeric_limits<int64_t>::max()));
    explain_->add_option("--platform", platform_, "os/arch (default: this host's)");
    explain_->add_option("args", node_args_, "Node start arguments (after --)");
    import_ = plans_->add_subcommand(
        "import", "Build a schedule from chain-registry files, a node's REST API or a Cosmovisor "
                  "home; several sources are merged and every conflict is reported");
    import_->add_option("--chain-registry", registry_files_,
                        "versions.json or chain.json (newer and older layouts)");
    import_->add_option("--rest", rest_url_, "REST base URL of a node (gov + upgrade modules)");
    import_->add_option("--cosmovisor-home", cosmovisor_home_,
                        "A $DAEMON_HOME whose binaries are already placed");
    import_->add_option("--chain-id", chain_id_, "Chain id for the schedule");
    import_->add_option("-o,--output", output_, "Write the schedule here (default: stdout)");
    import_->add_flag("--allow-conflicts", allow_conflicts_,
                      "Write the merged schedule even when sources disagree");
  }

  std::optional<int> RunIfParsed(const Config& config, const EnvMap& env) override {
    (void)env;
    if (plans_->parsed()) return RunPlans(config);
    return std::nullopt;
  }

 private:
  int RunPlans(const Config& config) {
    std::string platform = platform_.empty() ? std::string(plans::HostPlatform()) : platform_;
    if (check_->parsed()) {
      auto schedule = LoadSchedule(plans_file_);
      if (!schedule.ok()) return Fail(schedule.status());
      auto findings = plans::CheckSchedule(*schedule, platform, config.download_must_have_checksum);
      std::fputs(plans::FormatFindings(findings).c_str(), stdout);
      for (const auto& f : findings) {
        if (f.severity == plans::Finding::Severity::kError) return kExitFailure;
      }
      return 0;
    }
    if (explain_->parsed()) {
      auto schedule = LoadSchedule(plans_file_);
      if (!schedule.ok()) return Fail(schedule.status());
      std::optional<int64_t> h;
      if (explain_->count("--height")) h = height_;
      std::fputs(plans::ExplainSchedule(*schedule, platform, node_args_, h).c_str(), stdout);
      return 0;
    }
    if (import_->parsed()) return RunImport(config);
    return kExitUsage;
  }

  int RunImport(const Config& config) {
    std::vector<plans::ImportResult> imports;
    for (const auto& file : registry_files_) {
      auto text = ReadFile(file);
      if (!text.ok()) return Fail(text.status().WithContext("--chain-registry"));
      auto r = plans::ImportChainRegistry(*text);
      if (!r.ok()) return Fail(r.status().WithContext(file));
      imports.push_back(std::move(*r));
    }
    if (!rest_url_.empty()) {
      auto r = ImportScheduleFromRest(rest_url_, chain_id_, config.name,
                                      RegistrySettingsFrom(config).download);
      if (!r.ok()) return Fail(r.status());
      imports.push_back(std::move(*r));
    }
    if (!cosmovisor_home_.empty()) {
      auto r = ImportScheduleFromCosmovisorHome(cosmovisor_home_, config.name);
      if (!r.ok()) return Fail(r.status());
      imports.push_back(std::move(*r));
    }
    if (imports.empty()) {
      return Fail(base::Status::InvalidArgument(
                      "name at least one source: --chain-registry, --rest or --cosmovisor-home"),
                  kExitUsage);
    }
    plans::Schedule merged = imports[0].schedule;
    std::vector<plans::Conflict> conflicts;
    for (size_t i = 1; i < imports.size(); ++i) {
      auto m = plans::MergeSchedules(merged, imports[i].schedule);
      merged = std::move(m.schedule);
      conflicts.insert(conflicts.end(), m.conflicts.begin(), m.conflicts.end());
    }
    if (!chain_id_.empty()) merged.chain_id = chain_id_;
    if (merged.daemon_name.empty()) merged.daemon_name = config.name;
    for (const auto& imp : imports) {
      for (const auto& n : imp.notes) {
        std::fprintf(stderr, "note: %s: %s\n", n.where.c_str(), n.message.c_str());
      }
    }
    if (!conflicts.empty()) {
      std::fprintf(stderr, "%s", plans::FormatConflicts(conflicts).c_str());
      if (!allow_conflicts_) {
        return Fail(base::Status::FailedPrecondition(
            std::to_string(conflicts.size()) +
            " conflicts between the sources (listed above); nothing written. Fix the sources "
            "or pass --allow-conflicts to keep the first source's values"));
      }
    }
    std::string text = plans::FormatSchedule(merged);
    if (output_.empty()) {
      std::fputs(text.c_str(), stdout);
      return 0;
    }
    if (auto st = WriteFileAtomic(output_, text); !st.ok()) return Fail(st);
    std::fprintf(stderr, "wrote %s: %zu segments\n", output_.c_str(), merged.segments.size());
    return 0;
  }

  CLI::App* plans_ = nullptr;
  CLI::App* check_ = nullptr;
  CLI::App* explain_ = nullptr;
  CLI::App* import_ = nullptr;
  std::string plans_file_;
  std::string platform_;
  int64_t height_ = 0;
  std::vector<std::string> node_args_;
  std::vector<std::string> registry_files_;
  std::string rest_url_;
  std::string cosmovisor_home_;
  std::string chain_id_;
  std::string output_;
  bool allow_conflicts_ = false;
};

}  // namespace

std::unique_ptr<CommandGroup> AddPlansCommands(CLI::App& app) {
  return std::make_unique<PlansCommands>(app);
}

}  // namespace replayer
