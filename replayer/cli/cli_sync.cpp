// `replayer sync`: replay the chain along a schedule, with progress, metrics and a summary.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <memory>

#include "base/clock.h"
#include "binary-registry/listen.h"
#include "replayer/cli/cli_common.h"
#include "replayer/commands/commands.h"
#include "replayer/commands/switch_metrics.h"
#include "replayer/config/file_util.h"
#include "replayer/config/layout.h"
#include "replayer/notify/event.h"
#include "replayer/notify/webhook_settings.h"
#include "replayer/sync/metrics_server.h"
#include "replayer/sync/progress.h"
#include "replayer/supervisor/supervisor.h"
#include "replayer/sync/sync.h"
#include "upgrade-plans/schedule_lint.h"

namespace replayer {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Prints a progress line every `interval` and keeps the latest progress in the state database
// (at most once a second) for `replayer status`. Called from the event loop on every update.
class ProgressReporter {
 public:
  ProgressReporter(SyncProgress& progress, state::Database& db, double interval_s)
      : progress_(progress), db_(db), interval_(interval_s) {}

  void Tick(bool force) {
    auto now = Clock::now();
    if (!force && now - last_store_ < std::chrono::seconds(1) &&
        (interval_ <= 0 || Seconds(now - last_print_) < interval_)) {
      return;
    }
    ProgressSnapshot snap = progress_.Snapshot(now);
    if (force || now - last_store_ >= std::chrono::seconds(1)) {
      last_store_ = now;
      auto unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
      // Unsynced: progress is advisory, and one fsync a second would cost the node.
      if (auto st = db_.PutVolatile(kSyncProgressKey, ProgressToJson(snap, unix_ms)); !st.ok()) {
        spdlog::warn("cannot record sync progress: {}", st.message());
      }
    }
    if (interval_ > 0 && (force || Seconds(now - last_print_) >= interval_) && snap.height > 0) {
      last_print_ = now;
      spdlog::info("progress: {}", FormatProgressLine(snap));
    }
  }

 private:
  SyncProgress& progress_;
  state::Database& db_;
  double interval_;
  Clock::time_point last_store_{};
  Clock::time_point last_print_ = Clock::now();
};

std::string Millis(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", s * 1000);
  return buf;
}

void PrintSyncSummary(const plans::Schedule& schedule, bool disable_recase, const SyncPolicy& policy,
                      const ProgressSnapshot& p, int64_t start_height, Clock::duration prefetch,
                      Clock::duration replay) {
  int64_t blocks = p.height > start_height ? p.height - start_height : 0;
  std::fprintf(stderr,
               "\nsync summary: %zu segments, prefetch %.2f s, replay %.2f s, %lld blocks "
               "(%.0f blocks/s), final height %lld\n",
               schedule.segments.size(), Seconds(prefetch), Seconds(replay),
               static_cast<long long>(blocks),
               Seconds(replay) > 0 ? static_cast<double>(blocks) / Seconds(replay) : 0.0,
               static_cast<long long>(p.height));
  for (size_t i = 0; i < schedule.segments.size(); ++i) {
    const auto& t = policy.timings()[i];
    auto last = plans::LastHeight(schedule, i);
    std::string heights = std::to_string(schedule.segments[i].first_height) + "-" +
                          (last ? std::to_string(*last) : std::string("tip"));
    char took[32];
    std::snprintf(took, sizeof took, "%.2f s",
                  t.started && t.ended ? Seconds(*t.ended - *t.started) : 0.0);
    std::string time = t.started && t.ended ? std::string(took)
                       : t.started          ? std::string("running at exit")
                                            : std::string("not run here");
    std::fprintf(stderr, "  %-28s heights %-15s %-10s %-22s %s\n",
                 plans::SegmentLabel(schedule, i).c_str(), heights.c_str(),
                 schedule.segments[i].version.c_str(),
                 SegmentTarget(schedule, i, disable_recase).c_str(), time.c_str());
  }
  if (p.downtimes.empty()) return;
  std::fprintf(stderr, "  downtime per switch (last block of one binary to first block of the next):\n");
  std::vector<double> d;
  for (const auto& s : p.downtimes) {
    std::fprintf(stderr, "    -> %-26s first block %lld: %s\n", s.to_label.c_str(),
                 static_cast<long long>(s.first_height), Millis(s.seconds).c_str());
    d.push_back(s.seconds);
  }
  std::sort(d.begin(), d.end());
  double median = d.size() % 2 ? d[d.size() / 2] : (d[d.size() / 2 - 1] + d[d.size() / 2]) / 2;
  std::fprintf(stderr, "  downtime: median %s, max %s over %zu switches\n", Millis(median).c_str(),
               Millis(d.back()).c_str(), d.size());
}

// `plans check` findings, except that a segment whose binary is already in place in the layout
// needs no binaries, URL or checksum in the schedule: those errors become warnings.
std::vector<plans::Finding> LintForSync(const plans::Schedule& schedule, const Config& config,
                                        const Layout& layout) {
  auto findings = plans::CheckSchedule(schedule, plans::HostPlatform(),
                                       config.download_must_have_checksum);
  for (auto& f : findings) {
    if (f.severity != plans::Finding::Severity::kError) continue;
    for (size_t i = 0; i < schedule.segments.size(); ++i) {
      if (f.where.rfind("segments[" + std::to_string(i) + "].binaries", 0) != 0) continue;
      std::string bin = layout.TargetBinary(SegmentTarget(schedule, i, config.disable_recase));
      if (layout.CheckTargetBinary(SegmentTarget(schedule, i, config.disable_recase)).ok()) {
        f.severity = plans::Finding::Severity::kWarning;
        f.message += " (" + bin + " is already in place, so sync does not need it)";
      }
    }
  }
  return findings;
}

class SyncCommands final : public CommandGroup {
 public:
  explicit SyncCommands(CLI::App& app) {
    sync_ = app.add_subcommand(
        "sync", "Replay the chain along a schedule: prefetch and verify every binary, then run "
                "each segment with its binary, stopping exactly at each switch height. "
                "Usage: replayer sync --plans FILE [--until H] [--rest URL] [--metrics IP:PORT] "
                "-- <node start args>");
    sync_->add_option("--plans", plans_file_, "Schedule JSON file")->required();
    sync_->add_option("--until", until_, "Stop once the node has committed this height")
        ->check(IntegerIn(1, std::numeric_limits<int64_t>::max()));
    sync_->add_option("--rest", rest_url_,
                      "A node's REST base URL: before anything runs, every governance segment "
                      "must have been applied on chain at exactly its scheduled height");
    sync_->add_option("--metrics", metrics_listen_,
                      "Serve Prometheus metrics (height, target, blocks/s, ETA, segment, switch "
                      "downtimes) at http://IP:PORT/metrics, e.g. 127.0.0.1:9464");
    sync_->add_option("--progress-interval", progress_interval_,
                      "Seconds between progress lines (height/target, blocks/s, ETA, segment k "
                      "of n); default 1 on a terminal, 10 otherwise; 0 turns them off")
        ->check(FiniteNonNegative());
    sync_->add_option("args", node_args_, "Node start arguments (after --)");
  }

  std::optional<int> RunIfParsed(const Config& config, const EnvMap& env) override {
    if (!sync_->parsed()) return std::nullopt;
    return RunSync(config, env);
  }

 private:
  double ProgressInterval() const {
    if (progress_interval_) return *progress_interval_;
    return isatty(STDERR_FILENO) ? 1.0 : 10.0;
  }

  int RunSync(const Config& config, const EnvMap& env) {
    // Every usage error before anything is touched.
    auto crash = CrashPointsFromEnv(env);
    if (!crash.ok()) return Fail(crash.status(), kExitUsage);
    auto webhooks = ParseWebhookSettings(env);
    if (!webhooks.ok()) return Fail(webhooks.status(), kExitUsage);
    if (!metrics_listen_.empty()) {
      if (auto la = registry::ParseListenAddress(metrics_listen_); !la.ok()) {
        return Fail(la.status().WithContext("--metrics"), kExitUsage);
      }
    }
    auto schedule = LoadSchedule(plans_file_);
    if (!schedule.ok()) return Fail(schedule.status());
    Layout layout(config.home, config.name);
    auto findings = LintForSync(*schedule, config, layout);
    if (plans::HasErrors(findings)) {
      std::fputs(plans::FormatFindings(findings).c_str(), stderr);
      return Fail(base::Status::InvalidArgument(plans_file_ + " has errors (listed above); "
                                                "nothing was started"));
    }
    for (const auto& f : findings) spdlog::warn("{}: {}", f.where, f.message);
    std::optional<int64_t> until;
    if (sync_->count("--until")) until = until_;

    // A fresh home needs no `replayer init`: the schedule names the genesis binary.
    if (auto st = MakeDirs(layout.CosmovisorDir()); !st.ok()) return Fail(st);
    if (auto st = ValidateHome(config); !st.ok()) return Fail(st, kExitUsage);
    // The home's lock (the state database) before anything is installed, staged or moved: a
    // second Replayer on this home is refused here, having touched nothing.
    auto db = OpenState(layout);
    if (!db.ok()) return Fail(db.status());
    // From here on every end of the sync is told to the webhooks (sync.finished); the notifier
    // outlives the supervisor and drains, bounded, when this function returns.
    auto notifier = MakeNotifier(*webhooks, config, schedule->chain_id);
    notifier->Publish(SyncStartedEvent(base::UnixMillis(), schedule->segments.size(), until));
    int64_t height = 0;
    auto failed = [&](const base::Status& st) {
      notifier->Publish(
          SyncFinishedEvent(base::UnixMillis(), schedule->segments.size(), false, std::nullopt,
                            height, st.message()));
      return Fail(st);
    };
    auto t0 = Clock::now();
    PrepareOptions prepare_options;
    prepare_options.rest_url = rest_url_;
    prepare_options.until = until;
    auto prepared =
        PrepareSync(*schedule, config, layout, RegistrySettingsFrom(config), prepare_options);
    if (!prepared.ok()) return failed(prepared.status());
    for (const auto& line : prepared->lines) spdlog::info("{}", line);
    if (auto current = layout.ReadCurrent(); !current.ok()) {
      if (!current.status().Is(base::Status::Code::kNotFound)) return failed(current.status());
      // Where the node really is gets checked against the schedule before anything runs.
      if (auto st = layout.SwitchCurrent("genesis"); !st.ok()) return failed(st);
    }
    auto t_prepared = Clock::now();

    SyncProgress progress(schedule->segments.size(), until, t_prepared);
    std::unique_ptr<MetricsServer> metrics;
    if (!metrics_listen_.empty()) {
      state::Database* state_db = db->get();
      metrics = std::make_unique<MetricsServer>(metrics_listen_, [&progress, state_db] {
        return FormatPrometheus(progress.Snapshot(Clock::now())) + SwitchMetrics(*state_db);
      });
      auto port = metrics->Start();
      if (!port.ok()) return failed(port.status());
      spdlog::info("metrics at http://{}:{}/metrics",
                   metrics_listen_.substr(0, metrics_listen_.rfind(':')), *port);
    }
    ProgressReporter reporter(progress, **db, ProgressInterval());
    PosixProcessLauncher launcher;
    SyncPolicy policy(*schedule, config, layout, launcher, until, &progress,
                      [&reporter] { reporter.Tick(false); });
    state::JournalObserver observer;
    if (webhooks->enabled()) {
      observer = [&n = *notifier](const state::JournalEvent& e) { n.Publish(EventFromJournal(e)); };
      policy.set_segment_listener([&](size_t k) {
        const plans::Segment& seg = schedule->segments[k];
        notifier->Publish(SegmentReachedEvent(
            base::UnixMillis(), k, schedule->segments.size(), plans::SegmentLabel(*schedule, k),
            seg.version, SegmentTarget(*schedule, k, config.disable_recase), seg.first_height,
            plans::LastHeight(*schedule, k)));
      });
    }
    Supervisor supervisor({config, layout, **db, launcher, *crash, nullptr, &policy, observer});
    auto code = supervisor.Run(node_args_);
    auto t_end = Clock::now();
    if (code.ok() && *code == 0) progress.Finished();
    reporter.Tick(true);
    height = progress.Snapshot(t_end).height;
    if (!code.ok()) return failed(code.status());
    notifier->Publish(SyncFinishedEvent(
        base::UnixMillis(), schedule->segments.size(), *code == 0, *code, height,
        *code == 0 ? "" : "the node exited with code " + std::to_string(*code)));
    PrintSyncSummary(*schedule, config.disable_recase, policy, progress.Snapshot(t_end), policy.start_height(),
                     t_prepared - t0, t_end - t_prepared);
    return *code;
  }

  CLI::App* sync_ = nullptr;
  std::string plans_file_;
  int64_t until_ = 0;
  std::string rest_url_;
  std::string metrics_listen_;
  std::optional<double> progress_interval_;
  std::vector<std::string> node_args_;
};

}  // namespace

std::unique_ptr<CommandGroup> AddSyncCommands(CLI::App& app) {
  return std::make_unique<SyncCommands>(app);
}

}  // namespace replayer
