// `replayer add-batch-upgrade` end to end: script nodes switched at each batch height in turn by
// the real `replayer run`, and a bad entry refusing the whole batch with nothing written.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/e2e/harness.h"

namespace e2e {
namespace {

NodeSpec Plain(const std::string& version) {
  NodeSpec s;
  s.version = version;
  return s;
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

TEST(AddBatchUpgrade, EachUpgradeSwitchesAtItsHeight) {
  TestHome h;
  h.InitGenesis(Plain("v1"));  // no on-chain plans: only the batch can switch
  std::string v2 = h.home() + "/../v2-src";
  std::string v3 = h.home() + "/../v3-src";
  h.WriteNode(v2, Plain("v2"));
  h.WriteNode(v3, Plain("v3"));
  auto add = h.Run({"add-batch-upgrade", "--upgrade-list", "v3:" + v3 + ":12,v2:" + v2 + ":6"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_NE(add.out.find("upgrade-info.json.batch (2 upgrades"), std::string::npos) << add.out;
  EXPECT_TRUE(h.Exists("cosmovisor/upgrades/v2/bin/simd"));
  EXPECT_TRUE(h.Exists("cosmovisor/upgrades/v3/bin/simd"));
  EXPECT_FALSE(h.Exists("data/upgrade-info.json"));  // Cosmovisor's layout: the batch only
  std::string batch = h.ReadFile("data/upgrade-info.json.batch");
  EXPECT_LT(batch.find("\"v2\""), batch.find("\"v3\"")) << "sorted by height: " << batch;

  auto r = h.Run({"run", "start"}, {{"STOP_AT", "18"},
                                    {"UNSAFE_SKIP_BACKUP", "true"},
                                    {"DAEMON_POLL_INTERVAL", "20ms"}},
                 std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v3");
  EXPECT_EQ(h.CountInLog("v1 height 6"), 1) << "v2 fired before the node reached 6";
  EXPECT_EQ(h.CountInLog("v2 start"), 1);
  EXPECT_EQ(h.CountInLog("v2 height 12"), 1) << "v3 fired before the node reached 12";
  EXPECT_EQ(h.CountInLog("v3 start"), 1);
  EXPECT_EQ(h.Height(), 18);
  EXPECT_FALSE(h.Exists("data/upgrade-info.json.batch")) << "every entry was promoted";
  auto status = h.Run({"status", "--json"});
  EXPECT_NE(status.out.find("\"v2\""), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("\"v3\""), std::string::npos) << status.out;
}

TEST(AddBatchUpgrade, OneBadEntryRefusesTheWholeBatch) {
  TestHome h;
  h.InitGenesis(Plain("v1"));
  std::string v2 = h.home() + "/../v2-src";
  std::string arm = h.home() + "/../arm-simd";
  h.WriteNode(v2, Plain("v2"));
  WriteForeignElf(arm);
  auto r = h.Run({"add-batch-upgrade", "--upgrade-list", "v2:" + v2 + ":6,v3:" + arm + ":12"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("batch entry 2 (\"v3\", " + arm + ")"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ELF executable for linux/"), std::string::npos) << r.err;
  EXPECT_FALSE(h.Exists("cosmovisor/upgrades/v2"));
  EXPECT_FALSE(h.Exists("cosmovisor/upgrades/v3"));
  EXPECT_FALSE(h.Exists("data/upgrade-info.json.batch"));

  auto missing = h.Run({"add-batch-upgrade", "--upgrade-list", "v2:" + v2 + ":6,v3:/no/such:9"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("/no/such does not exist"), std::string::npos) << missing.err;
  EXPECT_FALSE(h.Exists("cosmovisor/upgrades/v2"));

  std::string csv = h.home() + "/../batch.csv";
  WriteText(csv, "v2, " + v2 + ", 6\nv3," + v2 + "\n");
  auto file = h.Run({"add-batch-upgrade", "--upgrade-file", csv});
  EXPECT_EQ(file.exit_code, 1);
  EXPECT_NE(file.err.find(csv), std::string::npos) << file.err;
  EXPECT_NE(file.err.find("batch entry 2"), std::string::npos) << file.err;
  EXPECT_FALSE(h.Exists("cosmovisor/upgrades/v2"));
  EXPECT_FALSE(h.Exists("data/upgrade-info.json.batch"));

  // Usage errors: both forms, or neither.
  EXPECT_EQ(h.Run({"add-batch-upgrade", "--upgrade-file", csv, "--upgrade-list", "a:b:1"}).exit_code,
            2);
  EXPECT_EQ(h.Run({"add-batch-upgrade"}).exit_code, 2);

  // The same file, corrected, is accepted.
  WriteText(csv, "v2, " + v2 + ", 6\n");
  auto ok = h.Run({"add-batch-upgrade", "--upgrade-file", csv});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(h.Exists("cosmovisor/upgrades/v2/bin/simd"));
  EXPECT_TRUE(h.Exists("data/upgrade-info.json.batch"));
}

}  // namespace
}  // namespace e2e
