#include "replayer/cli/cli.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <limits>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "replayer/cli/cli_common.h"
#include "binary-registry/listen.h"
#include "replayer/commands/commands.h"
#include "replayer/commands/switch_metrics.h"
#include "replayer/config/config.h"
#include "replayer/upgrade/crash_points.h"
#include "replayer/config/file_util.h"
#include "replayer/config/layout.h"
#include "replayer/config/logging.h"
#include "replayer/process/process.h"
#include "replayer/supervisor/supervisor.h"
#include "replayer/sync/metrics_server.h"
#include "replayer/config/version.h"
#include "replayer/notify/event.h"
#include "replayer/notify/webhook_settings.h"

namespace replayer {
namespace {

int CmdRun(const EnvMap& env, std::vector<std::string> args, std::string config_file,
           char** envp) {
  (void)envp;
  // Like cosmovisor v1.6+, `--cosmovisor-config <path>` is taken out of the node's arguments.
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--cosmovisor-config" && i + 1 < args.size()) {
      config_file = args[i + 1];
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      break;
    }
    if (args[i].rfind("--cosmovisor-config=", 0) == 0) {
      config_file = args[i].substr(std::string("--cosmovisor-config=").size());
      args.erase(args.begin() + static_cast<long>(i));
      break;
    }
  }
  auto config = LoadConfig(env, config_file);
  if (!config.ok()) return Fail(config.status(), kExitUsage);
  SetupLogging(*config);
  for (const auto& w : config->warnings) spdlog::warn("{}", w);
  if (auto st = ValidateHome(*config); !st.ok()) return Fail(st, kExitUsage);
  auto crash = CrashPointsFromEnv(env);
  if (!crash.ok()) return Fail(crash.status(), kExitUsage);
  auto webhooks = ParseWebhookSettings(env);
  if (!webhooks.ok()) return Fail(webhooks.status(), kExitUsage);
  if (!config->metrics_addr.empty()) {
    if (auto la = registry::ParseListenAddress(config->metrics_addr); !la.ok()) {
      return Fail(la.status().WithContext("REPLAYER_METRICS_ADDR"), kExitUsage);
    }
  }
  Layout layout(config->home, config->name);
  auto db = OpenState(layout);
  if (!db.ok()) return Fail(db.status());
  // Declared before the supervisor, so it outlives it and drains (bounded) when `run` returns.
  auto notifier = MakeNotifier(*webhooks, *config);
  state::JournalObserver observer;
  if (webhooks->enabled()) {
    observer = [&n = *notifier](const state::JournalEvent& e) { n.Publish(EventFromJournal(e)); };
  }
  // Each switch's confirmation, read from the journal at every scrape.
  std::unique_ptr<MetricsServer> metrics;
  if (!config->metrics_addr.empty()) {
    state::Database* state_db = db->get();
    metrics = std::make_unique<MetricsServer>(config->metrics_addr,
                                              [state_db] { return SwitchMetrics(*state_db); });
    auto port = metrics->Start();
    if (!port.ok()) return Fail(port.status().WithContext("REPLAYER_METRICS_ADDR"));
    spdlog::info("metrics at http://{}:{}/metrics",
                 config->metrics_addr.substr(0, config->metrics_addr.rfind(':')), *port);
  }
  PosixProcessLauncher launcher;
  // DAEMON_ALLOW_DOWNLOAD_BINARIES: a missing upgrade binary is fetched from the plan's info,
  // verified and installed by the registry; any failure leaves `current` and the data as they were.
  registry::RegistrySettings settings = RegistrySettingsFrom(*config);
  auto progress = MakeProgressSink();
  BinaryFetcher fetcher;
  if (config->allow_download_binaries) {
    fetcher = [&](const state::UpgradeTxn& txn) -> base::Status {
      registry::EnsureRequest req;
      req.daemon_home = config->home;
      req.daemon_name = config->name;
      req.upgrade_dir = txn.dir;
      req.plan_name = txn.name;
      req.plan_info = txn.info;
      // The journal keeps the info without URL credentials (base/redact.h); the node's own
      // data/upgrade-info.json for the same plan still has them.
      if (auto text = ReadFile(layout.UpgradeInfoFile()); text.ok()) {
        auto plan = plans::ParseUpgradeInfo(*text);
        if (plan.ok() && plan->name == txn.name && plan->height == txn.height) {
          req.plan_info = plan->info;
        }
      }
      auto r = registry::EnsureUpgradeBinary(req, settings, progress.get());
      if (!r.ok()) return r.status();
      spdlog::info("installed {} from {} (sha256 {})", r->binary, r->source, r->sha256);
      return {};
    };
  }
  Supervisor supervisor({*config, layout, **db, launcher, *crash, fetcher, nullptr, observer});
  auto code = supervisor.Run(args);
  if (!code.ok()) {
    spdlog::error("{}", code.status().message());
    notifier->Publish(RunFailedEvent(base::UnixMillis(), code.status().message()));
    return Fail(code.status());
  }
  return *code;
}

int CmdVersion(const Config& config, const std::string& output, bool replayer_only) {
  bool json = output == "json";
  if (!json && output != "text") {
    return Fail(base::Status::InvalidArgument("--output must be text or json, got " + output),
                kExitUsage);
  }
  if (!json) std::printf("replayer version: %s\n", std::string(ReplayerVersion()).c_str());
  if (replayer_only) {
    if (json) {
      std::printf("%s\n", nlohmann::json{{"replayer_version", ReplayerVersion()},
                                         {"cosmovisor_version", ReplayerVersion()}}
                              .dump()
                              .c_str());
    }
    return 0;
  }
  // Runs the binary `current` points at directly, never through the supervisor, so asking for
  // the version can never apply a pending upgrade (Cosmovisor #22167).
  Layout layout(config.home, config.name);
  auto current = layout.ReadCurrent();
  if (!current.ok()) return Fail(current.status());
  PosixProcessLauncher launcher;
  SpawnOptions opts;
  auto bin = layout.CheckTargetBinary(*current);
  if (!bin.ok()) return Fail(bin.status());
  opts.path = *bin;
  if (!json) {
    std::fflush(stdout);
    opts.args = {"version"};
    auto exit = RunToCompletion(launcher, opts, std::chrono::seconds(30));
    if (!exit.ok()) return Fail(exit.status());
    return exit->exit_code;
  }
  opts.args = {"version", "--long", "--output", "json"};
  auto run = RunCaptured(launcher, opts, std::chrono::seconds(30));
  if (!run.ok()) return Fail(run.status());
  nlohmann::json app = nlohmann::json::parse(run->out, nullptr, false);
  if (app.is_discarded()) app = run->out;
  std::printf("%s\n", nlohmann::json{{"replayer_version", ReplayerVersion()},
                                     {"cosmovisor_version", ReplayerVersion()},
                                     {"app_version", app}}
                          .dump()
                          .c_str());
  return run->exit.exit_code;
}

// The deepest subcommand the parser entered (`registry` for `replayer registry bogus`).
CLI::App* DeepestParsed(CLI::App* app) {
  for (CLI::App* sub : app->get_subcommands()) return DeepestParsed(sub);
  return app;
}

// CLI11's errors exit with its own codes (104-109); ours are documented: 0 for --help, 2 for
// every usage error. An unknown command is named as such, with the commands there are.
int UsageError(CLI::App& app, const CLI::ParseError& e) {
  if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
  CLI::App* where = DeepestParsed(&app);
  auto commands = where->get_subcommands([](const CLI::App*) { return true; });
  // An unmatched word falls through to the top (app.fallthrough()): look there too.
  std::vector<std::string> extra = app.remaining(/*recurse=*/true);
  if (!commands.empty() && !extra.empty() && !extra.front().empty() && extra.front()[0] != '-') {
    std::string names;
    for (const CLI::App* c : commands) names += (names.empty() ? "" : ", ") + c->get_name();
    std::string prefix = where == &app ? "" : where->get_name() + " ";
    std::fprintf(stderr, "replayer: error: unknown command \"%s%s\"; commands: %s (see --help)\n",
                 prefix.c_str(), extra.front().c_str(), names.c_str());
    return kExitUsage;
  }
  (void)app.exit(e);  // prints CLI11's message and the usage hint
  return kExitUsage;
}

}  // namespace

int RunCli(int argc, char** argv, char** envp) {
  signal(SIGPIPE, SIG_IGN);
  EnvMap env = EnvFromEnviron(envp);
  SetupDefaultLogging();

  // `run` takes every following argument for the node, unparsed.
  std::string config_file;
  int first = 1;
  if (argc > 2 && (std::string(argv[1]) == "--cosmovisor-config" || std::string(argv[1]) == "-c")) {
    config_file = argv[2];
    first = 3;
  }
  if (argc > first && std::string(argv[first]) == "run") {
    bool wants_help = argc == first + 2 && (std::string(argv[first + 1]) == "--help" ||
                                            std::string(argv[first + 1]) == "-h");
    if (!wants_help) {
      return CmdRun(env, std::vector<std::string>(argv + first + 1, argv + argc), config_file,
                    envp);
    }
  }

  CLI::App app{
      "Replayer: runs a Cosmos SDK node across its binary upgrades, crash-safe.\n"
      "A drop-in replacement for Cosmovisor: same environment variables (DAEMON_HOME,\n"
      "DAEMON_NAME, ...), same folder layout under $DAEMON_HOME/cosmovisor.",
      "replayer"};
  app.footer(
      "Notifications (run, sync): REPLAYER_WEBHOOK_URL (one or more http(s) URLs) receives a JSON\n"
      "POST per event: each journal step of a switch, its failures, sync started / segment\n"
      "reached / finished. REPLAYER_WEBHOOK_SECRET signs (X-Replayer-Signature: sha256=HMAC),\n"
      "REPLAYER_WEBHOOK_FORMAT=slack sends {\"text\": ...}; REPLAYER_WEBHOOK_TIMEOUT, _RETRIES,\n"
      "_BACKOFF, _DRAIN_TIMEOUT bound the delivery (docs/notifications.md).");
  app.require_subcommand(1);
  app.fallthrough();  // `replayer config -c file` as well as `replayer -c file config`
  app.add_option("-c,--cosmovisor-config", config_file,
                 "TOML configuration file (environment variables override its keys)");

  auto* init = app.add_subcommand(
      "init", "Set up $DAEMON_HOME/cosmovisor with a genesis binary and current -> genesis");
  InitOptions init_opts;
  init->add_option("genesis-binary", init_opts.genesis_binary, "Path to the genesis binary")
      ->required();
  init->add_flag("--force", init_opts.force, "Replace an existing genesis binary");

  app.add_subcommand("run",
                     "Run the node: `replayer run <node args...>`. Every argument after `run` and "
                     "stdin go to the node unchanged; upgrades are applied as they come. Each "
                     "switch is confirmed once the new binary commits a block above the switch "
                     "height; not confirmed within REPLAYER_CONFIRM_TIMEOUT (default 10m), or the "
                     "node exiting first, is reported (error log, `status`, metrics), never rolled "
                     "back. REPLAYER_METRICS_ADDR=IP:PORT serves Prometheus metrics at /metrics");

  auto* version = app.add_subcommand(
      "version", "Print Replayer's version, then the version of the binary `current` points at");
  std::string output = "text";
  bool replayer_only = false;
  version->add_option("-o,--output", output, "text or json")->capture_default_str();
  version->add_flag("--cosmovisor-only,--replayer-only", replayer_only,
                    "Print only Replayer's version");

  auto* config_cmd =
      app.add_subcommand("config", "Print the configuration in effect and the derived paths");
  bool config_json = false;
  config_cmd->add_flag("--json", config_json, "Print as JSON");

  auto* add = app.add_subcommand(
      "add-upgrade", "Place a binary for an upgrade (and optionally schedule it at a height)");
  AddUpgradeOptions add_opts;
  int64_t height = 0;
  add->add_option("name", add_opts.name, "Upgrade name (as on chain)")->required();
  add->add_option("binary", add_opts.binary, "Path to the new binary")->required();
  add->add_flag("--force", add_opts.force, "Overwrite an existing binary or upgrade-info.json");
  auto* height_opt = add->add_option(
      "--upgrade-height", height,
      "Also write data/upgrade-info.json for this height: the switch happens once the node "
      "reports that height")
      ->check(IntegerIn(1, std::numeric_limits<int64_t>::max()));

  auto* status = app.add_subcommand(
      "status",
      "Show the current binary, applied upgrades (each with its confirmation: confirmed at "
      "height N, waiting, or NOT CONFIRMED and why), pending upgrades, and the journal");
  bool status_json = false;
  size_t journal_n = 10;
  status->add_flag("--json", status_json, "Print as JSON");
  status->add_option("-n,--journal", journal_n, "Journal entries to show")
      ->capture_default_str()
      ->check(IntegerIn(0, 1000000));

  app.add_subcommand("show-upgrade-info", "Print data/upgrade-info.json as it is");
  std::vector<std::unique_ptr<CommandGroup>> groups;
  groups.push_back(AddRegistryCommands(app));
  groups.push_back(AddPlansCommands(app));
  groups.push_back(AddSyncCommands(app));
  groups.push_back(AddAuditCommands(app));
  groups.push_back(AddUpgradeCommands(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return UsageError(app, e);
  }

  if (app.got_subcommand("run")) return 0;  // only `run --help` reaches here
  for (auto& g : groups) {
    if (auto code = g->RunWithoutNodeConfig(env, config_file)) return *code;
  }

  auto config = LoadConfig(env, config_file);
  if (!config.ok()) return Fail(config.status(), kExitUsage);
  SetupLogging(*config);
  for (const auto& w : config->warnings) spdlog::warn("{}", w);

  for (auto& g : groups) {
    if (auto code = g->RunIfParsed(*config, env)) return *code;
  }
  if (init->parsed()) {
    auto actions = InitHome(*config, init_opts);
    if (!actions.ok()) return Fail(actions.status());
    for (const auto& a : *actions) std::printf("%s\n", a.c_str());
    return 0;
  }
  if (version->parsed()) return CmdVersion(*config, output, replayer_only);
  if (config_cmd->parsed()) {
    std::string text = config_json ? FormatConfigJson(*config) : FormatConfig(*config);
    if (text.empty() || text.back() != '\n') text += '\n';
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  if (add->parsed()) {
    if (auto st = ValidateHome(*config); !st.ok()) return Fail(st, kExitUsage);
    if (height_opt->count() > 0) add_opts.upgrade_height = height;
    auto actions = AddUpgrade(*config, add_opts);
    if (!actions.ok()) return Fail(actions.status());
    for (const auto& a : *actions) std::printf("%s\n", a.c_str());
    return 0;
  }
  if (status->parsed()) {
    auto report = CollectStatus(*config, journal_n);
    if (!report.ok()) return Fail(report.status());
    std::printf("%s", (status_json ? FormatStatusJson(*report) + "\n" : FormatStatus(*report)).c_str());
    return 0;
  }
  if (app.got_subcommand("show-upgrade-info")) {
    Layout layout(config->home, config->name);
    auto text = ReadFile(layout.UpgradeInfoFile());
    if (!text.ok()) return Fail(text.status());
    std::printf("%s\n", text->c_str());
    return 0;
  }
  return kExitUsage;
}

}  // namespace replayer
