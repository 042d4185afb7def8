#include "replayer/supervisor/supervisor.h"

#include "base/clock.h"
#include "replayer/supervisor/height_gate.h"
#include "replayer/supervisor/node_pid.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace replayer {
namespace {

constexpr std::string_view kNodePidKey = "node/running";
// Bound on draining the node's pipes after it was reaped (a grandchild may hold them).
constexpr auto kDrainWait = std::chrono::milliseconds(500);
// The node's output is polled rather than waited for: every kPollBusy while it writes, backing
// off to kPollIdle when it is quiet. A node that logs every block writes thousands of small
// lines a second, and waking Replayer for each (an event-driven read) cost the node itself about
// a sixth of its speed on two cores (bench/README.md, "sync"). The cost: relaying and the
// upgrade-line scan lag by at most kPollIdle (upgrade-info.json is watched apart, at once). The
// pipe holds 64 KiB, so only a node logging over 6 MiB/s could wait for us.
constexpr auto kPollBusy = std::chrono::milliseconds(10);
constexpr auto kPollIdle = std::chrono::milliseconds(80);
constexpr int kMaxReadsPerPoll = 64;  // 4 MiB, then the loop serves others first

std::string ReadProcStat(pid_t pid, bool* exists) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  *exists = static_cast<bool>(in);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Field 22 of /proc/<pid>/stat: start time in clock ticks; tells a reused pid apart.
std::optional<uint64_t> ProcessStartTime(pid_t pid) {
  bool exists = false;
  return ParseProcStatStartTime(ReadProcStat(pid, &exists));
}

bool ProcessGone(pid_t pid) {
  bool exists = false;
  std::string stat = ReadProcStat(pid, &exists);
  return !exists || ProcStatIsZombie(stat);
}

// The fields of /proc/<pid>/stat after the command name: [0] is field 3 (state), [2] field 5
// (process group), [19] field 22 (start time in clock ticks, which tells a reused pid apart).
std::vector<std::string> StatFields(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> fields;
  size_t close = text.rfind(')');
  if (close == std::string::npos || close + 2 > text.size()) return fields;
  std::istringstream rest(text.substr(close + 2));
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

// Live processes in group `pgid` that started no earlier than `start` (the group's leader):
// what is left of a node's group after the node itself died. A group id is not reused while
// the group has members, and only its leader's pid can found it again.
std::vector<pid_t> GroupSurvivors(pid_t pgid, uint64_t start) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    std::string n = e.path().filename().string();
    if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::stol(n));
    if (pid == ::getpid()) continue;
    auto f = StatFields(pid);
    if (f.size() < 20 || f[0] == "Z" || f[2] != std::to_string(pgid)) continue;
    if (std::stoull(f[19]) >= start) out.push_back(pid);
  }
  return out;
}

void WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;  // our own stdout is gone (EPIPE); the node keeps running regardless
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
}

}  // namespace

Supervisor::Supervisor(Deps deps)
    : d_(std::move(deps)),
      journal_(d_.db),
      txn_runner_(d_.config, d_.layout, journal_, d_.launcher, d_.crash, base::UnixMillis,
                  d_.fetcher),
      signals_(io_),
      kill_timer_(io_),
      drain_timer_(io_),
      line_timer_(io_),
      retry_timer_(io_),
      height_probe_(std::make_unique<AsyncHeightProbe>(io_, d_.launcher)),
      confirm_timer_(io_),
      status_probe_timer_(io_),
      confirm_probe_(std::make_unique<AsyncHeightProbe>(io_, d_.launcher)) {
  journal_.set_observer(d_.journal_observer);
  // Hooks run outside the event loop: let a stop signal that arrives meanwhile reach OnSignal.
  txn_runner_.set_stop_requested([this] {
    io_.poll();
    return terminate_requested_;
  });
}

Supervisor::~Supervisor() = default;

base::Status Supervisor::KillStaleNode() {
  ASSIGN_OR_RETURN(auto rec, d_.db.Get(kNodePidKey));
  if (!rec) return {};
  std::optional<NodePidRecord> node = ParseNodePidRecord(*rec);  // "{}": none; corrupt: none
  pid_t pid = node ? node->pid : 0;
  pid_t pgid = node ? node->pgid : 0;
  uint64_t start = node ? node->start : 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  if (pid > 0 && ProcessStartTime(pid) == start && !ProcessGone(pid)) {
    spdlog::warn("a node (pid {}) left running by an earlier Replayer is still up; stopping it",
                 pid);
    (void)d_.launcher.Signal(pid, SIGKILL, true);
    (void)d_.launcher.Signal(pid, SIGKILL, false);
    while (!ProcessGone(pid)) {
      if (std::chrono::steady_clock::now() > deadline) {
        return base::Status::FailedPrecondition("node pid " + std::to_string(pid) +
                                                " left by an earlier Replayer does not die");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  // The node may have died on its own while its children lived on in its group (one that
  // ignores SIGTERM, say). The leader's pid still alive but started later is another process:
  // its group is not ours.
  bool leader_reused = pgid > 0 && !ProcessGone(pgid) && ProcessStartTime(pgid) != start;
  if (pgid > 0 && !leader_reused) {
    for (auto left = GroupSurvivors(pgid, start); !left.empty();
         left = GroupSurvivors(pgid, start)) {
      if (std::chrono::steady_clock::now() > deadline) {
        return base::Status::FailedPrecondition(
            "process " + std::to_string(left.front()) + " in the group of the node (pid " +
            std::to_string(pid) + ") left by an earlier Replayer does not die");
      }
      spdlog::warn("{} process(es) of the node's group (pgid {}) left by an earlier Replayer are "
                   "still up (pid {}); killing the group",
                   left.size(), pgid, left.front());
      (void)d_.launcher.Signal(pgid, SIGKILL, /*group=*/true);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ClearNodePid();
  return {};
}

void Supervisor::RecordNodePid(pid_t pid) {
  // The node leads its own group (new_process_group): pgid == pid. Recorded apart, so a group
  // whose leader died can still be found and ended by the next start.
  std::string record = FormatNodePidRecord({pid, pid, ProcessStartTime(pid).value_or(0)});
  // Not synced: the record only matters if Replayer dies while the machine (and so the node)
  // stays up, and then the OS still has the write.
  if (auto st = d_.db.PutVolatile(kNodePidKey, record); !st.ok()) {
    spdlog::warn("recording node pid: {}", st.message());
  }
}

void Supervisor::ClearNodePid() { (void)d_.db.PutVolatile(kNodePidKey, "{}"); }

base::Result<std::string> Supervisor::ResolveCurrent() {
  auto current = d_.layout.ReadCurrent();
  if (current.ok()) return current;
  if (!current.status().Is(base::Status::Code::kNotFound)) return current.status();
  // `current` is missing. A fresh home (binaries placed by hand, as Cosmovisor's docs set one
  // up) starts at genesis, as Cosmovisor does; a home with any sign of an applied upgrade is
  // refused: genesis on upgraded data is Cosmovisor's silent fallback.
  ASSIGN_OR_RETURN(auto sign, UpgradedHomeSign());
  if (!sign.empty()) {
    return base::Status::FailedPrecondition(
        d_.layout.CurrentLink() + " is missing, and this home has upgraded (" + sign +
        "); refusing to guess which binary runs the data. Point it at the right folder, e.g. "
        "`ln -sfn upgrades/<name> " + d_.layout.CurrentLink() +
        "`, or `ln -sfn genesis ...` if the node never upgraded");
  }
  spdlog::info(
      "{} is missing on a fresh home (no journal entry, no upgrades/*/upgrade-info.json, no "
      "data/upgrade-info.json); pointing it at genesis, as Cosmovisor does",
      d_.layout.CurrentLink());
  RETURN_IF_ERROR(d_.layout.SwitchCurrent("genesis"));
  return std::string("genesis");
}

base::Result<std::string> Supervisor::UpgradedHomeSign() {
  ASSIGN_OR_RETURN(auto applied, journal_.Applied());
  if (!applied.empty()) return "the journal records upgrade \"" + applied.back().name + "\"";
  ASSIGN_OR_RETURN(auto entries, journal_.LastEntries(1));
  if (!entries.empty()) return "the journal has an entry for \"" + entries.back().upgrade + "\"";
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(d_.layout.UpgradesDir(), ec)) {
    // Cosmovisor writes this copy of the plan when it switches to the folder.
    std::string copy = e.path().string() + "/upgrade-info.json";
    if (std::filesystem::exists(copy, ec)) return copy + " exists";
  }
  // The node writes data/upgrade-info.json when it reaches a plan's height; only a manual plan
  // (`add-upgrade --upgrade-height`, still waiting for its height) says nothing about the past.
  std::string info = d_.layout.UpgradeInfoFile();
  if (std::filesystem::exists(info, ec)) {
    auto text = ReadFile(info);
    auto plan = text.ok() ? plans::ParseUpgradeInfo(*text) : base::Result<plans::UpgradeInfo>(
                                                                 text.status());
    if (!plan.ok() ||
        !IsManualPlan(d_.layout, plans::UpgradeDirName(plan->name, d_.config.disable_recase),
                      *plan)) {
      return info + " exists";
    }
  }
  return std::string();
}

base::Status Supervisor::BeginTransaction(const plans::UpgradeInfo& plan,
                                          const std::string& from_target) {
  state::UpgradeTxn t;
  t.name = plan.name;
  t.dir = plans::UpgradeDirName(plan.name, d_.config.disable_recase);
  t.height = plan.height;
  t.info = plan.info;
  t.from_dir = from_target;
  ConfirmByNextSwitch(plan);
  ++txn_ordinal_;
  txn_runner_.set_ordinal(txn_ordinal_);
  d_.crash.BeforeRecord(state::Step::kDetected, txn_ordinal_);
  ASSIGN_OR_RETURN(auto begun, journal_.Begin(t, base::UnixMillis(),
                                               "from " + from_target + " to upgrades/" + t.dir));
  spdlog::info("upgrade \"{}\" needed at height {}: switching from {} to upgrades/{}", t.name,
               t.height, from_target, t.dir);
  d_.crash.AfterRecord(state::Step::kDetected, txn_ordinal_);
  txn_ = std::move(begun);
  return {};
}

base::Result<int> Supervisor::Run(const std::vector<std::string>& node_args) {
  ArmSignals();
  RETURN_IF_ERROR(KillStaleNode());
  std::error_code ec;
  std::filesystem::create_directories(d_.layout.DataDir(), ec);

  while (true) {
    ASSIGN_OR_RETURN(auto active, journal_.Active());
    bool resumed_restart = false;
    if (active) {
      txn_ = *active;
      if (txn_ordinal_ == 0) {
        ++txn_ordinal_;
        spdlog::info("resuming upgrade \"{}\" at height {} after step {}", txn_->name,
                     txn_->height, state::StepName(txn_->last_step));
      }
      txn_runner_.set_ordinal(txn_ordinal_);
      if (txn_->last_step == state::Step::kDetected) {
        RETURN_IF_ERROR(txn_runner_.Record(*txn_, state::Step::kNodeStopped,
                                           "node not running (Replayer restarted)"));
      }
      if (auto st = txn_runner_.AdvanceToPreUpgrade(*txn_); !st.ok()) {
        if (!terminate_requested_) return st;
        spdlog::info("stopped by {} during upgrade \"{}\" (after step {}); it resumes there next "
                     "run",
                     strsignal(terminate_signal_), txn_->name, state::StepName(txn_->last_step));
        return 128 + terminate_signal_;
      }
      if (!d_.config.restart_after_upgrade) {
        RETURN_IF_ERROR(txn_runner_.Complete(*txn_, /*restarted=*/false));
        spdlog::info("upgrade applied; DAEMON_RESTART_AFTER_UPGRADE is off, exiting");
        return 0;
      }
      if (!WaitRestartDelay()) {
        spdlog::info("stop requested before restarting the node; the upgrade resumes next run");
        return 128 + terminate_signal_;
      }
      resumed_restart = true;
    }

    ASSIGN_OR_RETURN(applied_, journal_.Applied());
    ASSIGN_OR_RETURN(current_target_, ResolveCurrent());
    ASSIGN_OR_RETURN(auto current_info, d_.layout.ReadTargetUpgradeInfo(current_target_));
    current_name_ = current_info ? current_info->name : "";

    if (!resumed_restart) {
      // Never start the old binary when its upgrade is already due (Cosmovisor #25861).
      ASSIGN_OR_RETURN(auto pending, ReadPendingUpgrade());
      if (pending && d_.policy) RETURN_IF_ERROR(d_.policy->CheckReportedPlan(current_target_, *pending));
      if (!pending && d_.policy) {
        ASSIGN_OR_RETURN(auto before, d_.policy->CheckBeforeLaunch(current_target_));
        if (before.action == RunPolicy::BeforeLaunch::Action::kDone) return 0;
        if (before.action == RunPolicy::BeforeLaunch::Action::kSwitch) pending = before.plan;
      }
      if (pending) {
        RETURN_IF_ERROR(BeginTransaction(*pending, current_target_));
        RETURN_IF_ERROR(txn_runner_.Record(*txn_, state::Step::kNodeStopped,
                                           "node not running (upgrade pending at start)"));
        continue;
      }
    }

    std::vector<std::string> args = node_args;
    if (d_.policy) {
      ASSIGN_OR_RETURN(args, d_.policy->LaunchArgs(current_target_, node_args));
    }
    if (terminate_requested_) {  // e.g. while a manual plan's height was asked before launch
      spdlog::info("stopped by {} before the node started", strsignal(terminate_signal_));
      return 128 + terminate_signal_;
    }
    RETURN_IF_ERROR(LaunchNode(args));
    if (d_.policy) d_.policy->OnLaunched(current_target_);
    if (resumed_restart) {
      RETURN_IF_ERROR(txn_runner_.Complete(*txn_, /*restarted=*/true));
      txn_.reset();
    }
    if (auto st = WatchConfirmation(); !st.ok()) {
      spdlog::warn("cannot read the journal to watch the last switch's confirmation: {}",
                   st.message());
    }
    Outcome outcome = WatchNode();
    ClearNodePid();
    if (fatal_) {
      EndConfirmationWatch("the run failed: " + fatal_->message(), /*report=*/true);
      return d_.policy ? d_.policy->ExplainFailure(*fatal_) : *fatal_;
    }
    if (outcome == Outcome::kTerminated) {
      EndConfirmationWatch("Replayer was asked to stop", /*report=*/false);
    }
    switch (outcome) {
      case Outcome::kUpgrade:
        EndConfirmationWatch("the node stopped for upgrade \"" + txn_->name + "\" at height " +
                                 std::to_string(txn_->height),
                             /*report=*/true);
        RETURN_IF_ERROR(txn_runner_.Record(*txn_, state::Step::kNodeStopped,
                                           node_exit_ ? node_exit_->Describe() : ""));
        continue;
      case Outcome::kTerminated:
        spdlog::info("node stopped on request: {}", node_exit_->Describe());
        return node_exit_->exit_code;
      case Outcome::kExited: {
        // The node may die right after writing upgrade-info.json, before we looked, or right
        // after logging the UPGRADE line without writing it (a Go panic, SDK <= 0.44).
        ASSIGN_OR_RETURN(auto pending, ReadPendingUpgrade());
        if (!pending && line_plan_) {
          RETURN_IF_ERROR(WriteLinePlan());
          ASSIGN_OR_RETURN(pending, ReadPendingUpgrade());
        }
        if (pending && d_.policy) {
          if (auto st = d_.policy->CheckReportedPlan(current_target_, *pending); !st.ok()) {
            return d_.policy->ExplainFailure(st);
          }
        }
        if (pending) {
          spdlog::info("node exited ({}) with upgrade \"{}\" pending", node_exit_->Describe(),
                       pending->name);
          RETURN_IF_ERROR(BeginTransaction(*pending, current_target_));
          EndConfirmationWatch("the node exited (" + node_exit_->Describe() + ")", true);
          RETURN_IF_ERROR(txn_runner_.Record(*txn_, state::Step::kNodeStopped,
                                             node_exit_->Describe()));
          continue;
        }
        if (d_.policy) {
          auto due_or = d_.policy->OnNodeExit(current_target_, *node_exit_);
          if (!due_or.ok()) return d_.policy->ExplainFailure(due_or.status());
          auto due = std::move(due_or).value();
          if (due) {
            RETURN_IF_ERROR(BeginTransaction(*due, current_target_));
            EndConfirmationWatch("the node exited (" + node_exit_->Describe() + ")", true);
            RETURN_IF_ERROR(txn_runner_.Record(*txn_, state::Step::kNodeStopped,
                                               node_exit_->Describe()));
            continue;
          }
        }
        EndConfirmationWatch("the node exited (" + node_exit_->Describe() + ")", /*report=*/true);
        spdlog::info("node exited: {}", node_exit_->Describe());
        return stopping_halted_node_ ? 0 : node_exit_->exit_code;
      }
    }
  }
}

bool Supervisor::WaitRestartDelay() {
  if (d_.config.restart_delay.count() > 0) {
    spdlog::info("waiting {} ms before restarting (DAEMON_RESTART_DELAY)",
                 std::chrono::duration_cast<std::chrono::milliseconds>(d_.config.restart_delay)
                     .count());
    bool fired = false;
    boost::asio::steady_timer t(io_);
    t.expires_after(d_.config.restart_delay);
    t.async_wait([&](const boost::system::error_code&) { fired = true; });
    while (!fired && !terminate_requested_) io_.run_one();
    t.cancel();
    while (!fired) io_.run_one();
  } else {
    io_.poll();  // deliver any signal that arrived during the transaction
  }
  return !terminate_requested_;
}

void Supervisor::ArmSignals() {
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.add(SIGQUIT);
  signals_.add(SIGCHLD);
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    OnSignal(sig);
    ArmSignals();
  });
}

base::Status Supervisor::LaunchNode(const std::vector<std::string>& args) {
  ASSIGN_OR_RETURN(std::string bin, d_.layout.CheckTargetBinary(current_target_));
  SpawnOptions opts;
  opts.path = bin;
  opts.args = args;
  opts.capture_output = true;
  opts.new_process_group = true;
  ASSIGN_OR_RETURN(SpawnedProcess p, d_.launcher.Spawn(opts));
  node_pid_ = p.pid;
  RecordNodePid(p.pid);
  last_committed_.reset();
  first_committed_ = 0;
  watch_undecided_ = true;
  spdlog::info("started {} (pid {}) from {}", bin, p.pid, current_target_);
  node_exit_.reset();
  run_done_ = false;
  stopping_for_upgrade_ = false;
  stopping_halted_node_ = false;
  refused_awaits_line_ = false;
  line_plan_.reset();
  last_file_key_ = {};
  last_invalid_message_.clear();
  detect_failures_ = 0;
  for (int i = 0; i < 2; ++i) {
    streams_[i] = std::make_unique<Stream>(io_);
    streams_[i]->fd = i == 0 ? p.stdout_fd : p.stderr_fd;
    ::fcntl(streams_[i]->fd, F_SETFL, ::fcntl(streams_[i]->fd, F_GETFL) | O_NONBLOCK);
    streams_[i]->out_fd = i == 0 ? STDOUT_FILENO : STDERR_FILENO;
    streams_[i]->eof = false;
    streams_[i]->scanner =
        std::make_unique<LineScanner>([this](std::string_view line) { OnLine(line); });
    streams_[i]->interval = kPollBusy;
    PollOutput(i);
  }
  watcher_ = std::make_unique<FileWatcher>(io_, d_.layout.DataDir(), "upgrade-info.json",
                                           d_.config.poll_interval,
                                           [this] { OnMaybeUpgradeFile(); });
  watcher_->Start();
  // The file may already be complete (written between our check and the watch).
  OnMaybeUpgradeFile();
  return {};
}

Supervisor::Outcome Supervisor::WatchNode() {
  while (!run_done_) io_.run_one();
  watcher_->Stop();
  height_probe_->Stop();  // a `status` probe still running is killed with the run
  probed_height_.reset();
  boost::system::error_code ec;
  kill_timer_.cancel();
  drain_timer_.cancel();
  line_timer_.cancel();
  retry_timer_.cancel();
  confirm_timer_.cancel();
  status_probe_timer_.cancel();
  confirm_probe_->Stop();
  for (auto& s : streams_) {
    if (s) s->timer.cancel();
  }
  io_.poll();  // let cancelled handlers finish while their objects are alive
  watcher_.reset();
  for (auto& s : streams_) s.reset();
  node_pid_ = -1;
  if (stopping_for_upgrade_) return Outcome::kUpgrade;
  if (terminate_requested_) return Outcome::kTerminated;
  return Outcome::kExited;
}

Supervisor::Stream::~Stream() {
  if (fd >= 0) ::close(fd);
}

bool Supervisor::DrainOutput(int which) {
  Stream& s = *streams_[which];
  bool got = false;
  for (int i = 0; i < kMaxReadsPerPoll && !s.eof; ++i) {
    ssize_t n = ::read(s.fd, s.buf.data(), s.buf.size());
    if (n > 0) {
      got = true;
      WriteAll(s.out_fd, s.buf.data(), static_cast<size_t>(n));
      s.scanner->Feed(std::string_view(s.buf.data(), static_cast<size_t>(n)));
      // The scanner may have stopped this run (a plan the schedule refuses); keep relaying.
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return got;
    // End of stream (or an error that ends it).
    s.scanner->Finish();
    s.eof = true;
    MaybeFinishRun();
  }
  return got;
}

void Supervisor::PollOutput(int which) {
  Stream* s = streams_[which].get();
  bool got = DrainOutput(which);
  if (s->eof) return;
  s->interval = got ? kPollBusy : std::min<std::chrono::milliseconds>(s->interval * 2, kPollIdle);
  s->timer.expires_after(s->interval);
  s->timer.async_wait([this, which](const boost::system::error_code& ec) {
    if (!ec && streams_[which]) PollOutput(which);
  });
}

void Supervisor::MaybeFinishRun() {
  if (!node_exit_) return;
  bool drained = true;
  for (auto& s : streams_) drained = drained && (!s || s->eof);
  if (drained) {
    run_done_ = true;
    return;
  }
  drain_timer_.expires_after(kDrainWait);
  drain_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && node_exit_) run_done_ = true;
  });
}

void Supervisor::OnSignal(int sig) {
  if (sig == SIGCHLD) {
    if (node_pid_ > 0 && !node_exit_) {
      if (auto e = d_.launcher.TryReap(node_pid_, /*kill_group_on_exit=*/true)) {
        node_exit_ = *e;
        kill_timer_.cancel();
        // Whatever the node wrote last is in its pipes now: read it (and their end) at once.
        for (int i = 0; i < 2; ++i) {
          if (streams_[i] && !streams_[i]->eof) DrainOutput(i);
        }
        MaybeFinishRun();
      }
    }
    return;
  }
  // SIGINT / SIGTERM / SIGQUIT: pass to the node's group, with the grace period.
  if (node_pid_ <= 0 || node_exit_) {
    terminate_requested_ = true;
    terminate_signal_ = sig;
    return;
  }
  if (terminate_requested_) {
    spdlog::warn("second stop signal: killing the node");
    (void)d_.launcher.Signal(node_pid_, SIGKILL, true);
    return;
  }
  terminate_requested_ = true;
  terminate_signal_ = sig;
  spdlog::info("received {}, passing it to the node", strsignal(sig));
  (void)d_.launcher.Signal(node_pid_, sig, true);
  if (d_.config.shutdown_grace.count() > 0) {
    kill_timer_.expires_after(d_.config.shutdown_grace);
    kill_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || node_exit_ || node_pid_ <= 0) return;
      spdlog::warn("DAEMON_SHUTDOWN_GRACE exceeded, killing the node");
      (void)d_.launcher.Signal(node_pid_, SIGKILL, true);
    });
  }
}

void Supervisor::StopNodeForUpgrade() {
  if (d_.config.shutdown_grace.count() == 0) {
    (void)d_.launcher.Signal(node_pid_, SIGKILL, true);
    return;
  }
  spdlog::info("stopping the node: SIGINT, then SIGKILL after {} ms",
               std::chrono::duration_cast<std::chrono::milliseconds>(d_.config.shutdown_grace)
                   .count());
  (void)d_.launcher.Signal(node_pid_, SIGINT, true);
  kill_timer_.expires_after(d_.config.shutdown_grace);
  kill_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || node_exit_ || node_pid_ <= 0) return;
    spdlog::warn("DAEMON_SHUTDOWN_GRACE exceeded, killing the node");
    (void)d_.launcher.Signal(node_pid_, SIGKILL, true);
  });
}

}  // namespace replayer
