// End to end, `replayer sync` on a real demochain: the governance plans imported from an archive
// peer's REST API (and merged with another source), a fresh node synced from genesis to the tip
// through all three switches with every binary fetched from a registry mirror, and a Replayer
// killed mid-sync that, started again, kills the node it left behind and still reaches the
// archive's final app hash.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/e2e/demochain_fixture.h"

namespace e2e {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

json ReadJson(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

class SyncTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { chain_.Start({.blocks = 300}); }
  static void TearDownTestSuite() { chain_.Stop(); }
  void SetUp() override { ASSERT_NE(chain_.get(), nullptr) << chain_.error(); }
  static const DemoChain& chain() { return *chain_.get(); }

  // The synced home is at the archive's tip with its app hash, `current` at the last segment,
  // every segment's binary installed, and each switch recorded exactly once in the journal.
  static void ExpectAtTip(SyncHome& h) {
    NodeStatus st = h.Status();
    ASSERT_EQ(st.error, "");
    EXPECT_EQ(st.height, chain().tip());
    EXPECT_EQ(st.app_hash, chain().final_app_hash());
    EXPECT_EQ(h.Current(), "upgrades/v3");
    EXPECT_TRUE(h.Exists("cosmovisor/genesis/bin/demochaind"));
    for (const auto& w : chain().switches()) {
      std::string dir = w.at("name");
      EXPECT_TRUE(h.Exists("cosmovisor/upgrades/" + dir + "/bin/demochaind")) << dir;
    }
    JournalStatus journal = h.Journal();
    ASSERT_EQ(journal.error, "");
    EXPECT_EQ(journal.applied, (std::vector<std::string>{"v2", "v2.1.0", "v3"})) << journal.out;
    EXPECT_FALSE(journal.in_progress) << journal.out;
  }

  static SharedChain chain_;
};
SharedChain SyncTest::chain_;

// ---- 1. the schedule from the peer's REST API ----

// The operator's view of the switches as a chain-registry versions.json: names, heights,
// versions, a proposal number for governance plans, the mirror's binaries for the releases no
// plan names (genesis, the halt-height patch), and an SDK version: demochain halts like SDK
// 0.47 (commit-then-exit, its default --halt-behavior); the governance plans' binaries come from
// the chain.
json OperatorVersionsJson(const DemoChain& chain, int64_t v3_height_shift = 0) {
  json versions = json::array();
  versions.push_back({{"name", "genesis"},
                      {"height", 1},
                      {"recommended_version", "v1.0.0"},
                      {"sdk", {{"type", "cosmos"}, {"version", "v0.47.5"}}},
                      {"binaries", chain.MirrorBinaries("v1.0.0")}});
  for (const auto& w : chain.switches()) {
    json v = {{"name", w.at("name")},
              {"height", w.at("height").get<int64_t>()},
              {"recommended_version", w.at("version")},
              {"sdk", {{"type", "cosmos"}, {"version", "v0.47.5"}}}};
    if (w.at("kind") == "gov") {
      v["proposal"] = w.at("proposal_id");
    } else {
      v["binaries"] = chain.MirrorBinaries(w.at("version"));
    }
    if (w.at("name") == "v3") v["height"] = w.at("height").get<int64_t>() + v3_height_shift;
    versions.push_back(v);
  }
  return {{"chain_name", "demochain"}, {"versions", versions}};
}

TEST_F(SyncTest, RestImportYieldsExactlyTheGovernanceSwitches) {
  std::string out = chain().work() + "/rest.json";
  ProcResult r = chain().Replayer({"plans", "import", "--rest", chain().peer_url(), "--chain-id",
                                   chain().chain_id(), "-o", out});
  // Written, but REST alone names no genesis binary: import says it cannot run (exit 1).
  ASSERT_EQ(r.exit_code, 1) << r.all();
  EXPECT_NE(r.err.find("cannot be replayed as it stands"), std::string::npos) << r.err;
  json s = ReadJson(out);
  EXPECT_EQ(s.at("chain_id"), chain().chain_id());
  std::vector<std::pair<std::string, int64_t>> imported, expected;
  for (const auto& seg : s.at("segments")) {
    if (seg.at("kind") == "genesis") continue;
    EXPECT_EQ(seg.at("kind"), "gov-plan") << seg.dump();
    imported.emplace_back(seg.at("name"), seg.at("first_height"));
  }
  for (const auto& w : chain().switches()) {
    if (w.at("kind") == "gov") expected.emplace_back(w.at("name"), w.at("height"));
  }
  EXPECT_EQ(imported, expected) << s.dump(2);
  // The plans' binaries (from their info) carry the releases' checksums.
  for (const auto& seg : s.at("segments")) {
    if (seg.at("kind") == "genesis") continue;
    std::string version = seg.at("name") == "v2" ? "v2.0.0" : "v3.0.0";
    std::string sha = chain().summary().at("binaries").at(version).at("sha256");
    EXPECT_NE(seg.at("binaries").dump().find(sha), std::string::npos) << seg.dump();
  }
}

TEST_F(SyncTest, RestImportMergesWithTheOperatorsScheduleAndReportsDisagreement) {
  std::string versions = chain().work() + "/versions.json";
  testing_util::WriteText(versions, OperatorVersionsJson(chain()).dump(2));
  std::string merged = chain().work() + "/merged.json";
  ProcResult r = chain().Replayer({"plans", "import", "--chain-registry", versions, "--rest",
                                   chain().peer_url(), "--chain-id", chain().chain_id(), "-o",
                                   merged});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(r.err.find("conflict"), std::string::npos) << r.err;
  json s = ReadJson(merged);
  ASSERT_EQ(s.at("segments").size(), 1 + chain().switches().size()) << s.dump(2);
  for (size_t i = 0; i < chain().switches().size(); ++i) {
    const auto& w = chain().switches()[i];
    const auto& seg = s.at("segments")[i + 1];
    EXPECT_EQ(seg.at("name"), w.at("name"));
    EXPECT_EQ(seg.at("first_height"), w.at("height"));
    EXPECT_EQ(seg.at("version"), w.at("version"));
    EXPECT_EQ(seg.at("kind"), w.at("kind") == "gov" ? "gov-plan" : "halt-height") << seg.dump();
  }
  // Every segment has a checksummed binary from one source or the other: the lint passes.
  ProcResult check = chain().Replayer({"plans", "check", "--plans", merged});
  EXPECT_EQ(check.exit_code, 0) << check.all();

  // One height off: a conflict naming both values and both sources; nothing written.
  testing_util::WriteText(versions, OperatorVersionsJson(chain(), 1).dump(2));
  std::string refused = chain().work() + "/refused.json";
  r = chain().Replayer({"plans", "import", "--chain-registry", versions, "--rest",
                        chain().peer_url(), "--chain-id", chain().chain_id(), "-o", refused});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  int64_t h3 = chain().switches()[2].at("height");
  EXPECT_NE(r.err.find("first_height"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(std::to_string(h3 + 1)), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(std::to_string(h3)), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(refused));
}

// ---- 2. from genesis to the tip ----

TEST_F(SyncTest, SyncsFromGenesisToTheTipThroughEverySwitch) {
  std::string plans = chain().WriteSchedule(chain().OperatorSchedule(), "operator");
  SyncHome h(chain());
  ProcResult r = h.Sync(plans);
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.err.find("sync summary: 4 segments"), std::string::npos) << r.err;
  ExpectAtTip(h);
  // Each governance plan applied once by its new binary; v2.0.0 halted at the patch height.
  std::string all = r.all();
  EXPECT_EQ(CountOf(all, "applying upgrade \"v2\""), 1) << all;
  EXPECT_EQ(CountOf(all, "applying upgrade \"v3\""), 1);
  // Each plan reached once. Counted in Replayer's words: demochain writes upgrade-info.json
  // before its UPGRADE line (as x/upgrade does), and Replayer, seeing the file at once, may stop
  // the node before it logs the line.
  EXPECT_EQ(CountOf(all, "upgrade \"v2\" needed at height"), 1) << all;
  EXPECT_EQ(CountOf(all, "upgrade \"v3\" needed at height"), 1) << all;
  EXPECT_LE(CountOf(all, "UPGRADE \"v2\" NEEDED"), 1);
  EXPECT_LE(CountOf(all, "UPGRADE \"v3\" NEEDED"), 1);
  // Nothing left running.
  EXPECT_TRUE(h.ProcessesUsingHome().empty());
}

// ---- 3. Replayer killed mid-sync ----

// A history whose v2.0.0 segment is long (heights 100-5799, about a second of syncing), so the
// node is still well inside it when the test has seen it commit a few blocks and freezes it.
class SyncKillTest : public SyncTest {
 protected:
  static void SetUpTestSuite() {
    chain_.Start({.blocks = 6000,
                  .extra_args = {"--v2-height", "100", "--fix-height", "5800", "--v3-height",
                                 "5900"}});
  }
};

// The state letter of /proc/<pid>/stat ('R', 'S', 'T' stopped, 'Z' zombie...), 0 when gone.
char ProcState(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() ? stat[paren + 2] : 0;
}

bool WaitForState(pid_t pid, char state, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (ProcState(pid) != state) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Waits until `p`'s relayed output holds `needle`.
bool WaitForOutput(Process& p, const std::string& needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if ((p.Err() + p.Out()).find(needle) != std::string::npos) return true;
    if (!p.Running()) return false;
    std::this_thread::sleep_for(1ms);
  }
  return false;
}

TEST_F(SyncKillTest, ReplayerKilledMidSyncResumesAndKillsTheNodeItLeft) {
  // This process adopts the orphaned node (so its process group is not orphaned, which would
  // get it a SIGHUP from the kernel once Replayer dies while it is stopped) and can tell how
  // it ended.
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  std::string plans = chain().WriteSchedule(chain().OperatorSchedule(), "operator-kill");
  int64_t v2 = chain().switches()[0].at("height");
  SyncHome h(chain());
  auto first = h.StartReplayer(h.SyncArgs(plans), {});
  // The v2.0.0 node has committed a block of its segment (demochain logs each commit): freeze
  // it at the first one, leaving the whole segment as the window before SIGSTOP lands.
  ASSERT_TRUE(WaitForOutput(*first, "committed block height=" + std::to_string(v2 + 1), 60s))
      << first->Err();
  // Freeze the node where it is (so that it is still there, mid-segment, holding its
  // databases, when Replayer comes back), then kill Replayer alone: the node is orphaned.
  pid_t replayer = first->pid();
  std::vector<pid_t> nodes = h.ProcessesUsingHome();
  nodes.erase(std::remove(nodes.begin(), nodes.end(), replayer), nodes.end());
  ASSERT_EQ(nodes.size(), 1u) << "expected exactly the node besides Replayer";
  const pid_t node = nodes[0];
  ASSERT_EQ(kill(node, SIGSTOP), 0);
  ASSERT_TRUE(WaitForState(node, 'T', 5s)) << "the node finished its segment before it stopped";
  first->KillProcessOnly();
  ASSERT_TRUE(WaitForState(node, 'T', 1s)) << "the orphaned node did not stay";
  // No Replayer runs now: status must not show the dead sync's rate and ETA as if it ran on.
  ProcResult shown = h.Replayer({"status"});
  EXPECT_EQ(shown.exit_code, 0) << shown.all();
  EXPECT_NE(shown.out.find("sync:         not running; the last `replayer sync` stopped at"),
            std::string::npos)
      << shown.out;
  EXPECT_EQ(shown.out.find("blocks/s"), std::string::npos) << shown.out;

  ProcResult second = h.Sync(plans);
  ASSERT_EQ(second.exit_code, 0) << second.all();
  // Replayer found the node it had left (by its recorded pid) and killed it.
  int status = 0;
  ASSERT_EQ(waitpid(node, &status, WNOHANG), node) << "the orphaned node " << node << " runs on";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  ExpectAtTip(h);
  std::string all = first->Out() + first->Err() + second.all();
  // Plan "v2" reached once (Replayer's words; the node's own line may be cut off by the kill, see
  // SyncsFromGenesisToTheTipThroughEverySwitch).
  EXPECT_EQ(CountOf(all, "upgrade \"v2\" needed at height"), 1)
      << "v1.0.0 ran again past its plan";
  EXPECT_LE(CountOf(all, "UPGRADE \"v2\" NEEDED"), 1) << "v1.0.0 ran again past its plan";
  EXPECT_EQ(CountOf(all, "applying upgrade \"v3\""), 1);
  EXPECT_EQ(CountOf(second.all(), "starting demochaind v2.0.0"), 1)
      << "the v2 segment is resumed with its own binary";
}

}  // namespace
}  // namespace e2e
