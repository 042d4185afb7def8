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

// A missing script is reported at start, before the node runs, not once it has been stopped at
// the upgrade height.
TEST(CustomPreUpgrade, MissingScriptIsRefusedAtStart) {
  TestHome h;
  SetUpUpgrade(h, "0");
  auto env = kFast;
  env["COSMOVISOR_CUSTOM_PREUPGRADE"] = "missing.sh";
  auto r = h.Run({"run", "start"}, env);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("COSMOVISOR_CUSTOM_PREUPGRADE \"missing.sh\": " + h.home() +
                       "/cosmovisor/missing.sh does not exist"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(h.CountInLog("v1 start"), 0);
  EXPECT_EQ(h.Current(), "genesis");
}

// DAEMON_POLL_INTERVAL=1ns is raised to the floor (it burnt half a core), with a warning.
TEST(PollInterval, BelowTheFloorIsRaisedWithAWarning) {
  TestHome h;
  SetUpUpgrade(h, "0");
  auto env = kFast;
  env["DAEMON_POLL_INTERVAL"] = "1ns";
  auto r = h.Run({"run", "start"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("DAEMON_POLL_INTERVAL 1ns is below the floor of 10ms; using 10ms"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  auto config = h.Run({"config"}, {{"DAEMON_POLL_INTERVAL", "1ns"}});
  EXPECT_NE(config.out.find("DAEMON_POLL_INTERVAL: 10ms"), std::string::npos) << config.out;
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
  EXPECT_EQ(r.exit_code, 2);  // found at start (item 17), before the node runs
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
  // The node outlives any grace (it sleeps 30 s after SIGINT); 2 s leaves its trap ample time
  // to log got-sigint on a loaded machine (200 ms did not always).
  env["DAEMON_SHUTDOWN_GRACE"] = "2s";
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

// Whether the process `pid` is still running (a zombie or no process: no).
bool Running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

// A home on genesis with a manual plan (`add-upgrade --upgrade-height`) far ahead.
void SetUpFarManualPlan(TestHome& h) {
  NodeSpec g;
  g.version = "v1";
  h.InitGenesis(g);
  std::string src = h.home() + "/../v2-src";
  h.WriteNode(src, NodeSpec{"v2"});
  auto add = h.Run({"add-upgrade", "v2", src, "--upgrade-height", "100000"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
}

// Waits (bounded) until Replayer's `status` probe hangs in the script node; its pid, 0 if never.
pid_t HangingProbe(const TestHome& h) {
  for (int i = 0; i < 3000 && h.CountInLog("status probe hangs") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (h.CountInLog("status probe hangs") != 1) return 0;
  return static_cast<pid_t>(std::stol(h.ReadFile("status.pid")));  // written before the log line
}

// Manual-plan gating asks `<binary> status` for the node's height. That probe runs beside the
// event loop, never on it: while a probe hangs (a node that does not answer), SIGTERM still
// reaches the node at once, and Replayer ends the probe when it exits. Before, the probe ran on
// the loop for up to 10 s and the signal waited behind it (the node saw the probe gone).
TEST(Signals, TermWhileAManualPlansHeightProbeHangsReachesTheNodeAtOnce) {
  TestHome h;
  SetUpFarManualPlan(h);
  pid_t pid =
      h.Start({"run", "start"}, {{"STATUS_HANGS", "running"}, {"DAEMON_POLL_INTERVAL", "20ms"}});
  pid_t probe = HangingProbe(h);
  ASSERT_GT(probe, 0) << "the height probe never ran";
  kill(pid, SIGTERM);
  auto r = h.Wait(pid);
  EXPECT_EQ(r.exit_code, 0) << r.err;  // the node's own exit code (its trap exits 0)
  EXPECT_EQ(h.CountInLog("got-sigterm while the status probe runs"), 1) << h.NodeLog();
  EXPECT_EQ(h.CountInLog("got-sigterm after the status probe ended"), 0) << h.NodeLog();
  EXPECT_FALSE(Running(probe)) << "Replayer exited and left its status probe running";
  EXPECT_EQ(h.Current(), "genesis");
}

// The same probe before a launch (a manual plan waiting when Replayer starts): a stop signal
// ends the wait and Replayer, without starting the node. Before, the probe blocked for 10 s and
// the node was started anyway.
TEST(Signals, TermWhileTheHeightProbeBeforeALaunchHangsStartsNoNode) {
  TestHome h;
  SetUpFarManualPlan(h);
  pid_t pid = h.Start({"run", "start"}, {{"STATUS_HANGS", "always"}});
  pid_t probe = HangingProbe(h);
  ASSERT_GT(probe, 0) << "the height probe never ran";
  kill(pid, SIGTERM);
  auto r = h.Wait(pid);
  EXPECT_EQ(r.exit_code, 128 + SIGTERM) << r.err;
  EXPECT_EQ(h.CountInLog("v1 start"), 0) << h.NodeLog();
  EXPECT_FALSE(Running(probe)) << "Replayer exited and left its status probe running";
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

// A custom pre-upgrade script that never ends: the hook sits in its own process group, which
// is signalled and reaped here by pid file.
void WriteHangingCustomScript(const TestHome& h) {
  std::ofstream s(h.home() + "/cosmovisor/hang.sh");
  s << "#!/bin/sh\necho $$ > \"$DAEMON_HOME/hook.pid.tmp\"\n"
       "mv \"$DAEMON_HOME/hook.pid.tmp\" \"$DAEMON_HOME/hook.pid\"\nsleep 60\n";
}

pid_t WaitForHookPid(const TestHome& h) {
  for (int i = 0; i < 2000 && !h.Exists("hook.pid"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!h.Exists("hook.pid")) return -1;
  return static_cast<pid_t>(std::stol(h.ReadFile("hook.pid")));
}

bool Alive(pid_t pid) { return pid > 0 && kill(pid, 0) == 0; }

// REPLAYER_HOOK_TIMEOUT bounds the custom script (and the node's pre-upgrade): past it the
// hook's group is killed and the upgrade fails with exit 1, `current` unchanged.
TEST(Hooks, ACustomScriptPastTheHookTimeoutIsKilledAndTheUpgradeFails) {
  TestHome h;
  SetUpUpgrade(h, "0");
  WriteHangingCustomScript(h);
  auto env = kFast;
  env["COSMOVISOR_CUSTOM_PREUPGRADE"] = "hang.sh";
  env["REPLAYER_HOOK_TIMEOUT"] = "1s";
  auto r = h.Run({"run", "start"}, env, std::chrono::seconds(40));
  EXPECT_FALSE(r.timed_out) << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("did not finish within 1000 ms"), std::string::npos) << r.err;
  EXPECT_EQ(h.Current(), "genesis");
  EXPECT_FALSE(Alive(WaitForHookPid(h))) << "the hanging script was left running";
}

// SIGTERM while a hook runs ends Replayer cleanly (128 + SIGTERM) at once: the hook's group is
// stopped, the transaction stays open at its last completed step, and the next run resumes it.
TEST(Hooks, TermWhileTheCustomScriptRunsStopsItAndTheNextRunResumes) {
  TestHome h;
  SetUpUpgrade(h, "0");
  WriteHangingCustomScript(h);
  auto env = kFast;
  env["COSMOVISOR_CUSTOM_PREUPGRADE"] = "hang.sh";
  pid_t pid = h.Start({"run", "start"}, env);
  pid_t hook = WaitForHookPid(h);
  ASSERT_GT(hook, 0) << "the custom script never ran";
  kill(pid, SIGTERM);
  auto r = h.Wait(pid, std::chrono::seconds(20));
  EXPECT_FALSE(r.timed_out) << "SIGTERM was ignored while the hook ran\n" << r.err;
  EXPECT_EQ(r.exit_code, 128 + SIGTERM) << r.err;
  EXPECT_NE(r.err.find("resumes there next run"), std::string::npos) << r.err;
  EXPECT_FALSE(Alive(hook)) << "the custom script was left running";
  EXPECT_EQ(h.Current(), "genesis");
  EXPECT_EQ(h.CountInLog("v2 start"), 0);

  {
    std::ofstream s(h.home() + "/cosmovisor/hang.sh");
    s << "#!/bin/sh\nexit 0\n";
  }
  auto next = h.Run({"run", "start"}, env);
  EXPECT_EQ(next.exit_code, 0) << next.err;
  EXPECT_NE(next.err.find("resuming upgrade \"v2\""), std::string::npos) << next.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(h.CountInLog("v1 start"), 1);
  EXPECT_EQ(h.CountInLog("v2 start"), 1);
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
