// End to end: the real `replayer run` supervising script nodes through upgrades.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "tests/e2e/harness.h"

namespace e2e {
namespace {

NodeSpec Genesis(const std::string& plan, int64_t height) {
  NodeSpec s;
  s.version = "v1";
  s.upgrade_name = plan;
  s.upgrade_height = height;
  return s;
}

NodeSpec Final(const std::string& version) {
  NodeSpec s;
  s.version = version;
  return s;
}

TEST(Upgrade, OneUpgradeRestartsOnTheNewBinary) {
  TestHome h;
  h.InitGenesis(Genesis("v2", 5));
  h.PlaceUpgrade("v2", Final("v2"));
  auto r = h.Run({"run", "start", "--home", h.home()}, {{"STOP_AT", "8"}, {"UNSAFE_SKIP_BACKUP", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(h.Height(), 8);
  std::string log = h.NodeLog();
  EXPECT_EQ(CountOf(log, "v1 start start --home"), 1) << log;
  EXPECT_EQ(CountOf(log, "v2 pre-upgrade"), 1) << log;
  EXPECT_EQ(CountOf(log, "v2 start start --home " + h.home()), 1) << log;  // same arguments
  EXPECT_EQ(CountOf(log, "v1 height 5"), 0) << "the old binary must not commit the plan height";
  // The node's output passes through unchanged, stdout to stdout and stderr to stderr.
  EXPECT_NE(r.out.find("node v1 started with: start --home"), std::string::npos);
  EXPECT_NE(r.out.find("UPGRADE \"v2\" NEEDED at height: 5"), std::string::npos);
  EXPECT_NE(r.err.find("node v2 stderr line"), std::string::npos);
  EXPECT_EQ(r.out.find("node v2 stderr line"), std::string::npos);
  // The plan copy beside the binary says which upgrade `current` runs.
  EXPECT_NE(h.ReadFile("cosmovisor/upgrades/v2/upgrade-info.json").find("\"name\":\"v2\""),
            std::string::npos);
  auto status = h.Run({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("\"name\": \"v2\""), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("node-restarted"), std::string::npos) << status.out;
}

TEST(Upgrade, TwoChainedUpgrades) {
  TestHome h;
  h.InitGenesis(Genesis("v2", 4));
  NodeSpec v2 = Final("v2");
  v2.upgrade_name = "v3";
  v2.upgrade_height = 9;
  h.PlaceUpgrade("v2", v2);
  h.PlaceUpgrade("v3", Final("v3"));
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "12"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v3");
  EXPECT_EQ(h.Height(), 12);
  EXPECT_EQ(h.CountInLog("v2 start"), 1);
  EXPECT_EQ(h.CountInLog("v3 start"), 1);
  EXPECT_EQ(h.CountInLog("v2 height 9"), 0);
  // Backups are on by default: one snapshot per upgrade, named after upgrade and height.
  EXPECT_TRUE(h.Exists("data-backup-v2-4"));
  EXPECT_TRUE(h.Exists("data-backup-v3-9"));
  EXPECT_EQ(h.ReadFile("data-backup-v2-4/height"), "3\n");
}

// Two homes share DAEMON_DATA_BACKUP_DIR and reach the same upgrade at the same height: the
// second must snapshot its own data, not reuse the first home's snapshot as its backup.
TEST(Upgrade, SnapshotOfAnotherHomeIsNeverReused) {
  TestHome a;
  TestHome b;
  std::string shared = a.home() + "/../backups";
  std::filesystem::create_directories(shared);
  for (TestHome* h : {&a, &b}) {
    h->InitGenesis(Genesis("v2", 3));
    h->PlaceUpgrade("v2", Final("v2"));
  }
  {
    std::ofstream only_b(b.home() + "/data/only-in-b");
    only_b << "b";
  }
  std::map<std::string, std::string> env{{"STOP_AT", "4"}, {"DAEMON_DATA_BACKUP_DIR", shared}};
  auto ra = a.Run({"run", "start"}, env);
  ASSERT_EQ(ra.exit_code, 0) << ra.err;
  auto rb = b.Run({"run", "start"}, env);
  ASSERT_EQ(rb.exit_code, 0) << rb.err;
  EXPECT_FALSE(std::filesystem::exists(shared + "/data-backup-v2-3/only-in-b"));
  std::string own;
  for (const auto& e : std::filesystem::directory_iterator(shared)) {
    std::string n = e.path().filename().string();
    if (n.rfind("data-backup-v2-3-txn1-", 0) == 0) own = e.path().string();
  }
  ASSERT_FALSE(own.empty()) << rb.err;
  EXPECT_TRUE(std::filesystem::exists(own + "/only-in-b"));
  EXPECT_NE(rb.err.find("holds a snapshot of home " + a.home()), std::string::npos) << rb.err;
  auto status = b.Run({"status"});
  EXPECT_NE(status.out.find(own), std::string::npos) << status.out;
}

TEST(Upgrade, NamesAreLowerCasedForFolders) {
  TestHome h;
  h.InitGenesis(Genesis("MyUpgrade", 3));
  h.PlaceUpgrade("myupgrade", Final("v2"));
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "5"}, {"UNSAFE_SKIP_BACKUP", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/myupgrade");
}

TEST(Upgrade, RecaseDisabledKeepsTheExactName) {
  TestHome h;
  h.InitGenesis(Genesis("MyUpgrade", 3));
  h.PlaceUpgrade("MyUpgrade", Final("v2"));
  h.PlaceUpgrade("myupgrade", Final("wrong"));
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "5"},
                                    {"UNSAFE_SKIP_BACKUP", "true"},
                                    {"COSMOVISOR_DISABLE_RECASE", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/MyUpgrade");
  EXPECT_EQ(h.CountInLog("wrong start"), 0);
}

TEST(Upgrade, NodeThatExitsAtTheUpgradeHeight) {
  TestHome h;
  NodeSpec g = Genesis("v2", 4);
  g.on_upgrade = "exit";
  h.InitGenesis(g);
  h.PlaceUpgrade("v2", Final("v2"));
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "6"}, {"UNSAFE_SKIP_BACKUP", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(h.Height(), 6);
}

TEST(Upgrade, LogLineAloneTriggersAndWritesTheFile) {
  TestHome h;
  NodeSpec g = Genesis("v2", 4);
  g.on_upgrade = "log-only";
  h.InitGenesis(g);
  h.PlaceUpgrade("v2", Final("v2"));
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "6"}, {"UNSAFE_SKIP_BACKUP", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  std::string info = h.ReadFile("data/upgrade-info.json");
  EXPECT_NE(info.find("\"name\":\"v2\""), std::string::npos) << info;
  EXPECT_NE(info.find("\"height\":4"), std::string::npos) << info;
  EXPECT_NE(info.find("from v1"), std::string::npos) << info;
}

// The node logs its UPGRADE line but writes no upgrade-info.json, and Replayer cannot write it
// either (here a folder stands in its way, as a full or read-only disk would): Replayer must
// not wait silently for ever beside a node parked at its upgrade height. It says so loudly,
// retries, then stops the node and exits 1; nothing is switched.
TEST(Upgrade, UpgradeInfoThatCannotBeWrittenStopsTheNodeAndFails) {
  TestHome h;
  NodeSpec g = Genesis("v2", 4);
  g.on_upgrade = "log-only-blocked";  // and leaves a folder where the file goes
  h.InitGenesis(g);
  h.PlaceUpgrade("v2", Final("v2"));
  auto r = h.Run({"run", "start"}, {{"UNSAFE_SKIP_BACKUP", "true"}}, std::chrono::seconds(25));
  EXPECT_FALSE(r.timed_out) << "Replayer waited for ever:\n" << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("retrying"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("upgrade-info.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("stopping the node"), std::string::npos) << r.err;
  EXPECT_EQ(h.Current(), "genesis");
  EXPECT_EQ(h.CountInLog("v2 start"), 0);
  EXPECT_EQ(h.CountInLog("v1 height 4"), 0);
}

// SDK <= 0.44 nodes log the line and panic at once: no file, and no 2 s to wait for one.
TEST(Upgrade, LogLineThenImmediateExitStillUpgrades) {
  TestHome h;
  NodeSpec g = Genesis("v2", 4);
  g.on_upgrade = "log-only-exit";
  h.InitGenesis(g);
  h.PlaceUpgrade("v2", Final("v2"));
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "6"}, {"UNSAFE_SKIP_BACKUP", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(h.Height(), 6);
  EXPECT_EQ(h.CountInLog("v1 start"), 1);
  std::string info = h.ReadFile("data/upgrade-info.json");
  EXPECT_NE(info.find("\"name\":\"v2\""), std::string::npos) << info;
  EXPECT_NE(info.find("\"height\":4"), std::string::npos) << info;
}

TEST(Upgrade, HalfWrittenFileIsReadAgainUntilComplete) {
  TestHome h;
  NodeSpec g = Genesis("v2", 4);
  g.on_upgrade = "half-written";
  h.InitGenesis(g);
  h.PlaceUpgrade("v2", Final("v2"));
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "6"}, {"UNSAFE_SKIP_BACKUP", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(h.Height(), 6);
}

class Malformed : public ::testing::TestWithParam<const char*> {};

TEST_P(Malformed, IsReportedAndNeverFatal) {
  TestHome h;
  NodeSpec g = Genesis("v2", 4);
  g.on_upgrade = "malformed";
  g.malformed = GetParam();
  h.InitGenesis(g);
  h.PlaceUpgrade("v2", Final("v2"));
  // The node keeps producing blocks after writing the bad file and exits normally at 10.
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "10"}, {"UNSAFE_SKIP_BACKUP", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "genesis");
  EXPECT_EQ(h.Height(), 10);
  if (std::string(GetParam()).find('{') != std::string::npos &&
      std::string(GetParam()) != "{\"name\":\"v2\",\"hei") {
    EXPECT_NE(r.err.find("upgrade-info.json"), std::string::npos) << r.err;
  }
}

INSTANTIATE_TEST_SUITE_P(Files, Malformed,
                         ::testing::Values("", "{}", "{\"name\":\"v2\"}", "{\"height\":4}",
                                           "{\"name\":4,\"height\":\"x\"}",
                                           "{\"name\":\"v2\",\"hei"));

TEST(Upgrade, MissingBinaryIsAClearErrorAndResumesOnceInPlace) {
  TestHome h;
  h.InitGenesis(Genesis("v2", 4));
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "6"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cosmovisor/upgrades/v2/bin/simd"), std::string::npos) << r.err;
  EXPECT_EQ(h.Current(), "genesis");
  EXPECT_EQ(h.Height(), 3);
  // Run again: the old binary is not started again; the switch completes once the binary is there.
  auto again = h.Run({"run", "start"}, {{"STOP_AT", "6"}});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(h.CountInLog("v1 start"), 1);
  h.PlaceUpgrade("v2", Final("v2"));
  auto done = h.Run({"run", "start"}, {{"STOP_AT", "6"}});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(h.CountInLog("v1 start"), 1);
  EXPECT_EQ(h.Height(), 6);
}

TEST(Upgrade, NonExecutableBinaryIsAClearError) {
  TestHome h;
  h.InitGenesis(Genesis("v2", 4));
  h.PlaceUpgrade("v2", Final("v2"), 0644);
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "6"}, {"UNSAFE_SKIP_BACKUP", "true"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not executable"), std::string::npos) << r.err;
  EXPECT_EQ(h.Current(), "genesis");
}

// Placed by hand for another architecture: the binary-ready step refuses it, and `current`
// never moves to a binary that cannot run.
TEST(Upgrade, BinaryForAnotherArchitectureFailsBeforeTheSwitch) {
  TestHome h;
  h.InitGenesis(Genesis("v2", 3));
  WriteForeignElf(h.home() + "/cosmovisor/upgrades/v2/bin/simd");
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "5"}, {"UNSAFE_SKIP_BACKUP", "true"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ELF executable for linux/"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("binary-ready"), std::string::npos) << r.err;
  EXPECT_EQ(h.Current(), "genesis");
}

TEST(Upgrade, MissingCurrentNeverFallsBackToGenesis) {
  TestHome h;
  h.InitGenesis(Genesis("v2", 3));
  h.PlaceUpgrade("v2", Final("v2"));
  ASSERT_EQ(h.Run({"run", "start"}, {{"STOP_AT", "4"}, {"UNSAFE_SKIP_BACKUP", "true"}}).exit_code, 0);
  std::filesystem::remove(h.home() + "/cosmovisor/current");
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "6"}});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("refusing to guess"), std::string::npos) << r.err;
  EXPECT_EQ(h.Current(), "");
  EXPECT_EQ(h.Height(), 4);
}

// Cosmovisor's first run, as its docs and the compose-network seed set a node up: binaries placed
// by hand, no `current`. A home with no sign of an applied upgrade starts at genesis.
TEST(Upgrade, FirstRunWithoutCurrentStartsAtGenesis) {
  TestHome h;
  h.WriteNode(h.home() + "/cosmovisor/genesis/bin/simd", Genesis("v2", 3));
  h.PlaceUpgrade("v2", Final("v2"));
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "5"}, {"UNSAFE_SKIP_BACKUP", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("missing on a fresh home"), std::string::npos) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(h.CountInLog("v1 start"), 1);
  EXPECT_EQ(h.CountInLog("v2 start"), 1);
  EXPECT_EQ(h.Height(), 5);
}

// The copy of the plan Cosmovisor writes beside a binary when it switches: this home upgraded
// under Cosmovisor, so genesis may not run its data, even with no journal of ours.
TEST(Upgrade, MissingCurrentOnACosmovisorUpgradedHomeIsRefused) {
  TestHome h;
  h.WriteNode(h.home() + "/cosmovisor/genesis/bin/simd", Genesis("v2", 3));
  h.PlaceUpgrade("v2", Final("v2"));
  {
    std::ofstream copy(h.home() + "/cosmovisor/upgrades/v2/upgrade-info.json");
    copy << R"({"name":"v2","height":3})";
  }
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "5"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("refusing to guess"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("upgrades/v2/upgrade-info.json exists"), std::string::npos) << r.err;
  EXPECT_EQ(h.Current(), "");
  EXPECT_FALSE(h.Exists("node.log"));
}

// The node wrote data/upgrade-info.json: it reached a plan's height, perhaps past it.
TEST(Upgrade, MissingCurrentAfterTheNodeReachedAPlanIsRefused) {
  TestHome h;
  h.WriteNode(h.home() + "/cosmovisor/genesis/bin/simd", Genesis("v2", 3));
  h.PlaceUpgrade("v2", Final("v2"));
  std::filesystem::create_directories(h.home() + "/data");
  {
    std::ofstream info(h.home() + "/data/upgrade-info.json");
    info << R"({"name":"v2","height":3})";
  }
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "5"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("data/upgrade-info.json exists"), std::string::npos) << r.err;
  EXPECT_EQ(h.Current(), "");
}

}  // namespace
}  // namespace e2e
