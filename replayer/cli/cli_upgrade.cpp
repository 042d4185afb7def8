// `replayer add-batch-upgrade` and `replayer prepare-upgrade` (Cosmovisor v1.7's commands): flags,
// printing and exit codes; the work is in commands/upgrade_commands.
#include <cstdio>

#include "replayer/cli/cli_common.h"
#include "replayer/commands/upgrade_commands.h"
#include "replayer/config/file_util.h"
#include "upgrade-plans/batch_upgrade.h"

namespace replayer {
namespace {

constexpr const char* kRestEnv = "REPLAYER_REST_ADDRESS";
constexpr const char* kDefaultRest = "http://localhost:1317";

int PrintActions(const base::Result<std::vector<std::string>>& actions) {
  if (!actions.ok()) return Fail(actions.status());
  for (const auto& a : *actions) std::printf("%s\n", a.c_str());
  return 0;
}

class UpgradeCommands final : public CommandGroup {
 public:
  explicit UpgradeCommands(CLI::App& app) {
    batch_ = app.add_subcommand(
        "add-batch-upgrade",
        "Place the binaries of several height-triggered upgrades at once (Cosmovisor v1.7): each "
        "binary is checked first, then placed, and the batch is written to "
        "data/upgrade-info.json.batch; `replayer run` switches at each height in turn");
    // Checked in RunIfParsed rather than by CLI11, so that usage errors exit with 2.
    batch_->add_option("--upgrade-list", list_, "name:path:height,... (or --upgrade-file)");
    batch_->add_option("--upgrade-file", file_,
                       "CSV file, no header, one name,path,height per line (or --upgrade-list)");

    prepare_ = app.add_subcommand(
        "prepare-upgrade",
        "Ask the running node for its upcoming upgrade plan and download and verify the plan's "
        "binary into cosmovisor/upgrades/<name>/bin/ ahead of the height (`current` unchanged)");
    prepare_->add_option("--rest", rest_,
                         std::string("The node's REST API (default: $") + kRestEnv + ", else " +
                             kDefaultRest + ")");
  }

  std::optional<int> RunIfParsed(const Config& config, const EnvMap& env) override {
    if (batch_->parsed()) return RunBatch(config);
    if (prepare_->parsed()) return RunPrepare(config, env);
    return std::nullopt;
  }

 private:
  int RunBatch(const Config& config) {
    if (list_.empty() == file_.empty()) {
      return Fail(base::Status::InvalidArgument(
                      "add-batch-upgrade: give exactly one of --upgrade-list and --upgrade-file"),
                  kExitUsage);
    }
    if (auto st = ValidateHome(config); !st.ok()) return Fail(st, kExitUsage);
    base::Result<std::vector<plans::BatchEntry>> entries = std::vector<plans::BatchEntry>();
    if (!list_.empty()) {
      entries = plans::ParseBatchList(list_);
      if (!entries.ok()) return Fail(entries.status().WithContext("--upgrade-list"));
    } else {
      auto text = ReadFile(file_);
      if (!text.ok()) return Fail(text.status().WithContext("--upgrade-file"));
      entries = plans::ParseBatchCsv(*text);
      if (!entries.ok()) return Fail(entries.status().WithContext(file_));
    }
    return PrintActions(AddBatchUpgrade(config, *entries));
  }

  int RunPrepare(const Config& config, const EnvMap& env) {
    if (auto st = ValidateHome(config); !st.ok()) return Fail(st, kExitUsage);
    PrepareUpgradeOptions options;
    options.rest_url = rest_;
    if (options.rest_url.empty()) {
      auto it = env.find(kRestEnv);
      options.rest_url = it != env.end() && !it->second.empty() ? it->second : kDefaultRest;
    }
    registry::RegistrySettings settings = RegistrySettingsFrom(config);
    auto progress = MakeProgressSink();
    return PrintActions(PrepareUpgrade(config, options, settings, progress.get()));
  }

  CLI::App* batch_ = nullptr;
  CLI::App* prepare_ = nullptr;
  std::string list_;
  std::string file_;
  std::string rest_;
};

}  // namespace

std::unique_ptr<CommandGroup> AddUpgradeCommands(CLI::App& app) {
  return std::make_unique<UpgradeCommands>(app);
}

}  // namespace replayer
