// Supervisor through its process seam: a scripted fake launcher (ninja's FakeCommandRunner in
// spirit) stands in for every child. Each fake "node" is a thread that writes the node's log
// lines into real pipes, may write data/upgrade-info.json at a height, and ends as its script
// says (exit code, crash by signal, or never unless SIGKILLed); its end is announced with a
// real SIGCHLD, as a child's would be. The supervisor's event loop, journal (an in-memory
// LevelDB), layout and transaction are the real ones. The real launcher is tested against real
// children in tests/replayer/process/, and the whole thing end to end in tests/e2e/.
#include "replayer/supervisor/supervisor.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "tests/testing/temp_dir.h"

namespace replayer {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// What one fake node does, by the binary it was started from.
struct NodeScript {
  int heights = 3;                 // commits 1..heights (one "committed height=N" line each)
  std::string upgrade_name;        // after `heights`, writes upgrade-info.json for this plan
  std::optional<int> exit_code;    // then exits with it (nullopt: keeps running)
  int crash_signal = 0;            // or dies by this signal
  bool ignores_term = false;       // SIGTERM/SIGINT do nothing; only SIGKILL ends it
  int preupgrade_exit = 1;         // `<binary> pre-upgrade` exits with this
  int first_height = 1;            // the first height it commits
  std::string commit_line = "committed height=";  // "committed state height=": CometBFT's
};

class FakeLauncher final : public ProcessLauncher {
 public:
  explicit FakeLauncher(std::string data_dir) : data_dir_(std::move(data_dir)) {}
  ~FakeLauncher() override {
    for (auto& [pid, p] : procs_) {
      {
        std::lock_guard<std::mutex> l(mu_);
        p->killed = true;
      }
      cv_.notify_all();
      if (p->thread.joinable()) p->thread.join();
    }
  }

  void Script(const std::string& binary, NodeScript s) { scripts_[binary] = std::move(s); }
  // Every start, "<binary> <args...>", in order.
  std::vector<std::string> starts() const {
    std::lock_guard<std::mutex> l(mu_);
    return starts_;
  }
  std::vector<std::pair<pid_t, int>> signals() const {
    std::lock_guard<std::mutex> l(mu_);
    return signals_;
  }

  base::Result<SpawnedProcess> Spawn(const SpawnOptions& o) override {
    auto it = scripts_.find(o.path);
    if (it == scripts_.end()) return base::Status::FailedPrecondition("no script for " + o.path);
    auto p = std::make_unique<Proc>();
    SpawnedProcess out;
    out.pid = next_pid_++;
    std::string cmd = o.path;
    for (const auto& a : o.args) cmd += " " + a;
    {
      std::lock_guard<std::mutex> l(mu_);
      starts_.push_back(cmd);
    }
    if (!o.args.empty() && o.args[0] == "pre-upgrade") {
      p->exit = ExitInfo{it->second.preupgrade_exit, false, 0};
      procs_[out.pid] = std::move(p);
      return out;
    }
    int outp[2], errp[2];
    if (pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
      return base::Status::IoError("pipe");
    }
    out.stdout_fd = outp[0];
    out.stderr_fd = errp[0];
    Proc* raw = p.get();
    procs_[out.pid] = std::move(p);
    raw->thread = std::thread([this, raw, s = it->second, wout = outp[1], werr = errp[1]] {
      Run(*raw, s, wout, werr);
    });
    return out;
  }

  base::Status Signal(pid_t pid, int sig, bool) override {
    std::lock_guard<std::mutex> l(mu_);
    signals_.push_back({pid, sig});
    auto it = procs_.find(pid);
    if (it == procs_.end()) return {};
    if (sig == SIGKILL || ((sig == SIGTERM || sig == SIGINT) && !it->second->ignores_term)) {
      it->second->killed_by = sig;
      it->second->killed = true;
      cv_.notify_all();
    }
    return {};
  }

  std::optional<ExitInfo> TryReap(pid_t pid, bool) override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = procs_.find(pid);
    if (it == procs_.end() || !it->second->exit) return std::nullopt;
    return it->second->exit;
  }

  ExitInfo Wait(pid_t pid) override {
    std::unique_lock<std::mutex> l(mu_);
    auto& p = *procs_.at(pid);
    cv_.wait_for(l, 10s, [&] { return p.exit.has_value(); });
    return p.exit.value_or(ExitInfo{137, true, SIGKILL});
  }

 private:
  struct Proc {
    std::thread thread;
    std::optional<ExitInfo> exit;
    bool killed = false;
    int killed_by = 0;
    bool ignores_term = false;
  };

  void Run(Proc& p, const NodeScript& s, int wout, int werr) {
    {
      std::lock_guard<std::mutex> l(mu_);
      p.ignores_term = s.ignores_term;
    }
    auto say = [](int fd, const std::string& line) {
      (void)!::write(fd, line.data(), line.size());
    };
    say(werr, "fake node stderr line\n");
    for (int h = s.first_height; h <= s.heights; ++h) {
      say(wout, s.commit_line + std::to_string(h) + "\n");
    }
    if (!s.upgrade_name.empty()) {
      std::ofstream(data_dir_ + "/upgrade-info.json")
          << R"({"name":")" << s.upgrade_name << R"(","height":)" << s.heights + 1 << "}";
    }
    ExitInfo e;
    {
      std::unique_lock<std::mutex> l(mu_);
      if (!s.exit_code && !s.crash_signal) cv_.wait_for(l, 20s, [&] { return p.killed; });
      if (p.killed) {
        int sig = p.killed_by ? p.killed_by : SIGKILL;
        e = ExitInfo{128 + sig, true, sig};
      } else if (s.crash_signal) {
        e = ExitInfo{128 + s.crash_signal, true, s.crash_signal};
      } else {
        e = ExitInfo{*s.exit_code, false, 0};
      }
    }
    ::close(wout);
    ::close(werr);
    {
      std::lock_guard<std::mutex> l(mu_);
      p.exit = e;
    }
    cv_.notify_all();
    ::kill(::getpid(), SIGCHLD);  // as the kernel does when a child ends
  }

  std::string data_dir_;
  std::map<std::string, NodeScript> scripts_;
  // Far above any pid_max: a stray real kill(2) on one of these finds nothing.
  pid_t next_pid_ = 1 << 29;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<pid_t, std::unique_ptr<Proc>> procs_;
  std::vector<std::string> starts_;
  std::vector<std::pair<pid_t, int>> signals_;
};

class SupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_.path() + "/home";
    fs::create_directories(home_ + "/data");
    layout_ = std::make_unique<Layout>(home_, "appd");
    for (const std::string target : {"genesis", "upgrades/v2"}) {
      fs::create_directories(layout_->TargetDir(target) + "/bin");
      std::ofstream(layout_->TargetBinary(target)) << "#!/bin/sh\n";
      fs::permissions(layout_->TargetBinary(target), fs::perms::owner_all);
    }
    ASSERT_TRUE(layout_->SwitchCurrent("genesis").ok());
    launcher_ = std::make_unique<FakeLauncher>(home_ + "/data");
  }

  base::Result<int> Run(std::map<std::string, std::string> env = {}) {
    env["DAEMON_HOME"] = home_;
    env["DAEMON_NAME"] = "appd";
    env.emplace("UNSAFE_SKIP_BACKUP", "true");
    env.emplace("COSMOVISOR_DISABLE_LOGS", "true");
    auto config = ParseConfig(env);
    if (!config.ok()) return config.status();
    config_ = *config;
    auto db = state::Database::OpenInMemory();
    if (!db.ok()) return db.status();
    db_ = std::move(*db);
    Supervisor s({config_, *layout_, *db_, *launcher_, crash_, nullptr, nullptr});
    return s.Run({"start"});
  }

  std::string Bin(const std::string& target) const { return layout_->TargetBinary(target); }
  std::vector<state::AppliedUpgrade> AppliedRecords() {
    state::JournalStore j(*db_);
    auto a = j.Applied();
    return a.ok() ? *a : std::vector<state::AppliedUpgrade>{};
  }
  std::vector<std::string> Applied() {
    state::JournalStore j(*db_);
    std::vector<std::string> out;
    auto a = j.Applied();
    if (a.ok()) {
      for (const auto& u : *a) out.push_back(u.dir);
    }
    return out;
  }

  testing_util::TempDir dir_{"replayer-supervisor"};
  std::string home_;
  std::unique_ptr<Layout> layout_;
  std::unique_ptr<FakeLauncher> launcher_;
  Config config_;
  CrashPoints crash_;
  std::unique_ptr<state::Database> db_;
};

TEST_F(SupervisorTest, ANodeThatExitsHasItsExitCodeReturned) {
  launcher_->Script(Bin("genesis"), {.heights = 2, .exit_code = 3});
  auto code = Run();
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(*code, 3);
  EXPECT_EQ(launcher_->starts(), (std::vector<std::string>{Bin("genesis") + " start"}));
  EXPECT_EQ(*layout_->ReadCurrent(), "genesis");
}

TEST_F(SupervisorTest, ACrashedNodeIsReportedAs128PlusItsSignal) {
  launcher_->Script(Bin("genesis"), {.heights = 1, .crash_signal = SIGSEGV});
  auto code = Run();
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(*code, 128 + SIGSEGV);
  EXPECT_TRUE(Applied().empty());
}

// The node writes upgrade-info.json at its height and keeps running (as SDK nodes do): the
// supervisor stops it (SIGKILL without a shutdown grace), runs the transaction (the new
// binary's pre-upgrade through the same seam) and starts the new binary with the same args.
TEST_F(SupervisorTest, UpgradeInfoAtAHeightSwitchesToTheNewBinaryOnce) {
  launcher_->Script(Bin("genesis"), {.heights = 4, .upgrade_name = "v2"});
  launcher_->Script(Bin("upgrades/v2"), {.heights = 2, .exit_code = 0, .preupgrade_exit = 0});
  auto code = Run();
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(*code, 0);
  EXPECT_EQ(launcher_->starts(),
            (std::vector<std::string>{Bin("genesis") + " start", Bin("upgrades/v2") + " pre-upgrade",
                                      Bin("upgrades/v2") + " start"}));
  EXPECT_EQ(*layout_->ReadCurrent(), "upgrades/v2");
  EXPECT_EQ(Applied(), (std::vector<std::string>{"v2"}));
  bool killed = false;
  for (const auto& [pid, sig] : launcher_->signals()) killed = killed || sig == SIGKILL;
  EXPECT_TRUE(killed) << "the old node was not stopped";
}

// A node that ignores SIGINT/SIGTERM: with DAEMON_SHUTDOWN_GRACE the supervisor asks (SIGINT),
// waits the grace, then SIGKILLs it, and the switch still completes.
TEST_F(SupervisorTest, ANodeThatIgnoresStopSignalsIsKilledAfterTheGrace) {
  launcher_->Script(Bin("genesis"), {.heights = 4, .upgrade_name = "v2", .ignores_term = true});
  launcher_->Script(Bin("upgrades/v2"), {.heights = 1, .exit_code = 0});
  auto code = Run({{"DAEMON_SHUTDOWN_GRACE", "100ms"}});
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(*code, 0);
  std::vector<int> sent;
  for (const auto& [pid, sig] : launcher_->signals()) sent.push_back(sig);
  ASSERT_GE(sent.size(), 2u);
  EXPECT_EQ(sent[0], SIGINT);
  EXPECT_EQ(sent[1], SIGKILL);
  EXPECT_EQ(*layout_->ReadCurrent(), "upgrades/v2");
  EXPECT_EQ(Applied(), (std::vector<std::string>{"v2"}));
}

// A pre-upgrade that aborts (exit 30) fails the run: the upgrade is not applied and the new
// binary never starts (`current` was already switched, the step before; the journal keeps the
// transaction open there for the operator).
TEST_F(SupervisorTest, APreUpgradeAbortFailsTheRunWithoutStartingTheNewBinary) {
  launcher_->Script(Bin("genesis"), {.heights = 4, .upgrade_name = "v2"});
  launcher_->Script(Bin("upgrades/v2"), {.heights = 1, .exit_code = 0, .preupgrade_exit = 30});
  auto code = Run();
  ASSERT_FALSE(code.ok());
  EXPECT_NE(code.status().message().find("exit 30"), std::string::npos) << code.status().message();
  EXPECT_TRUE(Applied().empty());
  EXPECT_EQ(launcher_->starts(),
            (std::vector<std::string>{Bin("genesis") + " start", Bin("upgrades/v2") + " pre-upgrade"}));
}

// The new binary logs CometBFT's committed-state line for a block above the switch height (5):
// the switch is confirmed at that block, in the journal, after `node restarted`.
TEST_F(SupervisorTest, ACommittedBlockAboveTheSwitchHeightConfirmsTheSwitch) {
  launcher_->Script(Bin("genesis"), {.heights = 4, .upgrade_name = "v2"});
  launcher_->Script(Bin("upgrades/v2"), {.heights = 7, .exit_code = 0, .first_height = 5,
                                         .commit_line = "INF committed state height="});
  auto code = Run();
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(*code, 0);
  auto applied = AppliedRecords();
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0].confirmation, state::Confirmation::kConfirmed);
  EXPECT_EQ(applied[0].confirmed_height, 6) << "the first block above height 5";
  EXPECT_EQ(applied[0].confirm_detail, "upgrades/v2 committed height 6");
  state::JournalStore j(*db_);
  auto last = j.LastEntries(2);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->size(), 2u);
  EXPECT_EQ((*last)[0].step, state::Step::kNodeRestarted);
  EXPECT_EQ((*last)[1].step, state::Step::kConfirmed);
  EXPECT_FALSE((*last)[1].failed);
}

// The new binary commits only the switch block itself and exits: reported unconfirmed (a failed
// `confirmed` entry), the node's exit code returned, `current` left on the new binary.
TEST_F(SupervisorTest, ANodeThatExitsAtTheSwitchHeightLeavesTheSwitchUnconfirmed) {
  launcher_->Script(Bin("genesis"), {.heights = 4, .upgrade_name = "v2"});
  launcher_->Script(Bin("upgrades/v2"), {.heights = 5, .exit_code = 4, .first_height = 5,
                                         .commit_line = "INF committed state height="});
  auto code = Run();
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(*code, 4);
  auto applied = AppliedRecords();
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0].confirmation, state::Confirmation::kUnconfirmed);
  EXPECT_EQ(applied[0].confirm_detail,
            "the node exited (exit code 4) before upgrades/v2 committed a block above height 5 "
            "(last committed: 5)");
  EXPECT_EQ(*layout_->ReadCurrent(), "upgrades/v2");
  state::JournalStore j(*db_);
  auto last = j.LastEntries(1);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ((*last)[0].step, state::Step::kConfirmed);
  EXPECT_TRUE((*last)[0].failed);
}

// Lines that are not commit lines (the fake's plain "committed height=N", a "finalizing commit"
// line) never confirm anything.
TEST_F(SupervisorTest, LinesThatAreNotCommitLinesDoNotConfirm) {
  launcher_->Script(Bin("genesis"), {.heights = 4, .upgrade_name = "v2"});
  launcher_->Script(Bin("upgrades/v2"), {.heights = 9, .exit_code = 0, .first_height = 5,
                                         .commit_line = "INF finalizing commit of block height="});
  auto code = Run();
  ASSERT_TRUE(code.ok()) << code.status().message();
  auto applied = AppliedRecords();
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0].confirmation, state::Confirmation::kUnconfirmed);
}

}  // namespace
}  // namespace replayer
