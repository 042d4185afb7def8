// End to end: pre-upgrade hooks, shutdown grace, restart delay, signals and exit codes.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/e2e/harness.h"

namespace e2e {
namespace {

const std::map<std::string, std::string> kFast = {{"STOP_AT", "6"}, {"UNSAFE_SKIP_BACKUP", "true"}};

void SetUpUpgrade(TestHome& h, const std::string& preupgrade_exits, const std::string& trap_int = "") {
  NodeSpec g;
  g.version = "v1";
  g.upgrade_name = "v2";
  g.upgrade_height = 4;
  g.trap_int = trap_int;
  h.InitGenesis(g);
  NodeSpec v2;
  v2.version = "v2";
  v2.preupgrade_exits = preupgrade_exits;
  h.PlaceUpgrade("v2", v2);
}

// Timestamp (seconds) of the first node.log line containing `needle`.
double LogTime(const TestHome& h, const std::string& needle) {
  std::istringstream in(h.NodeLog());
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(needle) != std::string::npos) return std::stod(line.substr(0, line.find(' ')));
  }
  return -1;
}

TEST(PreUpgrade, ExitZeroSucceeds) {
  TestHome h;
  SetUpUpgrade(h, "0");
  auto r = h.Run({"run", "start"}, kFast);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.CountInLog("v2 pre-upgrade exit=0"), 1);
  EXPECT_EQ(h.Current(), "upgrades/v2");
}

TEST(PreUpgrade, ExitOneMeansNotImplementedAndContinues) {
  TestHome h;
  SetUpUpgrade(h, "1");
  auto r = h.Run({"run", "start"}, kFast);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.CountInLog("v2 start"), 1);
}

TEST(PreUpgrade, ExitThirtyAborts) {
  TestHome h;
  SetUpUpgrade(h, "30");
  auto r = h.Run({"run", "start"}, kFast);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("aborted the upgrade (exit 30)"), std::string::npos) << r.err;
  EXPECT_EQ(h.CountInLog("v2 start"), 0);
  auto status = h.Run({"status"});
  EXPECT_NE(status.out.find("in progress:  \"v2\""), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("node-preupgrade FAILED"), std::string::npos) << status.out;
}

TEST(PreUpgrade, ExitThirtyOneRetriesUpToTheLimit) {
  TestHome h;
  SetUpUpgrade(h, "31,31,0");
  auto env = kFast;
  env["DAEMON_PREUPGRADE_MAX_RETRIES"] = "2";
  auto r = h.Run({"run", "start"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.CountInLog("v2 pre-upgrade"), 3);
  EXPECT_EQ(h.CountInLog("v2 start"), 1);
}

TEST(PreUpgrade, ExitThirtyOneGivesUpAfterTheRetries) {
  TestHome h;
  SetUpUpgrade(h, "31");
  auto env = kFast;
  env["DAEMON_PREUPGRADE_MAX_RETRIES"] = "1";
  auto r = h.Run({"run", "start"}, env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(h.CountInLog("v2 pre-upgrade"), 2);
  EXPECT_NE(r.err.find("after 2 attempts"), std::string::npos) << r.err;
}

TEST(PreUpgrade, UnknownExitCodeIsAFailure) {
  TestHome h;
  SetUpUpgrade(h, "7");
  auto r = h.Run({"run", "start"}, kFast);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("pre-upgrade failed: exit code 7"), std::string::npos) << r.err;
  EXPECT_EQ(h.CountInLog("v2 start"), 0);
}

TEST(CustomPreUpgrade, RunsWithNameAndHeight) {
  TestHome h;
  SetUpUpgrade(h, "0");
  {
    std::ofstream s(h.home() + "/cosmovisor/preupgrade.sh");
    s << "#!/bin/sh\necho \"$1 $2 $(pwd)\" >> \"$DAEMON_HOME/custom.log\"\n";
  }  // mode 0644: Replayer adds the owner exec bit, like Cosmovisor
  auto env = kFast;
  env["COSMOVISOR_CUSTOM_PREUPGRADE"] = "preupgrade.sh";
  auto r = h.Run({"run", "start"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.ReadFile("custom.log"), "v2 4 " + h.home() + "\n");
}

TEST(CustomPreUpgrade, FailureStopsTheSwitch) {
  TestHome h;
  SetUpUpgrade(h, "0");
  {
    std::ofstream s(h.home() + "/cosmovisor/preupgrade.sh");
    s << "#!/bin/sh\nexit 3\n";
  }
  auto env = kFast;
  env["COSMOVISOR_CUSTOM_PREUPGRADE"] = "preupgrade.sh";
  auto r = h.Run({"run", "start"}, env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("preupgrade.sh failed: exit code 3"), std::string::npos) << r.err;
  EXPECT_EQ(h.Current(), "genesis");
}

// Issue 10, item 19: a script that exists outside cosmovisor/ is not called "missing".
TEST(CustomPreUpgrade, ScriptOutsideCosmovisorIsNamedNotCalledMissing) {
  TestHome h;
  SetUpUpgrade(h, "0");
  std::string outside = h.home() + "/../outside-preupgrade.sh";
  {
    std::ofstream s(outside);
    s << "#!/bin/sh\nexit 0\n";
  }
  auto env = kFast;
  env["COSMOVISOR_CUSTOM_PREUPGRADE"] = outside;
  auto r = h.Run({"run", "start"}, env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.find("is missing"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(outside + " does, but the value is a path relative to " + h.home() +
                       "/cosmovisor and the script must be inside it"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(h.Current(), "genesis");
}

TEST(Shutdown, GraceLetsANodeThatTrapsSigintFinish) {
  TestHome h;
  SetUpUpgrade(h, "0", "0.3");
  auto env = kFast;
  env["DAEMON_SHUTDOWN_GRACE"] = "5s";
  auto r = h.Run({"run", "start"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.CountInLog("v1 got-sigint"), 1);
  EXPECT_EQ(h.CountInLog("v1 exiting-after-sigint"), 1);
  EXPECT_LT(LogTime(h, "v1 exiting-after-sigint"), LogTime(h, "v2 start"));
}

TEST(Shutdown, GraceExceededKillsTheNode) {
  TestHome h;
  SetUpUpgrade(h, "0", "30");
  auto env = kFast;
  env["DAEMON_SHUTDOWN_GRACE"] = "200ms";
  auto r = h.Run({"run", "start"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.CountInLog("v1 got-sigint"), 1);
  EXPECT_EQ(h.CountInLog("v1 exiting-after-sigint"), 0);
  EXPECT_EQ(h.CountInLog("v2 start"), 1);
}

TEST(Restart, DelayIsHonoured) {
  TestHome h;
  SetUpUpgrade(h, "0");
  auto env = kFast;
  env["DAEMON_RESTART_DELAY"] = "400ms";
  auto r = h.Run({"run", "start"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(LogTime(h, "v2 start") - LogTime(h, "v2 pre-upgrade"), 0.4);
}

TEST(Restart, DisabledExitsAfterTheSwitch) {
  TestHome h;
  SetUpUpgrade(h, "0");
  auto env = kFast;
  env["DAEMON_RESTART_AFTER_UPGRADE"] = "false";
  auto r = h.Run({"run", "start"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(h.CountInLog("v2 start"), 0);
  // The next run starts the new binary and does not repeat the upgrade.
  auto next = h.Run({"run", "start"}, env);
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(h.CountInLog("v2 start"), 1);
  EXPECT_EQ(h.CountInLog("v2 pre-upgrade"), 1);
}

TEST(Signals, TermIsForwardedAndTheNodesCodeReturned) {
  TestHome h;
  NodeSpec g;
  g.version = "v1";
  h.InitGenesis(g);
  pid_t pid = h.Start({"run", "start"});
  for (int i = 0; i < 400 && h.Height() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(h.Height(), 3);
  kill(pid, SIGTERM);
  auto r = h.Wait(pid);
  EXPECT_EQ(r.exit_code, 128 + SIGTERM) << r.err;
}

TEST(Signals, IntIsForwardedToANodeThatHandlesIt) {
  TestHome h;
  NodeSpec g;
  g.version = "v1";
  g.trap_int = "0.1";
  h.InitGenesis(g);
  pid_t pid = h.Start({"run", "start"});
  for (int i = 0; i < 400 && h.Height() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGINT);
  auto r = h.Wait(pid);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.CountInLog("v1 exiting-after-sigint"), 1);
}

TEST(Signals, NodesOwnExitCodeIsReturned) {
  TestHome h;
  NodeSpec g;
  g.version = "v1";
  h.InitGenesis(g);
  auto r = h.Run({"run", "exit-with", "3"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto stopped = h.Run({"run", "start"}, {{"STOP_AT", "2"}, {"STOP_CODE", "42"}});
  EXPECT_EQ(stopped.exit_code, 42) << stopped.err;
}

}  // namespace
}  // namespace e2e
