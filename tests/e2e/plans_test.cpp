// End to end: `replayer plans import|check|explain` through the real binary, without any node
// configuration (no DAEMON_HOME, no DAEMON_NAME), on the real chain-registry files in
// shared/data/chain-registry/ and on small operator schedules: exit codes, --json, holes,
// chain ids, priorities and whole entries kept under --allow-conflicts.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/e2e/harness.h"

namespace e2e {
namespace {

namespace fs = std::filesystem;

const std::string kData = std::string(REPLAYER_SHARED_DIR) + "/data/chain-registry/";

class Plans : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::is_directory(kData)) << kData << " is missing (shared/ beside the repo)";
    h_.env().erase("DAEMON_HOME");
    h_.env().erase("DAEMON_NAME");
  }
  std::string Path(const std::string& name) const { return h_.home() + "/" + name; }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(Path(name)) << text;
    return Path(name);
  }
  RunResult Replayer(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = {}) {
    return h_.Run(args, env);  // the real replayer binary, with h_'s environment and env
  }
  TestHome h_;
};

constexpr const char* kSum =
    "?checksum=sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

std::string Operator(const std::string& v2_version, bool v2_binary) {
  std::string bin = v2_binary ? std::string(R"(,"binaries":{"any":"https://e.org/v2/d)") + kSum +
                                    "\"}"
                              : "";
  return R"({"format_version":1,"chain_id":"demo-1","daemon_name":"demod","segments":[
    {"first_height":1,"kind":"genesis","name":"genesis","version":"v1.0.0",
     "binaries":{"any":"https://e.org/v1/d)" + std::string(kSum) + R"("}},
    {"first_height":100,"kind":"gov-plan","name":"v2","version":")" + v2_version + "\"" + bin +
         "}]}";
}

TEST_F(Plans, RealJunoImportsWithHolesAndCheckFailsWithoutNodeConfiguration) {
  std::string out = Path("juno.json");
  RunResult imp = Replayer({"plans", "import", "--chain-registry", kData + "juno.versions.json",
                            "--chain-registry", kData + "juno.chain.json", "-o", out},
                           {{"DAEMON_NAME", "gaiad"}});
  // The schedule is written (so explain and check can show its holes), but import knows it
  // cannot run: exit 1.
  EXPECT_EQ(imp.exit_code, 1) << imp.err;
  EXPECT_NE(imp.err.find("cannot be replayed as it stands"), std::string::npos) << imp.err;
  ASSERT_TRUE(fs::exists(out)) << imp.err;
  auto schedule = nlohmann::json::parse(h_.ReadFile("juno.json"));
  EXPECT_EQ(schedule["format_version"], 2);
  EXPECT_EQ(schedule["daemon_name"], "junod");  // from chain.json, not DAEMON_NAME=gaiad
  EXPECT_NE(schedule["sources"]["daemon_name"].get<std::string>().find("juno.chain.json"),
            std::string::npos);
  EXPECT_TRUE(schedule["segments"][0]["first_height"].is_null());

  RunResult check = Replayer({"plans", "check", "--plans", out, "--platform", "linux/amd64"});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_NE(check.out.find("segments[0].binaries: \"genesis\": no binaries at all"),
            std::string::npos)
      << check.out;
  RunResult json = Replayer({"plans", "check", "--plans", out, "--json"});
  EXPECT_EQ(json.exit_code, 1) << json.err;
  auto j = nlohmann::json::parse(json.out);
  EXPECT_FALSE(j["ok"].get<bool>());
  EXPECT_GE(j["errors"].get<int>(), 2);
  bool v27 = false;
  for (const auto& f : j["findings"]) {
    v27 |= f["segment"] == "v27" && f["where"] == "segments[12].first_height" &&
           f["severity"] == "error" &&
           f["source"].get<std::string>().find("juno.versions.json") != std::string::npos;
  }
  EXPECT_TRUE(v27) << json.out;

  RunResult table = Replayer({"plans", "explain", "--plans", out});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("HOLE: first height unknown, binary unknown"), std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("19022500-?"), std::string::npos) << table.out;  // v24 before v27
}

TEST_F(Plans, CheckExitsZeroOnAReplayableScheduleAndExplainCountsFromZero) {
  std::string file = Write("ok.json", Operator("v2.0.0", true));
  RunResult check = Replayer({"plans", "check", "--plans", file, "--json"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  auto j = nlohmann::json::parse(check.out);
  EXPECT_TRUE(j["ok"].get<bool>());
  EXPECT_EQ(j["errors"], 0);
  RunResult at = Replayer({"plans", "explain", "--plans", file, "--height", "150"});
  EXPECT_EQ(at.exit_code, 0) << at.err;
  EXPECT_NE(at.out.find("executed by segments[1] (of 0-1), \"v2\""), std::string::npos) << at.out;
  RunResult table = Replayer({"plans", "explain", "--plans", file});
  EXPECT_NE(table.out.find("\n1  100-tip"), std::string::npos) << table.out;
  RunResult negative = Replayer({"plans", "explain", "--plans", file, "--height", "-5"});
  EXPECT_EQ(negative.exit_code, 2) << negative.out;
  EXPECT_NE(negative.err.find("--height: -5 is out of range"), std::string::npos) << negative.err;
}

TEST_F(Plans, DifferentChainsAreRefusedEvenWithAllowConflicts) {
  std::string out = Path("mixed.json");
  RunResult r = Replayer({"plans", "import", "--chain-registry", kData + "cosmoshub.versions.json",
                          "--chain-registry", kData + "osmosis.versions.json",
                          "--allow-conflicts", "-o", out});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("different chains"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
  RunResult ids = Replayer({"plans", "import", "--chain-registry", kData + "cosmoshub.chain.json",
                            "--schedule", Write("demo.json", Operator("v2.0.0", true)), "-o",
                            out});
  EXPECT_EQ(ids.exit_code, 1) << ids.err;
  EXPECT_NE(ids.err.find("chain id demo-1"), std::string::npos) << ids.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(Plans, OperatorSchedulesMergeInPriorityOrderKeepingWholeEntries) {
  std::string mine = Write("mine.json", Operator("v2.0.1", false));  // knows a newer version
  std::string theirs = Write("theirs.json", Operator("v2.0.0", true));
  std::string out = Path("merged.json");
  RunResult refused = Replayer({"plans", "import", "--schedule", mine, "--schedule", theirs,
                                "-o", out});
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("\"v2\" version: v2.0.1 vs v2.0.0"), std::string::npos)
      << refused.err;
  EXPECT_FALSE(fs::exists(out));
  // Kept whole from the first: v2.0.1 without a binary (never with theirs' v2.0.0 binary), so
  // the result cannot run and import says so.
  RunResult kept = Replayer({"plans", "import", "--schedule", mine, "--schedule", theirs,
                             "--allow-conflicts", "-o", out});
  EXPECT_EQ(kept.exit_code, 1) << kept.err;
  auto s = nlohmann::json::parse(h_.ReadFile("merged.json"));
  EXPECT_EQ(s["segments"][1]["version"], "v2.0.1");
  EXPECT_TRUE(s["segments"][1]["binaries"].empty()) << s.dump(2);
  // The operator states the order: their file first keeps their whole entry, and it runs.
  RunResult other = Replayer({"plans", "import", "--schedule", theirs, "--schedule", mine,
                              "--allow-conflicts", "-o", out});
  EXPECT_EQ(other.exit_code, 0) << other.err;
  s = nlohmann::json::parse(h_.ReadFile("merged.json"));
  EXPECT_EQ(s["segments"][1]["version"], "v2.0.0");
  EXPECT_FALSE(s["segments"][1]["binaries"].empty());
  EXPECT_NE(s["segments"][1]["sources"]["version"].get<std::string>().find("theirs.json"),
            std::string::npos);
  RunResult bad = Replayer({"plans", "import", "--schedule", mine, "--priority", "rest,foo"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

TEST_F(Plans, SyncRefusesAScheduleWithHolesBeforeAnythingRuns) {
  std::string out = Path("juno.json");
  Replayer({"plans", "import", "--chain-registry", kData + "juno.versions.json",
            "--chain-registry", kData + "juno.chain.json", "-o", out});
  ASSERT_TRUE(fs::exists(out));
  RunResult r = Replayer({"sync", "--plans", out, "--", "start"},
                         {{"DAEMON_HOME", h_.home()}, {"DAEMON_NAME", "junod"}});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("first height unknown"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was started"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(h_.home() + "/cosmovisor"));
}

// Binaries at hand tell their own SDK version (`version --long`), hence their halt behaviour.
TEST_F(Plans, CosmovisorHomeBinariesAreProbedForTheirSdk) {
  std::string home = Path("cv");
  auto node = [&](const std::string& dir, const std::string& sdk) {
    fs::create_directories(home + "/cosmovisor/" + dir + "/bin");
    std::string bin = home + "/cosmovisor/" + dir + "/bin/demod";
    std::ofstream(bin) << "#!/bin/sh\nprintf 'name: demo\\ncosmos_sdk_version: " << sdk
                       << "\\n'\n";
    fs::permissions(bin, fs::perms::owner_all);
  };
  node("genesis", "v0.50.6");
  node("upgrades/v2", "v0.50.10");
  std::ofstream(home + "/cosmovisor/upgrades/v2/upgrade-info.json")
      << R"({"name":"v2","height":100})";
  std::string out = Path("cv.json");
  RunResult r = Replayer({"plans", "import", "--cosmovisor-home", home, "--daemon-name", "demod",
                          "--chain-id", "demo-1", "-o", out});
  ASSERT_TRUE(fs::exists(out)) << r.err;
  auto s = nlohmann::json::parse(h_.ReadFile("cv.json"));
  EXPECT_EQ(s["segments"][0]["halt_semantics"], "commit-then-stall") << s.dump(2);
  EXPECT_EQ(s["segments"][1]["halt_semantics"], "stop-before");
  EXPECT_NE(s["segments"][1]["sources"]["halt_semantics"].get<std::string>().find(
                "cosmos_sdk_version v0.50.10"),
            std::string::npos);
  EXPECT_EQ(s["sources"]["daemon_name"], "operator --daemon-name");
}

}  // namespace
}  // namespace e2e
