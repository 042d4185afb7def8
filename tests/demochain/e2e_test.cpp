// End-to-end tests of demochain with real processes: make-history produces a 400-block chain
// with three switches (gov "v2" at 100, v2.1.0 halt-height switch at 200, gov "v3" at 300); an
// archive node serves it; fresh nodes sync from it with binaries switched by hand, as a
// supervisor would. Every wait is bounded.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "demochain/node/http_client.h"
#include "tests/demochain/process_util.h"
#include "tests/testing/temp_dir.h"

namespace demochain_test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr int kTimeoutMs = 30000;

std::string Bin(const std::string& version) {
  return std::string(DEMOCHAIN_BIN_DIR) + "/demochaind-" + version;
}

class DemochainE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(MakeHistory(dir_ / "history"), 0) << ReadAll(dir_ / "make-history.log");
    summary_ = json::parse(ReadAll(dir_ / "history/summary.json"));
    ASSERT_TRUE(peer_.Start({Bin("v3.0.0"), "start", "--home", dir_ / "history/home",
                             "--rpc-listen", "127.0.0.1:0", "--rpc-port-file", dir_ / "peer.port"},
                            dir_ / "peer.log"));
    ASSERT_TRUE(WaitForFile(dir_ / "peer.port", kTimeoutMs)) << ReadAll(dir_ / "peer.log");
    peer_url_ = "http://127.0.0.1:" + std::to_string(std::stoi(ReadAll(dir_ / "peer.port")));
  }

  int MakeHistory(const std::string& out) {
    return RunToExit({DEMOCHAIN_MAKE_HISTORY, "--bin-dir", DEMOCHAIN_BIN_DIR, "--out", out,
                      "--blocks", "400", "--seed", "7", "--binary-port", "18090"},
                     dir_ / "make-history.log", 60000);
  }

  // A fresh node home with the history's genesis.
  std::string FreshHome(const std::string& name) {
    std::string home = dir_ / name;
    fs::create_directories(home + "/config");
    fs::copy_file(dir_ / "history/home/config/genesis.json", home + "/config/genesis.json");
    return home;
  }

  // Runs one binary against the peer until it exits; returns its exit code.
  int SyncRun(const std::string& version, const std::string& home,
              std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {Bin(version), "start",   "--home",       home,
                                     "--peer",     peer_url_, "--rpc-listen", ""};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunToExit(argv, home + "/node.log", kTimeoutMs);
  }

  json OfflineStatus(const std::string& home) {
    std::string out = dir_ / "status.json";
    fs::remove(out);
    EXPECT_EQ(RunToExit({Bin("v3.0.0"), "status", "--home", home}, out, kTimeoutMs), 0);
    std::string text = ReadAll(out);
    return json::parse(text.substr(0, text.find('\n')))["sync_info"];
  }

  uint64_t Height(const std::string& home) {
    return std::stoull(OfflineStatus(home)["latest_block_height"].get<std::string>());
  }

  json HttpJson(const std::string& url) {
    demochain::HttpClient client(5000);
    demochain::HttpResult r = client.Get(url);
    EXPECT_TRUE(r.ok) << url << ": " << r.error;
    return r.ok ? json::parse(r.body) : json();
  }

  testing_util::TempDir dir_{"demochain-e2e"};
  json summary_;
  Process peer_;
  std::string peer_url_;
};

TEST_F(DemochainE2E, SummaryListsThreeSwitchesIncludingHaltHeightPatch) {
  ASSERT_EQ(summary_["switches"].size(), 3u);
  EXPECT_EQ(summary_["final_version"], "v3.0.0");
  EXPECT_EQ(summary_["segments"].size(), 4u);
  EXPECT_FALSE(summary_["binaries"].contains("v4.0.0"));
  EXPECT_EQ(summary_["switches"][0]["name"], "v2");
  EXPECT_EQ(summary_["switches"][0]["kind"], "gov");
  EXPECT_EQ(summary_["switches"][0]["height"], 100);
  EXPECT_EQ(summary_["switches"][1]["kind"], "halt-height");
  EXPECT_EQ(summary_["switches"][1]["version"], "v2.1.0");
  EXPECT_EQ(summary_["switches"][1]["height"], 200);
  EXPECT_EQ(summary_["switches"][2]["version"], "v3.0.0");
  std::string info = summary_["switches"][0]["info"];
  EXPECT_NE(info.find("http://127.0.0.1:18090/demochaind-v2.0.0?checksum=sha256:"),
            std::string::npos);
  // The archive is locked by the serving peer, so ask it over RPC.
  EXPECT_EQ(HttpJson(peer_url_ + "/status")["result"]["sync_info"]["latest_app_hash"],
            summary_["final_app_hash"]);
}

TEST_F(DemochainE2E, FreshNodeSyncsAcrossAllUpgradesWithHandSwitchedBinaries) {
  std::string home = FreshHome("fresh");
  EXPECT_EQ(SyncRun("v1.0.0", home, {"--exit-on-upgrade-needed"}), 2);
  EXPECT_EQ(Height(home), 99u);
  json info = json::parse(ReadAll(home + "/data/upgrade-info.json"));
  EXPECT_EQ(info["name"], "v2");
  EXPECT_EQ(info["height"], 100);
  EXPECT_EQ(info["time"], "0001-01-01T00:00:00Z");
  EXPECT_NE(ReadAll(home + "/node.log").find("UPGRADE \"v2\" NEEDED at height: 100: {\"binaries\""),
            std::string::npos);

  EXPECT_EQ(SyncRun("v2.0.0", home, {"--halt-height", "199"}), 0);
  EXPECT_EQ(Height(home), 199u);
  EXPECT_NE(ReadAll(home + "/node.log").find("applying upgrade \"v2\" at height: 100"),
            std::string::npos);
  EXPECT_EQ(SyncRun("v2.1.0", home, {"--exit-on-upgrade-needed"}), 2);
  EXPECT_EQ(Height(home), 299u);
  EXPECT_EQ(json::parse(ReadAll(home + "/data/upgrade-info.json"))["name"], "v3");
  EXPECT_EQ(SyncRun("v3.0.0", home, {"--halt-height", "400"}), 0);
  json st = OfflineStatus(home);
  EXPECT_EQ(st["latest_block_height"], "400");
  EXPECT_EQ(st["latest_app_hash"], summary_["final_app_hash"]);
  EXPECT_EQ(st["latest_block_hash"], summary_["final_block_hash"]);
}

TEST_F(DemochainE2E, WrongBinaryForRangeFailsWithAppHashMismatch) {
  std::string home = FreshHome("wrong");
  ASSERT_EQ(SyncRun("v1.0.0", home, {"--exit-on-upgrade-needed"}), 2);
  // v2.0.0 lacks the v2.1.0 fee-rounding fix that applies from height 200.
  EXPECT_EQ(SyncRun("v2.0.0", home), 1);
  std::string log = ReadAll(home + "/node.log");
  EXPECT_NE(log.find("app hash mismatch at height 201: expected "), std::string::npos) << log;
}

TEST_F(DemochainE2E, EarlyBinaryRefusesBeforeTrigger) {
  std::string home = FreshHome("early");
  // Proposal "v2" is submitted at 90 and passes at 95: from then on the plan is scheduled.
  ASSERT_EQ(SyncRun("v1.0.0", home, {"--halt-height", "96"}), 0);
  EXPECT_EQ(SyncRun("v2.0.0", home), 1);
  EXPECT_NE(ReadAll(home + "/node.log")
                .find("BINARY UPDATED BEFORE TRIGGER! UPGRADE \"v2\" - in binary but not executed "
                      "on chain. Downgrade your binary"),
            std::string::npos);
  EXPECT_EQ(Height(home), 96u);
}

TEST_F(DemochainE2E, OldBinaryAfterUpgradeReportsMissingHandler) {
  std::string home = FreshHome("downgrade");
  ASSERT_EQ(SyncRun("v1.0.0", home, {"--exit-on-upgrade-needed"}), 2);
  ASSERT_EQ(SyncRun("v2.0.0", home, {"--halt-height", "120"}), 0);
  EXPECT_EQ(SyncRun("v1.0.0", home), 1);
  EXPECT_NE(ReadAll(home + "/node.log").find("upgrade handler is missing for v2 upgrade plan"),
            std::string::npos);
}

TEST_F(DemochainE2E, HaltHeightStopsAtExactlyH) {
  std::string home = FreshHome("halt");
  EXPECT_EQ(SyncRun("v1.0.0", home, {"--halt-height", "37"}), 0);
  EXPECT_EQ(Height(home), 37u);
  EXPECT_EQ(SyncRun("v1.0.0", home, {"--halt-height", "37"}), 0);  // already there
  EXPECT_EQ(Height(home), 37u);
  EXPECT_EQ(SyncRun("v1.0.0", home, {"--halt-height", "38"}), 0);
  EXPECT_EQ(Height(home), 38u);
}

TEST_F(DemochainE2E, RestEndpointsServeSdkShapes) {
  json passed =
      HttpJson(peer_url_ + "/cosmos/gov/v1/proposals?proposal_status=PROPOSAL_STATUS_PASSED");
  ASSERT_EQ(passed["proposals"].size(), 2u);
  json msg = passed["proposals"][1]["messages"][0];
  EXPECT_EQ(msg["@type"], "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade");
  EXPECT_EQ(msg["plan"]["name"], "v3");
  EXPECT_EQ(msg["plan"]["height"], "300");
  EXPECT_EQ(HttpJson(peer_url_ + "/cosmos/upgrade/v1beta1/applied_plan/v2")["height"], "100");
  EXPECT_EQ(HttpJson(peer_url_ + "/cosmos/upgrade/v1beta1/applied_plan/v3")["height"], "300");
  EXPECT_EQ(HttpJson(peer_url_ + "/cosmos/upgrade/v1beta1/applied_plan/nope")["height"], "0");
  EXPECT_TRUE(HttpJson(peer_url_ + "/cosmos/upgrade/v1beta1/current_plan")["plan"].is_null());
  json status = HttpJson(peer_url_ + "/status");
  EXPECT_EQ(status["result"]["sync_info"]["latest_block_height"], "400");
  json block = HttpJson(peer_url_ + "/block?height=100");
  EXPECT_EQ(block["result"]["block"]["header"]["height"], "100");
}

TEST_F(DemochainE2E, NodeAtUpgradeKeepsServingUntilSignalled) {
  std::string home = FreshHome("serving");
  Process node;
  ASSERT_TRUE(node.Start({Bin("v1.0.0"), "start", "--home", home, "--peer", peer_url_,
                          "--rpc-listen", "127.0.0.1:0", "--rpc-port-file", home + "/port"},
                         home + "/node.log"));
  ASSERT_TRUE(WaitForFile(home + "/data/upgrade-info.json", kTimeoutMs));
  ASSERT_TRUE(WaitForFile(home + "/port", kTimeoutMs));
  std::string url = "http://127.0.0.1:" + std::to_string(std::stoi(ReadAll(home + "/port")));
  json st;
  for (int i = 0; i < 200; ++i) {  // the file is written just before the log line
    st = HttpJson(url + "/status");
    if (st["result"]["sync_info"]["upgrade_pending"] == true) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(st["result"]["sync_info"]["latest_block_height"], "99");
  EXPECT_EQ(node.Wait(300), -1);  // still running
  node.Signal(SIGTERM);
  EXPECT_EQ(node.Wait(kTimeoutMs), 0);
}

TEST_F(DemochainE2E, KilledNodeResumesFromLastCommittedBlock) {
  std::string home = FreshHome("killed");
  Process node;
  ASSERT_TRUE(node.Start(
      {Bin("v1.0.0"), "start", "--home", home, "--produce", "--seed", "7", "--block-interval", "5",
       "--rpc-listen", "127.0.0.1:0", "--rpc-port-file", home + "/port"},
      home + "/node.log"));
  ASSERT_TRUE(WaitForFile(home + "/port", kTimeoutMs));
  std::string url = "http://127.0.0.1:" + std::to_string(std::stoi(ReadAll(home + "/port")));
  for (int i = 0; i < 1000; ++i) {  // until a few blocks are committed (bounded: 10 s)
    json st = HttpJson(url + "/status");
    if (std::stoi(st["result"]["sync_info"]["latest_block_height"].get<std::string>()) >= 5) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  node.Signal(SIGKILL);
  ASSERT_EQ(node.Wait(kTimeoutMs), 128 + SIGKILL);
  uint64_t h = Height(home);
  ASSERT_GT(h, 0u);
  // Resume past wherever the kill caught it (80, or further on a machine slow enough that the
  // producer got far before the kill) and compare with a straight run of the same producer.
  const std::string target = std::to_string(std::max<uint64_t>(80, h + 20));
  EXPECT_EQ(RunToExit({Bin("v1.0.0"), "start", "--home", home, "--produce", "--seed", "7",
                       "--halt-height", target, "--rpc-listen", ""},
                      home + "/node.log", kTimeoutMs),
            0);
  std::string straight = FreshHome("straight");
  EXPECT_EQ(RunToExit({Bin("v1.0.0"), "start", "--home", straight, "--produce", "--seed", "7",
                       "--halt-height", target, "--rpc-listen", ""},
                      straight + "/node.log", kTimeoutMs),
            0);
  EXPECT_EQ(OfflineStatus(home)["latest_block_hash"], OfflineStatus(straight)["latest_block_hash"]);
  // And the producer's blocks 1..80 are the history's (same seed, no gov txs before 90).
  std::string to80 = FreshHome("to80");
  EXPECT_EQ(RunToExit({Bin("v1.0.0"), "start", "--home", to80, "--produce", "--seed", "7",
                       "--halt-height", "80", "--rpc-listen", ""},
                      to80 + "/node.log", kTimeoutMs),
            0);
  EXPECT_EQ(SyncRun("v1.0.0", to80, {"--halt-height", "85"}), 0);
  // SIGTERM is a clean stop.
  std::filesystem::remove(home + "/port");
  ASSERT_TRUE(node.Start(
      {Bin("v1.0.0"), "start", "--home", home, "--produce", "--seed", "7", "--block-interval", "5",
       "--rpc-listen", "127.0.0.1:0", "--rpc-port-file", home + "/port"},
      home + "/node.log"));
  ASSERT_TRUE(WaitForFile(home + "/port", kTimeoutMs));  // signal handling is set up by then
  node.Signal(SIGTERM);
  EXPECT_EQ(node.Wait(kTimeoutMs), 0);
}

TEST_F(DemochainE2E, SameArgumentsGiveIdenticalHistory) {
  ASSERT_EQ(MakeHistory(dir_ / "again"), 0) << ReadAll(dir_ / "make-history.log");
  json again = json::parse(ReadAll(dir_ / "again/summary.json"));
  EXPECT_EQ(again["final_app_hash"], summary_["final_app_hash"]);
  EXPECT_EQ(again["final_block_hash"], summary_["final_block_hash"]);
}

// make-history --v4-height: a fourth switch, governance plan "v4" (v3.0.0 -> v4.0.0, staking
// 1 -> 2). Synced by hand the way a plain supervisor without plan detection would: every
// segment with --halt-height <next switch - 1>, so each gov-plan binary starts right after the
// old one halted at plan height - 1 and must apply its handler at the plan height.
TEST(DemochainFourSwitches, V4GovUpgradeThroughHaltHeightsMatchesTheArchive) {
  testing_util::TempDir dir("demochain-v4");
  ASSERT_EQ(RunToExit({DEMOCHAIN_MAKE_HISTORY, "--bin-dir", DEMOCHAIN_BIN_DIR, "--out",
                       dir / "history", "--blocks", "400", "--seed", "7", "--binary-port", "18090",
                       "--v2-height", "80", "--fix-height", "160", "--v3-height", "240",
                       "--v4-height", "320"},
                      dir / "make-history.log", 60000),
            0)
      << ReadAll(dir / "make-history.log");
  json s = json::parse(ReadAll(dir / "history/summary.json"));
  ASSERT_EQ(s["switches"].size(), 4u);
  EXPECT_EQ(s["final_version"], "v4.0.0");
  const json& v4 = s["switches"][3];
  EXPECT_EQ(v4["name"], "v4");
  EXPECT_EQ(v4["kind"], "gov");
  EXPECT_EQ(v4["height"], 320);
  EXPECT_EQ(v4["version"], "v4.0.0");
  EXPECT_EQ(v4["previous_version"], "v3.0.0");
  EXPECT_EQ(v4["last_height_of_previous"], 319);
  EXPECT_EQ(v4["proposal_id"], 3);
  EXPECT_NE(v4["info"].get<std::string>().find("/demochaind-v4.0.0?checksum=sha256:"),
            std::string::npos);
  ASSERT_EQ(s["segments"].size(), 5u);
  EXPECT_EQ(s["segments"][3]["last_height"], 319);
  EXPECT_EQ(s["segments"][4]["first_height"], 320);
  EXPECT_EQ(s["segments"][4]["last_height"], 400);
  EXPECT_TRUE(s["binaries"].contains("v4.0.0"));

  Process peer;
  ASSERT_TRUE(peer.Start({Bin("v4.0.0"), "start", "--home", dir / "history/home", "--rpc-listen",
                          "127.0.0.1:0", "--rpc-port-file", dir / "peer.port"},
                         dir / "peer.log"));
  ASSERT_TRUE(WaitForFile(dir / "peer.port", kTimeoutMs)) << ReadAll(dir / "peer.log");
  std::string peer_url = "http://127.0.0.1:" + std::to_string(std::stoi(ReadAll(dir / "peer.port")));
  std::string home = dir / "fresh";
  fs::create_directories(home + "/config");
  fs::copy_file(dir / "history/home/config/genesis.json", home + "/config/genesis.json");
  auto run = [&](const std::string& v, std::vector<std::string> extra) {
    std::vector<std::string> argv = {Bin(v), "start", "--home", home, "--peer", peer_url,
                                     "--rpc-listen", ""};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunToExit(argv, home + "/node-" + v + ".log", kTimeoutMs);
  };
  auto status = [&] {
    std::string out = dir / "status.json";
    fs::remove(out);
    EXPECT_EQ(RunToExit({Bin("v4.0.0"), "status", "--home", home}, out, kTimeoutMs), 0);
    std::string text = ReadAll(out);
    return json::parse(text.substr(0, text.find('\n')))["sync_info"];
  };
  EXPECT_EQ(run("v1.0.0", {"--halt-height", "79"}), 0);
  EXPECT_EQ(run("v2.0.0", {"--halt-height", "159"}), 0);
  EXPECT_NE(ReadAll(home + "/node-v2.0.0.log").find("applying upgrade \"v2\" at height: 80"),
            std::string::npos);
  EXPECT_EQ(run("v2.1.0", {"--halt-height", "239"}), 0);
  // v3.0.0 without a halt height stops itself at the plan, as x/upgrade does.
  EXPECT_EQ(run("v3.0.0", {"--exit-on-upgrade-needed"}), 2);
  EXPECT_EQ(status()["latest_block_height"], "319");
  EXPECT_EQ(json::parse(ReadAll(home + "/data/upgrade-info.json"))["name"], "v4");
  std::string v3log = ReadAll(home + "/node-v3.0.0.log");
  EXPECT_NE(v3log.find("UPGRADE \"v4\" NEEDED at height: 320: {\"binaries\""), std::string::npos);
  // One committed-block line per block: v3.0.0 executed 240..319.
  size_t lines = 0;
  for (size_t p = v3log.find(" INF committed block height="); p != std::string::npos;
       p = v3log.find(" INF committed block height=", p + 1))
    ++lines;
  EXPECT_EQ(lines, 80u);
  EXPECT_NE(v3log.find("committed block height=319\n"), std::string::npos);

  EXPECT_EQ(run("v4.0.0", {"--halt-height", "399"}), 0);
  std::string v4log = ReadAll(home + "/node-v4.0.0.log");
  EXPECT_NE(v4log.find("applying upgrade \"v4\" at height: 320"), std::string::npos);
  EXPECT_NE(v4log.find("migrations for upgrade \"v4\" done: staking 1->2"), std::string::npos);
  // v3.0.0 after "v4" ran: the SDK's downgrade check, at the next block.
  EXPECT_EQ(run("v3.0.0", {}), 1);
  EXPECT_NE(ReadAll(home + "/node-v3.0.0.log").find("upgrade handler is missing for v4 upgrade plan"),
            std::string::npos);
  EXPECT_EQ(run("v4.0.0", {"--halt-height", "400"}), 0);
  json st = status();
  EXPECT_EQ(st["latest_block_height"], "400");
  EXPECT_EQ(st["latest_app_hash"], s["final_app_hash"]);
  EXPECT_EQ(st["latest_block_hash"], s["final_block_hash"]);
}

TEST(DemochainBinaries, VersionPreUpgradeAndFlagsDifferPerRelease) {
  testing_util::TempDir dir("demochain-bin");
  for (std::string v : {"v1.0.0", "v2.0.0", "v2.1.0", "v3.0.0", "v4.0.0"}) {
    std::string out = dir / ("version-" + v);
    ASSERT_EQ(RunToExit({Bin(v), "version"}, out, kTimeoutMs), 0);
    EXPECT_EQ(ReadAll(out), v + "\n");
    ASSERT_EQ(
        RunToExit({Bin(v), "version", "--long", "--output", "json"}, out + ".json", kTimeoutMs), 0);
    json facts = json::parse(ReadAll(out + ".json"));
    EXPECT_EQ(facts["version"], v);
    EXPECT_FALSE(facts["commit"].get<std::string>().empty());
  }
  std::string home = dir / "home";
  ASSERT_EQ(RunToExit({Bin("v1.0.0"), "init", "--home", home}, dir / "init.log", kTimeoutMs), 0);
  EXPECT_EQ(RunToExit({Bin("v1.0.0"), "pre-upgrade", "--home", home}, dir / "pre.log", kTimeoutMs),
            1);  // not implemented
  EXPECT_EQ(RunToExit({Bin("v3.0.0"), "pre-upgrade", "--home", home}, dir / "pre.log", kTimeoutMs),
            0);
  EXPECT_EQ(ReadAll(home + "/data/pre-upgrade.log"), "v3.0.0 pre-upgrade ok\n");
  // x/crisis' flag exists up to v2.x and is unknown to v3.0.0.
  EXPECT_EQ(RunToExit({Bin("v2.1.0"), "start", "--home", home, "--x-crisis-skip-assert-invariants",
                       "--produce", "--halt-height", "1", "--rpc-listen", ""},
                      dir / "crisis.log", kTimeoutMs),
            0);
  EXPECT_NE(RunToExit({Bin("v3.0.0"), "start", "--home", home, "--x-crisis-skip-assert-invariants",
                       "--produce", "--halt-height", "1", "--rpc-listen", ""},
                      dir / "crisis.log", kTimeoutMs),
            0);
}

}  // namespace
}  // namespace demochain_test
