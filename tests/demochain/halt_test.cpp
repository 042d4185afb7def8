// `demochaind start --halt-height H --halt-behavior sdk47|sdk50` with real processes. sdk47 (the
// default, SDK <= 0.47) commits H and exits 0 by itself; sdk50 (SDK 0.50+, PR #16639) refuses
// block H before executing it (last committed H-1), logs CometBFT's `CONSENSUS FAILURE!!!` with
// `halt per configuration height H time 0`, and stays alive, serving RPC, until it is signalled.
// An archive of 60 blocks is produced by v1.0.0 for each test (milliseconds) and served as a
// peer; every wait is bounded.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "demochain/node/http_client.h"
#include "tests/demochain/process_util.h"
#include "tests/testing/temp_dir.h"

namespace demochain_test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr int kTimeoutMs = 30000;
constexpr uint64_t kArchiveHeight = 60;

std::string Bin(const std::string& version) {
  return std::string(DEMOCHAIN_BIN_DIR) + "/demochaind-" + version;
}

// Waits (bounded) until the file holds `needle`.
bool WaitForLog(const std::string& path, const std::string& needle, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ReadAll(path).find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// The log without what differs between two runs: the time stamps, the home and the memory use.
std::string Normalised(const std::string& log, const std::string& home) {
  std::istringstream in(log);
  std::string line, out;
  while (std::getline(in, line)) {
    line = line.substr(line.find(' ') + 1);  // "<UTC time> <LEVEL> <message>"
    for (size_t at; (at = line.find(home)) != std::string::npos;)
      line.replace(at, home.size(), "HOME");
    if (size_t rss = line.find(" max_rss_kb="); rss != std::string::npos) line.resize(rss);
    out += line + "\n";
  }
  return out;
}

class DemochainSyncHalt : public ::testing::Test {
 protected:
  void SetUp() override {
    archive_ = dir_ / "archive";
    ASSERT_EQ(RunToExit({Bin("v1.0.0"), "init", "--home", archive_}, dir_ / "init.log", kTimeoutMs),
              0)
        << ReadAll(dir_ / "init.log");
    // The default (sdk47) producer commits the halt height and exits 0 by itself.
    ASSERT_EQ(RunToExit({Bin("v1.0.0"), "start", "--home", archive_, "--produce", "--halt-height",
                         std::to_string(kArchiveHeight), "--rpc-listen", ""},
                        archive_ + "/produce.log", kTimeoutMs),
              0)
        << ReadAll(archive_ + "/produce.log");
    archive_app_hash_ = OfflineStatus(archive_)["latest_app_hash"];
    ASSERT_TRUE(peer_.Start({Bin("v1.0.0"), "start", "--home", archive_, "--rpc-listen",
                             "127.0.0.1:0", "--rpc-port-file", dir_ / "peer.port"},
                            dir_ / "peer.log"));
    ASSERT_TRUE(WaitForFile(dir_ / "peer.port", kTimeoutMs)) << ReadAll(dir_ / "peer.log");
    peer_url_ = "http://127.0.0.1:" + std::to_string(std::stoi(ReadAll(dir_ / "peer.port")));
  }

  std::string FreshHome(const std::string& name) {
    std::string home = dir_ / name;
    fs::create_directories(home + "/config");
    fs::copy_file(archive_ + "/config/genesis.json", home + "/config/genesis.json");
    return home;
  }

  // `start --peer` with RPC on a free port (written to <home>/port) and the log in <home>/node.log.
  bool StartSyncing(Process& node, const std::string& home, std::vector<std::string> extra) {
    fs::remove(home + "/port");
    std::vector<std::string> argv = {
        Bin("v1.0.0"),  "start",       "--home",          home,          "--peer", peer_url_,
        "--rpc-listen", "127.0.0.1:0", "--rpc-port-file", home + "/port"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return node.Start(argv, home + "/node.log");
  }

  json OfflineStatus(const std::string& home) {
    std::string out = dir_ / "status.json";
    fs::remove(out);
    EXPECT_EQ(RunToExit({Bin("v1.0.0"), "status", "--home", home}, out, kTimeoutMs), 0)
        << ReadAll(out);
    std::string text = ReadAll(out);
    try {
      return json::parse(text.substr(0, text.find('\n')))["sync_info"];
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what() << ": " << text;
      return json::object();
    }
  }

  uint64_t Height(const std::string& home) {
    json st = OfflineStatus(home);
    return st.contains("latest_block_height")
               ? std::stoull(st["latest_block_height"].get<std::string>())
               : 0;
  }

  // The running node's height over RPC.
  std::string RpcHeight(const std::string& home) {
    if (!WaitForFile(home + "/port", kTimeoutMs)) return "no port file";
    demochain::HttpClient client(5000);
    auto r = client.Get("http://127.0.0.1:" + std::to_string(std::stoi(ReadAll(home + "/port"))) +
                        "/status");
    if (!r.ok) return "RPC failed: " + r.error;
    return json::parse(r.body)["result"]["sync_info"]["latest_block_height"];
  }

  testing_util::TempDir dir_{"demochain-halt"};
  std::string archive_;
  std::string archive_app_hash_;
  Process peer_;
  std::string peer_url_;
};

const std::string kHalt40 = "CONSENSUS FAILURE!!! err=\"halt per configuration height 40 time 0\"";

TEST_F(DemochainSyncHalt, Sdk50RefusesTheHaltHeightAndStaysUpUntilKilled) {
  std::string home = FreshHome("sdk50");
  std::string log = home + "/node.log";
  {
    Process node;
    // One fetch batch holds blocks 1..40: block 40 is fetched but must not be committed.
    ASSERT_TRUE(StartSyncing(node, home, {"--halt-height", "40", "--halt-behavior", "sdk50"}));
    ASSERT_TRUE(WaitForLog(log, "halt per configuration height 40", kTimeoutMs)) << ReadAll(log);
    EXPECT_EQ(node.Wait(300), -1) << "an sdk50 node must not exit by itself\n" << ReadAll(log);
    EXPECT_EQ(RpcHeight(home), "39") << "the halted node keeps serving RPC";
    EXPECT_EQ(node.Wait(0), -1);
    node.Signal(SIGKILL);  // as a supervisor without DAEMON_SHUTDOWN_GRACE does
    EXPECT_EQ(node.Wait(kTimeoutMs), 128 + SIGKILL);
  }
  std::string text = ReadAll(log);
  EXPECT_EQ(Count(text, kHalt40 + " height=40"), 1u) << text;
  EXPECT_NE(text.find(" ERR " + kHalt40), std::string::npos) << text;
  EXPECT_NE(text.find("committed block height=39\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("committed block height=40"), std::string::npos) << text;
  EXPECT_EQ(text.find("halting node per configuration"), std::string::npos) << text;
  EXPECT_EQ(Height(home), 39u);

  // Started again with the same flags: block 40 arrives again and is refused again; SIGTERM
  // ends it with 0.
  fs::remove(log);
  {
    Process node;
    ASSERT_TRUE(StartSyncing(node, home, {"--halt-height", "40", "--halt-behavior", "sdk50"}));
    ASSERT_TRUE(WaitForLog(log, kHalt40 + " height=40", kTimeoutMs)) << ReadAll(log);
    EXPECT_EQ(node.Wait(300), -1) << ReadAll(log);
    node.Signal(SIGTERM);
    EXPECT_EQ(node.Wait(kTimeoutMs), 0) << ReadAll(log);
  }
  EXPECT_NE(ReadAll(log).find("stopped at height 39 exit=0"), std::string::npos) << ReadAll(log);
  EXPECT_EQ(Height(home), 39u);

  // Nothing past 39 was half-done: the default binary continues to the archive's app hash.
  ASSERT_EQ(RunToExit({Bin("v1.0.0"), "start", "--home", home, "--peer", peer_url_, "--rpc-listen",
                       "", "--halt-height", std::to_string(kArchiveHeight)},
                      home + "/rest.log", kTimeoutMs),
            0)
      << ReadAll(home + "/rest.log");
  json st = OfflineStatus(home);
  EXPECT_EQ(st["latest_block_height"], std::to_string(kArchiveHeight));
  EXPECT_EQ(st["latest_app_hash"], archive_app_hash_);
}

TEST_F(DemochainSyncHalt, Sdk50ProducerNeverProducesTheHaltHeightNorAnythingPastIt) {
  std::string home = dir_ / "producer";
  ASSERT_EQ(RunToExit({Bin("v1.0.0"), "init", "--home", home}, dir_ / "init2.log", kTimeoutMs), 0);
  std::string log = home + "/node.log";
  {
    Process node;
    ASSERT_TRUE(node.Start({Bin("v1.0.0"), "start", "--home", home, "--produce", "--rpc-listen", "",
                            "--halt-height", "25", "--halt-behavior", "sdk50"},
                           log));
    ASSERT_TRUE(WaitForLog(log, "halt per configuration height 25 time 0", kTimeoutMs))
        << ReadAll(log);
    EXPECT_EQ(node.Wait(300), -1) << ReadAll(log);
    node.Signal(SIGINT);
    EXPECT_EQ(node.Wait(kTimeoutMs), 0) << ReadAll(log);
  }
  EXPECT_EQ(Height(home), 24u);
  // Already past a lower halt height: the next block is refused at once; nothing executes.
  fs::remove(log);
  {
    Process node;
    ASSERT_TRUE(node.Start({Bin("v1.0.0"), "start", "--home", home, "--produce", "--rpc-listen", "",
                            "--halt-height", "10", "--halt-behavior", "sdk50"},
                           log));
    ASSERT_TRUE(WaitForLog(log,
                           "CONSENSUS FAILURE!!! err=\"halt per configuration height 10 "
                           "time 0\" height=25",
                           kTimeoutMs))
        << ReadAll(log);
    EXPECT_EQ(node.Wait(300), -1) << ReadAll(log);
    node.Signal(SIGTERM);
    EXPECT_EQ(node.Wait(kTimeoutMs), 0) << ReadAll(log);
  }
  EXPECT_EQ(ReadAll(log).find("committed block"), std::string::npos) << ReadAll(log);
  EXPECT_EQ(Height(home), 24u);
}

TEST_F(DemochainSyncHalt, Sdk47IsTheDefaultAndCommitsTheHaltHeightThenExits) {
  // Explicit sdk47 and no flag at all: the same exit, heights, app hash and log lines.
  std::string by_default = FreshHome("default"), explicit_47 = FreshHome("sdk47");
  ASSERT_EQ(RunToExit({Bin("v1.0.0"), "start", "--home", by_default, "--peer", peer_url_,
                       "--rpc-listen", "", "--halt-height", "40"},
                      by_default + "/node.log", kTimeoutMs),
            0);
  ASSERT_EQ(RunToExit({Bin("v1.0.0"), "start", "--home", explicit_47, "--peer", peer_url_,
                       "--rpc-listen", "", "--halt-height", "40", "--halt-behavior", "sdk47"},
                      explicit_47 + "/node.log", kTimeoutMs),
            0);
  std::string text = ReadAll(by_default + "/node.log");
  EXPECT_NE(text.find("committed block height=40\n"), std::string::npos) << text;
  EXPECT_NE(text.find("INF halting node per configuration height=40 halt-height=40"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("CONSENSUS FAILURE"), std::string::npos) << text;
  EXPECT_EQ(Normalised(text, by_default),
            Normalised(ReadAll(explicit_47 + "/node.log"), explicit_47));
  EXPECT_EQ(Height(by_default), 40u);
  EXPECT_EQ(OfflineStatus(by_default)["latest_app_hash"],
            OfflineStatus(explicit_47)["latest_app_hash"]);
  // At the halt height already: exits 0 at once, executing nothing.
  ASSERT_EQ(RunToExit({Bin("v1.0.0"), "start", "--home", explicit_47, "--peer", peer_url_,
                       "--rpc-listen", "", "--halt-height", "40", "--halt-behavior", "sdk47"},
                      explicit_47 + "/again.log", kTimeoutMs),
            0);
  EXPECT_EQ(ReadAll(explicit_47 + "/again.log").find("committed block"), std::string::npos);
  EXPECT_EQ(Height(explicit_47), 40u);
}

TEST(DemochainSyncHaltFlags, HelpDocumentsTheBehavioursAndUnknownOnesAreRefused) {
  testing_util::TempDir dir("demochain-halt-flags");
  std::string help = dir / "help.txt";
  ASSERT_EQ(RunToExit({Bin("v2.0.0"), "start", "--help"}, help, kTimeoutMs), 0);
  std::string text = ReadAll(help);
  EXPECT_NE(text.find("--halt-behavior"), std::string::npos) << text;
  EXPECT_NE(text.find("sdk50"), std::string::npos) << text;
  EXPECT_NE(text.find("halt per configuration height H time 0"), std::string::npos) << text;
  std::string bad = dir / "bad.txt";
  EXPECT_NE(RunToExit({Bin("v2.0.0"), "start", "--home", dir / "home", "--halt-height", "5",
                       "--halt-behavior", "sdk48"},
                      bad, kTimeoutMs),
            0);
  EXPECT_NE(ReadAll(bad).find("sdk48"), std::string::npos) << ReadAll(bad);
  EXPECT_FALSE(fs::exists(dir / "home/data")) << "a refused flag must not open the home";
}

}  // namespace
}  // namespace demochain_test
