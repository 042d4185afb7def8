// `replayer registry add|list|verify|gc|serve`: the binary store, from the command line.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>

#include "replayer/cli/cli_common.h"

namespace replayer {
namespace {

class RegistryCommands final : public CommandGroup {
 public:
  explicit RegistryCommands(CLI::App& app) {
    group_ = app.add_subcommand(
        "registry", "The content-addressed store of verified node binaries ($DAEMON_HOME/"
                    "cosmovisor/registry): add, list, verify, gc, serve as a mirror");
    group_->require_subcommand(1);
    add_ = group_->add_subcommand("add", "Fetch (or copy), verify and store a binary or archive");
    add_->add_option("source", add_opts_.source, "A path, file:// URL or http(s) URL "
                                                 "(may carry ?checksum=sha256:<hex>)")
        ->required();
    add_->add_option("--name", add_opts_.name, "Bind this name (e.g. an upgrade plan name)");
    add_->add_option("--checksum", add_opts_.checksum, "sha256:<hex>, sha512:<hex> or bare hex");
    add_->add_option("--platform", add_opts_.platform,
                     "Platform key (default: detected from the executable)");
    list_ = group_->add_subcommand("list", "List stored artefacts and the names bound to them");
    list_->add_flag("--json", list_json_, "Print as JSON");
    verify_ = group_->add_subcommand("verify", "Re-hash the whole store and report any damage");
    gc_ = group_->add_subcommand("gc", "Remove leftovers (and with --unnamed, unbound artefacts)");
    gc_->add_flag("--unnamed", gc_opts_.remove_unnamed, "Also remove artefacts no name refers to");
    gc_->add_flag("--dry-run", gc_opts_.dry_run, "Only say what would be removed");
    serve_ = group_->add_subcommand(
        "serve", "Serve the store over HTTP: /sha256/<hex> and, per name, a plan-info JSON");
    serve_->add_option("--listen", mirror_.listen, "IP:PORT (port 0 picks a free one)")
        ->capture_default_str();
    serve_->add_option("--public-url", mirror_.public_url,
                       "Base URL written into plan-info documents (default: the Host header)");
    serve_->add_option("--read-timeout", read_timeout_s_,
                       "Seconds a connection has to send its whole request")
        ->capture_default_str()
        ->check(IntegerIn(1, 86400));
    serve_->add_option("--idle-timeout", idle_timeout_s_,
                       "Seconds an answer may make no progress before the connection is closed")
        ->capture_default_str()
        ->check(IntegerIn(1, 86400));
    serve_->add_option("--max-connections", mirror_.max_connections,
                       "Connections open at once; more are answered 503")
        ->capture_default_str()
        ->check(IntegerIn(1, 100000));
  }

  std::optional<int> RunIfParsed(const Config& config, const EnvMap& env) override {
    (void)env;
    if (!group_->parsed()) return std::nullopt;
    registry::RegistrySettings settings = RegistrySettingsFrom(config);
    auto sink = MakeProgressSink();
    if (add_->parsed()) {
      add_opts_.daemon_name = config.name;
      auto entry = registry::Add(add_opts_, settings, sink.get());
      if (!entry.ok()) return Fail(entry.status());
      std::printf("stored %s sha256:%s (%llu bytes, %s)%s\n", entry->artifact_name.c_str(),
                  entry->sha256.c_str(), static_cast<unsigned long long>(entry->size),
                  entry->platform.c_str(),
                  add_opts_.name.empty() ? "" : (" as " + add_opts_.name).c_str());
      return 0;
    }
    if (list_->parsed()) {
      auto list = registry::List(settings);
      if (!list.ok()) return Fail(list.status());
      std::string text = list_json_ ? registry::ListToJson(*list) : registry::ListToText(*list);
      if (text.empty() || text.back() != '\n') text += '\n';
      std::fputs(text.c_str(), stdout);
      return 0;
    }
    if (verify_->parsed()) {
      auto report = registry::Verify(settings);
      if (!report.ok()) return Fail(report.status());
      std::printf("checked %zu artefacts\n", report->checked);
      for (const auto& d : report->damaged) {
        std::printf("DAMAGED %s: %s\n", d.sha256.c_str(), d.problem.c_str());
      }
      for (const auto& u : report->unindexed) std::printf("UNINDEXED %s\n", u.c_str());
      return report->damaged.empty() ? 0 : kExitFailure;
    }
    if (gc_->parsed()) {
      auto report = registry::Gc(gc_opts_, settings);
      if (!report.ok()) return Fail(report.status());
      for (const auto& r : report->removed) {
        std::printf("%s %s\n", gc_opts_.dry_run ? "would remove" : "removed", r.c_str());
      }
      std::printf("%s %llu bytes\n", gc_opts_.dry_run ? "would free" : "freed",
                  static_cast<unsigned long long>(report->bytes_freed));
      return 0;
    }
    if (serve_->parsed()) return Serve(settings);
    return kExitUsage;
  }

 private:
  int Serve(const registry::RegistrySettings& settings) {
    // Block the stop signals before any thread starts, then wait for one.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    mirror_.read_timeout = std::chrono::seconds(read_timeout_s_);
    mirror_.idle_timeout = std::chrono::seconds(idle_timeout_s_);
    auto server = registry::StartMirror(mirror_, settings);
    if (!server.ok()) return Fail(server.status());
    std::printf("serving %s on http://%s:%u (Ctrl-C to stop)\n", settings.store_root.c_str(),
                mirror_.listen.substr(0, mirror_.listen.rfind(':')).c_str(),
                static_cast<unsigned>((*server)->port()));
    std::fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
    spdlog::info("received {}, stopping the mirror", strsignal(sig));
    (*server)->Stop();
    return 0;
  }

  CLI::App* group_ = nullptr;
  CLI::App* add_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* verify_ = nullptr;
  CLI::App* gc_ = nullptr;
  CLI::App* serve_ = nullptr;
  registry::AddOptions add_opts_;
  bool list_json_ = false;
  registry::GcOptions gc_opts_;
  registry::MirrorOptions mirror_;
  int64_t read_timeout_s_ = 10;
  int64_t idle_timeout_s_ = 30;
};

}  // namespace

std::unique_ptr<CommandGroup> AddRegistryCommands(CLI::App& app) {
  return std::make_unique<RegistryCommands>(app);
}

}  // namespace replayer
