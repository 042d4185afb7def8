// End to end: kill Replayer with SIGKILL at every step of the upgrade transaction (right after
// the step is recorded, and after its work but before it is recorded), start it again, and check
// the switch completes exactly once: nothing skipped, nothing recorded repeated, and the old
// binary never started again past its plan height. The new binary logs CometBFT's committed-state
// lines, so the matrix ends with `confirmed`: a crash before it is recorded (or after) ends with
// the switch confirmed exactly once.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/e2e/harness.h"

namespace e2e {
namespace {

class CrashAt : public ::testing::TestWithParam<std::string> {};

TEST_P(CrashAt, RestartCompletesTheSwitchExactlyOnce) {
  const std::string spec = GetParam();
  TestHome h;
  NodeSpec g;
  g.version = "v1";
  g.upgrade_name = "v2";
  g.upgrade_height = 4;
  h.InitGenesis(g);
  NodeSpec v2;
  v2.version = "v2";
  v2.commit_log = "cometbft";
  h.PlaceUpgrade("v2", v2);
  {
    std::ofstream s(h.home() + "/cosmovisor/preupgrade.sh");
    s << "#!/bin/sh\necho \"$1 $2\" >> \"$DAEMON_HOME/custom.log\"\n";
  }
  std::map<std::string, std::string> env = {{"STOP_AT", "7"},
                                            {"COSMOVISOR_CUSTOM_PREUPGRADE", "preupgrade.sh"}};
  auto crashing = env;
  crashing["REPLAYER_TEST_CRASH_AT"] = spec;
  auto first = h.Run({"run", "start"}, crashing);
  ASSERT_EQ(first.exit_code, 137) << "expected SIGKILL at " << spec << "\n" << first.err;

  auto second = h.Run({"run", "start"}, env);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(h.CountInLog("v1 start"), 1) << "old binary relaunched after a crash at " << spec;
  EXPECT_EQ(h.CountInLog("v1 height 4"), 0);

  bool redo = spec.find(":unrecorded") != std::string::npos;
  std::string step = spec.substr(0, spec.find(':'));
  // A crash once the new node runs orphans it: it may reach STOP_AT (7) and exit before the
  // next start replaces it, and the replacement then commits one more block (8).
  bool orphaned = step == "node-restarted" || step == "confirmed";
  if (orphaned) {
    EXPECT_TRUE(h.Height() == 7 || h.Height() == 8) << h.Height();
  } else {
    EXPECT_EQ(h.Height(), 7);
  }
  auto expect_count = [&](int normally, const std::string& own_step) {
    return step == own_step && redo ? normally + 1 : normally;
  };
  EXPECT_EQ(h.CountInLog("v2 pre-upgrade"), expect_count(1, "node-preupgrade"));
  EXPECT_EQ(e2e::CountOf(h.ReadFile("custom.log"), "v2 4"),
            expect_count(1, "custom-preupgrade"));
  int v2_starts = orphaned ? 2 : 1;  // the orphaned node is replaced
  EXPECT_EQ(h.CountInLog("v2 start"), v2_starts);
  EXPECT_EQ(h.ReadFile("data-backup-v2-4/height"), "3\n");

  auto status = h.Run({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(e2e::CountOf(status.out, "\"dir\": \"v2\""), 1) << status.out;
  EXPECT_NE(status.out.find("\"in_progress\": null"), std::string::npos) << status.out;
  EXPECT_EQ(e2e::CountOf(status.out, "\"state\": \"confirmed\""), 1) << status.out;
  EXPECT_EQ(e2e::CountOf(status.out, "\"step\": \"confirmed\""), 1) << status.out;
}

bool Alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

pid_t ReadPid(TestHome& h, const std::string& rel) {
  for (int i = 0; i < 500 && !h.Exists(rel); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string text = h.ReadFile(rel);
  return text.empty() ? -1 : static_cast<pid_t>(std::stol(text));
}

// Replayer SIGKILLed, then the node died on its own, and a child of the node that ignores
// SIGTERM lives on in the node's group: the next start ends the whole group.
TEST(CrashedReplayer, NextStartEndsTheNodesWholeGroup) {
  TestHome h;
  NodeSpec g;
  g.version = "v1";
  h.InitGenesis(g);
  pid_t replayer = h.Start({"run", "start"}, {{"SPAWN_GRANDCHILD", "1"}});
  pid_t node = ReadPid(h, "node.pid");
  pid_t grandchild = ReadPid(h, "grandchild.pid");
  ASSERT_GT(node, 0);
  ASSERT_GT(grandchild, 0);
  ReadPid(h, "data/height");  // the node runs (so Replayer has recorded it)
  kill(replayer, SIGKILL);
  EXPECT_EQ(h.Wait(replayer).exit_code, 137);
  kill(node, SIGKILL);
  for (int i = 0; i < 250 && Alive(node); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(Alive(node));
  kill(grandchild, SIGTERM);  // ignored
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(Alive(grandchild)) << "the test needs a survivor";

  auto r = h.Run({"run", "start"}, {{"STOP_AT", "2"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("of the node's group"), std::string::npos) << r.err;
  EXPECT_FALSE(Alive(grandchild)) << "pid " << grandchild << " survived the next start";
}

std::vector<std::string> AllCrashPoints() {
  std::vector<std::string> out;
  for (const char* s : {"detected", "node-stopped", "snapshot-taken", "binary-ready", "custom-preupgrade",
                        "current-switched", "node-preupgrade", "node-restarted", "confirmed"}) {
    out.push_back(s);
    out.push_back(std::string(s) + ":unrecorded");
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Steps, CrashAt, ::testing::ValuesIn(AllCrashPoints()),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n) {
                             if (c == '-' || c == ':') c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace e2e
