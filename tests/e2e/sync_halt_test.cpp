// End to end, `replayer sync` through a halt-height switch whose old binary behaves like Cosmos
// SDK 0.50+ (`halt_semantics: stop-before`): demochaind v2.0.0 started with `--halt-behavior
// sdk50` refuses the switch height itself (`CONSENSUS FAILURE!!! err="halt per configuration
// height H time 0"`, last committed block H-1) and stays alive, so Replayer must stop it, check
// the height and switch. A schedule that says stop-before for a binary that commits the halt
// height and exits (SDK <= 0.47) must be refused, never switched. With `--halt-behavior
// sdk50early` (SDK 0.50.0-0.50.9, `halt_semantics: commit-then-stall`) the binary commits its
// halt height and refuses the next block: Replayer passes switch height - 1 and stops it there.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include <string>
#include <vector>

#include "tests/e2e/demochain_fixture.h"

namespace e2e {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class SyncHaltTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { chain_.Start({.blocks = 300}); }
  static void TearDownTestSuite() { chain_.Stop(); }
  void SetUp() override {
    ASSERT_NE(chain_.get(), nullptr) << chain_.error();
    ASSERT_EQ(chain().switches()[1].at("kind"), "halt-height");
  }
  static const DemoChain& chain() { return *chain_.get(); }

  // The first height of the halt-height switch (v2.0.0 -> v2.1.0): v2.0.0 must stop before it.
  static int64_t SwitchHeight() { return chain().switches()[1].at("height"); }
  static std::string Committed(int64_t h) {
    return "committed block height=" + std::to_string(h) + "\n";
  }
  static std::string HaltLine(int64_t h) {
    return "CONSENSUS FAILURE!!! err=\"halt per configuration height " + std::to_string(h) +
           " time 0\"";
  }

  // The operator's schedule with the v2.0.0 segment (the one the halt-height switch ends)
  // marked stop-before; with `sdk50` its binary is also made to behave like SDK 0.50.
  static std::string StopBeforeSchedule(bool sdk50, const std::string& name) {
    json s = chain().OperatorSchedule();
    json& segments = s.at("segments");
    EXPECT_EQ(segments[1].at("version"), "v2.0.0");
    EXPECT_EQ(segments[2].at("kind"), "halt-height");
    segments[1]["halt_semantics"] = "stop-before";
    if (sdk50) segments[1]["args"] = {{"add", {"--halt-behavior", "sdk50"}}};
    return chain().WriteSchedule(s, name);
  }

  // `replayer status --json`: the applied upgrades' folders; nothing may be in progress.
  static std::vector<std::string> Applied(SyncHome& h) {
    JournalStatus journal = h.Journal();
    EXPECT_EQ(journal.error, "");
    EXPECT_FALSE(journal.in_progress) << journal.out;
    return journal.applied;
  }

  // At the archive's tip with its app hash, `current` at the last segment, each switch once.
  static void ExpectAtTip(SyncHome& h) {
    NodeStatus st = h.Status();
    ASSERT_EQ(st.error, "");
    EXPECT_EQ(st.height, chain().tip());
    EXPECT_EQ(st.app_hash, chain().final_app_hash());
    EXPECT_EQ(h.Current(), "upgrades/v3");
    EXPECT_EQ(Applied(h), (std::vector<std::string>{"v2", "v2.1.0", "v3"}));
  }

  // What a successful run through the stop-before switch shows: v2.0.0 was started with
  // --halt-height <switch height> (its halt line names the height it was given), committed up
  // to the switch height - 1 and not the switch height, logged the halt once and was stopped by
  // Replayer; the switch height was committed once, by v2.1.0, started once.
  static void ExpectStoppedBeforeTheSwitch(const ProcResult& r) {
    const int64_t f = SwitchHeight();
    const std::string all = r.all();
    EXPECT_EQ(CountOf(all, HaltLine(f)), 1) << all;
    EXPECT_EQ(CountOf(all, "halt per configuration"), 1) << all;
    // The only SDK 0.47 halt line is the last segment's, at --until (the tip).
    EXPECT_EQ(CountOf(all, "halting node per configuration"), 1) << all;
    EXPECT_EQ(
        CountOf(all, "halting node per configuration height=" + std::to_string(chain().tip())), 1);
    EXPECT_EQ(
        CountOf(r.err, "the node logged its halt and may not exit by itself: stopping it"), 1)
        << r.err;
    EXPECT_EQ(CountOf(r.err, "node halted at height " + std::to_string(f - 1) + ";"), 1) << r.err;
    EXPECT_EQ(CountOf(all, Committed(f - 1)), 1);
    EXPECT_EQ(CountOf(all, Committed(f)), 1) << "only v2.1.0 may commit the switch height";
    EXPECT_EQ(CountOf(all, "starting demochaind v2.0.0"), 1);
    EXPECT_EQ(CountOf(all, "starting demochaind v2.1.0"), 1);
    // In this order: v2.0.0 commits f-1, refuses f, is stopped; v2.1.0 starts and commits f.
    size_t halt = all.find(HaltLine(f));
    EXPECT_LT(all.find(Committed(f - 1)), halt);
    EXPECT_LT(halt, all.find("starting demochaind v2.1.0"));
    EXPECT_LT(all.find("starting demochaind v2.1.0"), all.find(Committed(f)));
  }

  static SharedChain chain_;
};
SharedChain SyncHaltTest::chain_;

// After the halt-height switch (no on-chain plan) data/upgrade-info.json still names "v2",
// applied at the switch before: status must not call it pending.
TEST_F(SyncHaltTest, StatusDoesNotShowAnAppliedPlanAsPending) {
  std::string plans = chain().WriteSchedule(chain().OperatorSchedule(), "operator-status");
  SyncHome h(chain());
  ProcResult r = h.Sync(plans, SwitchHeight() + 3);
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(h.Current(), "upgrades/v2.1.0");
  // The premise: the file still names the plan applied at the switch before.
  std::ifstream in(h.home() + "/data/upgrade-info.json");
  std::string info((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_NE(info.find("\"v2\""), std::string::npos) << info;
  ProcResult st = h.Replayer({"status", "--json"});
  ASSERT_EQ(st.exit_code, 0) << st.all();
  EXPECT_NE(st.out.find("\"pending\": null"), std::string::npos) << st.out;
  EXPECT_EQ(Applied(h), (std::vector<std::string>{"v2", "v2.1.0"}));
}

TEST_F(SyncHaltTest, Sdk50BinaryIsStoppedByReplayerAndTheSyncReachesTheTip) {
  std::string plans = StopBeforeSchedule(/*sdk50=*/true, "stop-before");
  // What the schedule asks for: --halt-height at the switch height itself, plus the flag.
  ProcResult explain = chain().Replayer({"plans", "explain", "--plans", plans, "--height",
                                         std::to_string(SwitchHeight() - 1), "--", "start"});
  ASSERT_EQ(explain.exit_code, 0) << explain.all();
  EXPECT_NE(explain.out.find("--halt-height " + std::to_string(SwitchHeight())), std::string::npos)
      << explain.out;

  SyncHome h(chain());
  ProcResult r = h.Sync(plans);
  ASSERT_EQ(r.exit_code, 0) << r.all();
  ExpectAtTip(h);
  ExpectStoppedBeforeTheSwitch(r);
  // Without DAEMON_SHUTDOWN_GRACE: SIGKILL at once, as the journal's node-stopped step records.
  EXPECT_EQ(CountOf(r.err, "SIGINT, then SIGKILL"), 0) << r.err;
  EXPECT_EQ(CountOf(r.err, "upgrade \"v2.1.0\" at height " + std::to_string(SwitchHeight()) +
                               ": node-stopped: killed by signal 9"),
            1)
      << r.err;
  EXPECT_TRUE(h.ProcessesUsingHome().empty());
}

TEST_F(SyncHaltTest, WithShutdownGraceTheHaltedNodeExitsOnSigintInTime) {
  std::string plans = StopBeforeSchedule(/*sdk50=*/true, "stop-before-grace");
  SyncHome h(chain());
  ProcResult r = h.Sync(plans, 0, {{"DAEMON_SHUTDOWN_GRACE", "2s"}});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  ExpectAtTip(h);
  ExpectStoppedBeforeTheSwitch(r);
  // SIGINT, and the node (which only idles after its halt) exits 0 well within the grace.
  const std::string stopped_by_sigint =
      "stopped at height " + std::to_string(SwitchHeight() - 1) + " exit=0";
  size_t halted = r.err.find("the node logged its halt and may not exit by itself");
  ASSERT_NE(halted, std::string::npos) << r.err;
  size_t sigint = r.err.find("stopping the node: SIGINT, then SIGKILL after 2000 ms", halted);
  size_t received = r.err.find("received signal, shutting down", halted);
  EXPECT_LT(sigint, received) << r.err;
  EXPECT_LT(received, r.err.find(stopped_by_sigint, halted)) << r.err;
  EXPECT_EQ(CountOf(r.err, stopped_by_sigint), 1) << r.err;
  EXPECT_EQ(CountOf(r.err, "upgrade \"v2.1.0\" at height " + std::to_string(SwitchHeight()) +
                               ": node-stopped: exit code 0"),
            1)
      << r.err;
  EXPECT_EQ(CountOf(r.err, "DAEMON_SHUTDOWN_GRACE exceeded"), 0) << r.err;
  EXPECT_TRUE(h.ProcessesUsingHome().empty());
}

// stop-before, but the binary is not made sdk50: given --halt-height F (the switch height) it
// executes and commits F itself, with the wrong binary, and exits. Replayer must notice that
// the node is at F, not F - 1, and stop with an error: no switch, `current` unchanged, and a
// second run refuses to start anything.
TEST_F(SyncHaltTest, StopBeforeForACommitThenExitBinaryIsRefusedNotSwitched) {
  const int64_t f = SwitchHeight();
  std::string plans = StopBeforeSchedule(/*sdk50=*/false, "stop-before-mismatch");
  SyncHome h(chain());
  ProcResult r = h.Sync(plans);
  EXPECT_EQ(r.exit_code, 1) << r.all();
  EXPECT_FALSE(r.timed_out);
  std::string all = r.all();
  // v2.0.0 committed F and halted the SDK 0.47 way.
  EXPECT_EQ(CountOf(all, Committed(f)), 1) << all;
  EXPECT_EQ(CountOf(all, "halting node per configuration height=" + std::to_string(f)), 1) << all;
  EXPECT_EQ(CountOf(all, "starting demochaind v2.1.0"), 0) << "switched although the node is at F";
  // Replayer's own verdict (the node may exit by itself or be stopped by Replayer once it logs
  // its halt, whichever comes first, so only Replayer's words are the same in every run).
  EXPECT_NE(r.err.find("ran past the end of its segment: it committed height " + std::to_string(f)),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("nothing was switched"), std::string::npos) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(Applied(h), (std::vector<std::string>{"v2"}));
  EXPECT_TRUE(h.ProcessesUsingHome().empty());
  NodeStatus st = h.Status();
  EXPECT_EQ(st.height, f) << st.error;

  // Run again: refused before anything is started.
  ProcResult again = h.Sync(plans);
  EXPECT_EQ(again.exit_code, 1) << again.all();
  EXPECT_NE(again.err.find("refusing to guess"), std::string::npos) << again.err;
  EXPECT_EQ(CountOf(again.all(), "starting demochaind"), 0) << again.all();
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(Applied(h), (std::vector<std::string>{"v2"}));
}

// The converse mistake: the schedule keeps the default commit-then-exit, but the binary halts
// the SDK 0.50 way. Given --halt-height F - 1 it commits F - 2, logs the halt and idles for ever.
// Nothing wrong was executed, but Replayer must not wait for an exit that never comes: it should
// stop the node and fail, naming the mismatch, with `current` unchanged.
TEST_F(SyncHaltTest, Sdk50BinaryInACommitThenExitSegmentIsRefusedNotWaitedForForever) {
  const int64_t f = SwitchHeight();
  json s = chain().OperatorSchedule();
  s.at("segments")[1]["args"] = {{"add", {"--halt-behavior", "sdk50"}}};
  std::string plans = chain().WriteSchedule(s, "sdk50-commit-then-exit");
  SyncHome h(chain());
  // The default bound (90 s), not 20 s: "for ever" still times out, a slow machine does not.
  ProcResult r = h.Sync(plans);
  EXPECT_FALSE(r.timed_out) << "Replayer waited for ever for a node that will not exit";
  EXPECT_EQ(r.exit_code, 1) << r.all();
  // Logged once by the node; Replayer's error quotes it once more (the node's own last error
  // lines).
  size_t at = r.err.find("replayer: error:");
  std::string error = at == std::string::npos ? "" : r.err.substr(at);
  EXPECT_EQ(CountOf(r.all(), HaltLine(f - 1)), 2) << r.all();
  EXPECT_EQ(CountOf(error, HaltLine(f - 1)), 1) << error;
  EXPECT_NE(error.find("The node's own last error lines: [ERR CONSENSUS FAILURE!!!"),
            std::string::npos)
      << error;
  EXPECT_EQ(CountOf(r.all(), "starting demochaind v2.1.0"), 0);
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(Applied(h), (std::vector<std::string>{"v2"}));
  EXPECT_TRUE(h.ProcessesUsingHome().empty());
  EXPECT_EQ(h.Status().height, f - 2);
}

// SDK 0.50.0-0.50.9 (commit-then-stall): v2.0.0 started with --halt-behavior sdk50early commits
// its --halt-height (the switch height - 1), refuses the next block and stays up; Replayer gives
// it switch height - 1, stops it on the halt line and switches at the switch height.
TEST_F(SyncHaltTest, CommitThenStallBinaryCommitsItsHaltHeightAndIsStoppedThere) {
  json s = chain().OperatorSchedule();
  json& segments = s.at("segments");
  ASSERT_EQ(segments[1].at("version"), "v2.0.0");
  segments[1]["halt_semantics"] = "commit-then-stall";
  s["format_version"] = 2;  // commit-then-stall is format 2
  segments[1]["args"] = {{"add", {"--halt-behavior", "sdk50early"}}};
  std::string plans = chain().WriteSchedule(s, "commit-then-stall");
  const int64_t f = SwitchHeight();
  ProcResult explain = chain().Replayer(
      {"plans", "explain", "--plans", plans, "--height", std::to_string(f - 1), "--", "start"});
  ASSERT_EQ(explain.exit_code, 0) << explain.all();
  EXPECT_NE(explain.out.find("--halt-height " + std::to_string(f - 1)), std::string::npos)
      << explain.out;

  SyncHome h(chain());
  ProcResult r = h.Sync(plans);
  ASSERT_EQ(r.exit_code, 0) << r.all();
  ExpectAtTip(h);
  const std::string all = r.all();
  EXPECT_EQ(CountOf(all, HaltLine(f - 1)), 1) << all;  // names its halt height, refuses f
  EXPECT_EQ(CountOf(r.err, "node halted at height " + std::to_string(f - 1) + ";"), 1) << r.err;
  EXPECT_EQ(CountOf(all, Committed(f - 1)), 1);
  EXPECT_EQ(CountOf(all, Committed(f)), 1) << "only v2.1.0 may commit the switch height";
  EXPECT_LT(all.find(HaltLine(f - 1)), all.find("starting demochaind v2.1.0"));
}

}  // namespace
}  // namespace e2e
