// End to end: `replayer sync` on a real demochain killed (SIGKILL, REPLAYER_TEST_CRASH_AT) at a
// step of a switch transaction, right after the step is recorded or after its work but before
// it is recorded; the same sync started again reaches the archive's tip with its app hash, and
// every switch happened exactly once (journal, node output).
//
// A representative subset (each case replays the chain twice; all 15 points of all three
// transactions would take well over a minute): every step of the governance switch "v2" (1st
// transaction), both halves (recorded / not recorded) of those whose work is outside the
// journal (snapshot, `current` rename, node pre-upgrade, node restart); the halt-height switch to
// v2.1.0 (2nd) at its first step, the `current` rename and the node restart; the governance
// switch "v3" (3rd) at the node pre-upgrade. 16 cases.
#include <gtest/gtest.h>

#include "tests/e2e/demochain_fixture.h"

namespace e2e {
namespace {

class SyncCrashAt : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() { chain_.Start({.blocks = 300}); }
  static void TearDownTestSuite() { chain_.Stop(); }
  void SetUp() override { ASSERT_NE(chain_.get(), nullptr) << chain_.error(); }
  static const DemoChain& chain() { return *chain_.get(); }
  static SharedChain chain_;
};
SharedChain SyncCrashAt::chain_;

TEST_P(SyncCrashAt, RestartReachesTheTipWithEachSwitchOnce) {
  const std::string spec = GetParam();
  std::string plans = chain().WriteSchedule(chain().OperatorSchedule(), "operator");
  SyncHome h(chain());

  ProcResult first = h.Sync(plans, 0, {{"REPLAYER_TEST_CRASH_AT", spec}});
  ASSERT_EQ(first.exit_code, 137) << "expected SIGKILL at " << spec << "\n" << first.all();
  h.KillEverything();  // not needed by Replayer; keeps the node's output below complete
  ProcResult second = h.Sync(plans);
  ASSERT_EQ(second.exit_code, 0) << "after a crash at " << spec << "\n" << second.all();

  NodeStatus st = h.Status();
  ASSERT_EQ(st.error, "");
  EXPECT_EQ(st.height, chain().tip());
  EXPECT_EQ(st.app_hash, chain().final_app_hash());
  EXPECT_EQ(h.Current(), "upgrades/v3");

  // The journal: each switch applied once, nothing left open.
  JournalStatus journal = h.Journal();
  ASSERT_EQ(journal.error, "");
  EXPECT_EQ(journal.applied, (std::vector<std::string>{"v2", "v2.1.0", "v3"})) << journal.out;
  EXPECT_FALSE(journal.in_progress) << journal.out;

  // The node output of both runs (a node orphaned by the crash may lose lines: its output went
  // to the killed Replayer): the genesis binary never started again, no plan reached twice,
  // each plan applied once. Only a crash once the new node was started may see that node run
  // the plan's block again (it may have been killed before committing it).
  std::string all = first.all() + second.all();
  EXPECT_EQ(CountOf(all, "starting demochaind v1.0.0"), 1) << all;
  EXPECT_LE(CountOf(all, "UPGRADE \"v2\" NEEDED"), 1) << all;
  EXPECT_LE(CountOf(all, "UPGRADE \"v3\" NEEDED"), 1) << all;
  bool restarted = spec.starts_with("node-restarted");
  bool gov_v2 = spec.find('@') == std::string::npos || spec.ends_with("@1");
  int v2_applied = CountOf(all, "applying upgrade \"v2\"");
  if (restarted && gov_v2) {
    EXPECT_GE(v2_applied, 1);
    EXPECT_LE(v2_applied, 2);
  } else {
    EXPECT_EQ(v2_applied, 1) << all;
  }
  // Plan "v3" comes after every crash point but the last: the v3 binary applies it exactly once
  // whichever switch the crash interrupted.
  EXPECT_EQ(CountOf(all, "applying upgrade \"v3\""), 1) << all;
}

// Crash points: "<step>[:unrecorded]@<n>", n = the transaction of this run (1: plan "v2",
// 2: the halt-height switch to v2.1.0, 3: plan "v3").
std::vector<std::string> CrashPoints() {
  return {// plan "v2": every step, both halves where the step's work is outside the journal
          "detected@1", "node-stopped:unrecorded@1", "snapshot-taken@1",
          "snapshot-taken:unrecorded@1", "binary-ready:unrecorded@1", "custom-preupgrade@1",
          "current-switched@1", "current-switched:unrecorded@1", "node-preupgrade@1",
          "node-preupgrade:unrecorded@1", "node-restarted@1", "node-restarted:unrecorded@1",
          // the halt-height switch to v2.1.0
          "detected@2", "current-switched:unrecorded@2", "node-restarted@2",
          // plan "v3"
          "node-preupgrade:unrecorded@3"};
}

INSTANTIATE_TEST_SUITE_P(
    Steps, SyncCrashAt, ::testing::ValuesIn(CrashPoints()),
    [](const auto& param_info) {
      std::string n = param_info.param;
      for (char& c : n) {
        if (c == '-' || c == ':' || c == '@') c = '_';
      }
      return n;
    });

}  // namespace
}  // namespace e2e
