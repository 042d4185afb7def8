// The process seam against real children: exit codes, signals to whole groups, clean signal
// masks, captured output, timeouts and clear errors for binaries that cannot start.
#include "process/process.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "tests/testing/temp_dir.h"

namespace process {
namespace {

SpawnOptions Sh(const std::string& script) {
  SpawnOptions o;
  o.path = "/bin/sh";
  o.args = {"-c", script};
  return o;
}

TEST(Process, ExitCodeAndSignalFollowTheShellConvention) {
  PosixProcessLauncher l;
  auto a = RunToCompletion(l, Sh("exit 7"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->exit_code, 7);
  EXPECT_FALSE(a->signaled);
  auto b = RunToCompletion(l, Sh("kill -TERM $$"));
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->signaled);
  EXPECT_EQ(b->exit_code, 128 + SIGTERM);
}

TEST(Process, MissingAndNonExecutableBinariesAreNamed) {
  testing_util::TempDir dir;
  PosixProcessLauncher l;
  SpawnOptions o;
  o.path = dir / "nope";
  auto r = l.Spawn(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(dir / "nope"), std::string::npos);
  EXPECT_NE(r.status().message().find("does not exist"), std::string::npos);
  std::ofstream(dir / "plain") << "#!/bin/sh\n";
  chmod((dir / "plain").c_str(), 0644);
  o.path = dir / "plain";
  r = l.Spawn(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not executable"), std::string::npos);
}

TEST(Process, ChildStartsWithACleanSignalMaskAndDefaultHandlers) {
  // Block SIGTERM and ignore SIGINT here; the child must see neither.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigprocmask(SIG_BLOCK, &block, &old);
  auto old_int = signal(SIGINT, SIG_IGN);
  PosixProcessLauncher l;
  auto r = RunCaptured(l, Sh("grep -E '^(SigBlk|SigIgn)' /proc/self/status"),
                       std::chrono::seconds(10));
  sigprocmask(SIG_SETMASK, &old, nullptr);
  signal(SIGINT, old_int);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_NE(r->out.find("SigBlk:\t0000000000000000"), std::string::npos) << r->out;
  // SIGINT is bit 2 (value 0x2): it must not be in the ignored set.
  auto ign = r->out.substr(r->out.find("SigIgn:\t") + 8, 16);
  EXPECT_EQ(std::stoull(ign, nullptr, 16) & 0x2, 0u) << r->out;
}

TEST(Process, GroupSignalReachesGrandchildren) {
  testing_util::TempDir dir;
  PosixProcessLauncher l;
  std::string pidfile = dir / "grandchild.pid";
  SpawnOptions o = Sh("sleep 30 & echo $! > " + pidfile + "; wait");
  auto p = l.Spawn(o);
  ASSERT_TRUE(p.ok());
  pid_t grandchild = 0;
  for (int i = 0; i < 500 && grandchild == 0; ++i) {
    std::ifstream in(pidfile);
    in >> grandchild;
    if (grandchild == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GT(grandchild, 0);
  EXPECT_EQ(getpgid(grandchild), p->pid);  // the child leads its own group
  ASSERT_TRUE(l.Signal(p->pid, SIGKILL, true).ok());
  ExitInfo e = l.Wait(p->pid);
  EXPECT_TRUE(e.signaled);
  for (int i = 0; i < 500 && kill(grandchild, 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(kill(grandchild, 0), 0) << "grandchild survived the group kill";
}

TEST(Process, TryReapKillsTheRestOfTheGroup) {
  testing_util::TempDir dir;
  PosixProcessLauncher l;
  std::string pidfile = dir / "gc.pid";
  auto p = l.Spawn(Sh("sleep 30 & echo $! > " + pidfile));
  ASSERT_TRUE(p.ok());
  std::optional<ExitInfo> e;
  for (int i = 0; i < 1000 && !e; ++i) {
    e = l.TryReap(p->pid, true);
    if (!e) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->exit_code, 0);
  pid_t gc = 0;
  std::ifstream(pidfile) >> gc;
  ASSERT_GT(gc, 0);
  for (int i = 0; i < 500 && kill(gc, 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(kill(gc, 0), 0);
}

TEST(Process, CapturedOutputAndTimeout) {
  PosixProcessLauncher l;
  auto r = RunCaptured(l, Sh("echo out; echo err >&2; exit 4"), std::chrono::seconds(10));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->exit.exit_code, 4);
  auto slow = RunCaptured(l, Sh("sleep 30"), std::chrono::milliseconds(200));
  ASSERT_FALSE(slow.ok());
  EXPECT_TRUE(slow.status().Is(base::Status::Code::kUnavailable));
  auto slow2 = RunToCompletion(l, Sh("sleep 30"), std::chrono::milliseconds(200));
  ASSERT_FALSE(slow2.ok());
}

// What the version probe needs: variables set on top of Replayer's environment (replacing one of
// the same name), stderr in the stdout pipe, stdin from /dev/null (a read sees its end at once).
TEST(Process, EnvironmentMergedStderrAndNullStdin) {
  PosixProcessLauncher l;
  ::setenv("REPLAYER_PROCESS_TEST", "inherited", 1);
  SpawnOptions o = Sh("read line; echo \"read=$? $REPLAYER_PROCESS_TEST $EXTRA\"; echo err >&2");
  o.env = {{"REPLAYER_PROCESS_TEST", "set"}, {"EXTRA", "x"}};
  o.merge_stderr = true;
  o.stdin_null = true;
  auto r = RunCaptured(l, o, std::chrono::seconds(10));
  ::unsetenv("REPLAYER_PROCESS_TEST");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->out, "read=1 set x\nerr\n");
  EXPECT_EQ(r->exit.exit_code, 0);
}

TEST(Process, ManyChildrenAtOnce) {
  PosixProcessLauncher l;
  std::vector<pid_t> pids;
  for (int i = 0; i < 50; ++i) {
    auto p = l.Spawn(Sh("exit " + std::to_string(i % 5)));
    ASSERT_TRUE(p.ok());
    pids.push_back(p->pid);
  }
  for (size_t i = 0; i < pids.size(); ++i) EXPECT_EQ(l.Wait(pids[i]).exit_code, int(i % 5));
}

}  // namespace
}  // namespace process
