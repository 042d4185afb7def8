// `replayer plans check|explain|import`: the schedule from the command line.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>

#include "binary-registry/downloader.h"
#include "binary-registry/hashing.h"
#include "replayer/chain/url.h"
#include "replayer/cli/cli_common.h"
#include "replayer/commands/commands.h"
#include "replayer/config/file_util.h"
#include "replayer/config/layout.h"
#include "upgrade-plans/chain_registry.h"
#include "upgrade-plans/gov_rest.h"
#include "upgrade-plans/schedule.h"
#include "upgrade-plans/schedule_lint.h"
#include "upgrade-plans/schedule_merge.h"

namespace replayer {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxRestPages = 1000;  // bound on the proposal pages one import reads

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// Passed software-upgrade proposals from a node's REST API (gov v1, then v1beta1), each
// confirmed with applied_plan.
base::Result<plans::ImportResult> ImportFromRest(const std::string& base_url,
                                                 const std::string& chain_id,
                                                 const std::string& daemon,
                                                 registry::DownloadOptions options) {
  options.allow_http_without_checksum = true;  // API answers, not binaries
  options.max_attempts = 3;
  registry::Downloader http(options);
  std::string base = TrimSlash(base_url);
  std::vector<plans::GovPlan> plans_found;
  base::Status last_error;
  for (const char* api : {"v1", "v1beta1"}) {
    plans_found.clear();
    std::string key;
    int pages = 0;
    bool ok = true;
    do {
      std::string url = base + "/cosmos/gov/" + api +
                        "/proposals?proposal_status=PROPOSAL_STATUS_PASSED&pagination.limit=100";
      if (!key.empty()) url += "&pagination.key=" + UrlEscape(key);
      auto text = http.FetchText(url, std::nullopt, 16 << 20);
      if (!text.ok()) {
        last_error = text.status();
        ok = false;
        break;
      }
      auto page = plans::ParseGovProposalsPage(*text);
      if (!page.ok()) return page.status().WithContext(url);
      plans_found.insert(plans_found.end(), page->plans.begin(), page->plans.end());
      key = page->next_key;
    } while (!key.empty() && ++pages < kMaxRestPages);
    if (ok) break;
    spdlog::warn("gov {} proposals not available at {} ({}); trying the next API version", api,
                 base, last_error.message());
  }
  if (!last_error.ok() && plans_found.empty()) return last_error.WithContext("--rest " + base);
  std::map<std::string, int64_t> applied;
  for (const auto& p : plans_found) {
    if (applied.count(p.name)) continue;
    std::string url = base + "/cosmos/upgrade/v1beta1/applied_plan/" + UrlEscape(p.name);
    auto text = http.FetchText(url, std::nullopt);
    if (!text.ok()) return text.status().WithContext("confirming plan \"" + p.name + "\"");
    auto h = plans::ParseAppliedPlanHeight(*text);
    if (!h.ok()) return h.status().WithContext(url);
    applied[p.name] = *h;
  }
  plans::ImportResult result = plans::ScheduleFromGovPlans(plans_found, applied, chain_id, daemon);
  for (const auto& doc : result.info_documents) {
    auto text = http.FetchText(doc.url, doc.checksum);
    if (!text.ok()) {
      result.notes.push_back({doc.segment_name, "plan info " + doc.url + ": " +
                                                    text.status().message()});
      continue;
    }
    if (auto st = plans::AttachInfoDocument(result.schedule, doc, *text); !st.ok()) {
      result.notes.push_back({doc.segment_name, st.message()});
    }
  }
  return result;
}

// Binaries already placed in a Cosmovisor home: genesis plus every upgrade whose folder holds the
// plan copy Cosmovisor (or Replayer) wrote at switch time.
base::Result<plans::ImportResult> ImportFromCosmovisorHome(const std::string& home,
                                                           const std::string& daemon) {
  Layout layout(home, daemon);
  plans::ImportResult result;
  result.schedule.daemon_name = daemon;
  auto add_binary = [&](plans::Segment& seg, const std::string& bin) -> base::Status {
    ASSIGN_OR_RETURN(std::string hex, registry::HashFileHex(bin, plans::HashAlgo::kSha256));
    plans::BinarySpec spec;
    spec.platform = std::string(plans::HostPlatform());
    spec.url = "file://" + bin;
    spec.checksum = plans::Checksum{plans::HashAlgo::kSha256, hex};
    seg.binaries[spec.platform] = spec;
    seg.sources["binaries"] = "cosmovisor home " + home;
    return {};
  };
  plans::Segment genesis;
  genesis.first_height = 1;
  genesis.kind = plans::SwitchKind::kGenesis;
  genesis.name = "genesis";
  genesis.sources["first_height"] = "assumed: a Cosmovisor home does not record it";
  if (layout.CheckTargetBinary("genesis").ok()) {
    RETURN_IF_ERROR(add_binary(genesis, layout.TargetBinary("genesis")));
  } else {
    result.notes.push_back({"genesis", "no executable " + layout.TargetBinary("genesis")});
  }
  result.schedule.segments.push_back(genesis);
  std::error_code ec;
  std::vector<plans::Segment> upgrades;
  for (const auto& e : fs::directory_iterator(layout.UpgradesDir(), ec)) {
    std::string dir = e.path().filename().string();
    if (!e.is_directory() || dir.starts_with(".")) continue;
    std::string target = Layout::UpgradeTarget(dir);
    auto info = layout.ReadTargetUpgradeInfo(target);
    if (!info.ok() || !*info) {
      result.notes.push_back({"upgrades/" + dir, "no upgrade-info.json beside the binary, so its "
                                                 "height is unknown; left out"});
      continue;
    }
    plans::Segment seg;
    seg.first_height = (*info)->height;
    seg.kind = plans::SwitchKind::kGovernancePlan;
    seg.name = (*info)->name;
    seg.sources["first_height"] = "cosmovisor home upgrade-info.json";
    seg.sources["kind"] = "assumed: Cosmovisor only switches at governance plans";
    if (layout.CheckTargetBinary(target).ok()) {
      RETURN_IF_ERROR(add_binary(seg, layout.TargetBinary(target)));
    }
    upgrades.push_back(seg);
  }
  std::sort(upgrades.begin(), upgrades.end(),
            [](const auto& a, const auto& b) { return a.first_height < b.first_height; });
  for (auto& s : upgrades) result.schedule.segments.push_back(std::move(s));
  return result;
}

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
      auto r = ImportFromRest(rest_url_, chain_id_, config.name,
                              RegistrySettingsFrom(config).download);
      if (!r.ok()) return Fail(r.status());
      imports.push_back(std::move(*r));
    }
    if (!cosmovisor_home_.empty()) {
      auto r = ImportFromCosmovisorHome(cosmovisor_home_, config.name);
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
