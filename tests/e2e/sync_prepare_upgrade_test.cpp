// `replayer prepare-upgrade` against demochain's REST: a real demochaind-v1.0.0 stopped at the
// "v2" upgrade height (it keeps serving REST) answers current_plan with the history's plan, whose
// binary URL points at a port nothing serves (the fixture's histories use port 1): refused with
// the URL named and nothing installed. With the release in Replayer's registry store, the same
// plan is fetched from there, checked against the plan's sha256 and installed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/e2e/demochain_fixture.h"
#include "tests/testing/temp_dir.h"

namespace e2e {
namespace {

using testing_util::ReadText;

bool WaitUntil(const std::function<bool()>& ready, std::chrono::seconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return ready();
}

class PrepareUpgradeDemochain : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { chain_.Start({.blocks = 300}); }
  static void TearDownTestSuite() { chain_.Stop(); }
  void SetUp() override { ASSERT_NE(chain_.get(), nullptr) << chain_.error(); }
  static const DemoChain& chain() { return *chain_.get(); }
  static SharedChain chain_;
};
SharedChain PrepareUpgradeDemochain::chain_;

TEST_F(PrepareUpgradeDemochain, FetchesThePlanTheNodeReports) {
  SyncHome home(chain());
  auto init = home.Replayer({"init", DemoChain::Binary("v1.0.0")});
  ASSERT_EQ(init.exit_code, 0) << init.all();
  std::string h = home.home();
  Process node({DemoChain::Binary("v1.0.0"), "start", "--home", h, "--peer", chain().peer_url(),
                "--rpc-listen", "127.0.0.1:0", "--rpc-port-file", h + "/port"},
               home.EnvWith(), h + "/node.out", h + "/node.err");
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(h + "/data/upgrade-info.json"); },
                        std::chrono::seconds(60)))
      << node.Err();
  ASSERT_TRUE(WaitUntil([&] { return !ReadText(h + "/port").empty(); }, std::chrono::seconds(10)));
  std::string rest = "http://127.0.0.1:" + std::to_string(std::stoi(ReadText(h + "/port")));

  auto refused = home.Replayer({"prepare-upgrade", "--rest", rest});
  EXPECT_EQ(refused.exit_code, 1) << refused.all();
  EXPECT_NE(refused.err.find("127.0.0.1:1/demochaind-v2.0.0"), std::string::npos) << refused.err;
  EXPECT_FALSE(home.Exists("cosmovisor/upgrades/v2/bin/demochaind"));

  auto add = home.Replayer({"registry", "add", DemoChain::Binary("v2.0.0"), "--name", "v2"});
  ASSERT_EQ(add.exit_code, 0) << add.all();
  auto r = home.Replayer({"prepare-upgrade"}, {{"REPLAYER_REST_ADDRESS", rest}});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.out.find("upcoming upgrade \"v2\" at height"), std::string::npos) << r.out;
  EXPECT_EQ(ReadText(h + "/cosmovisor/upgrades/v2/bin/demochaind"),
            ReadText(DemoChain::Binary("v2.0.0")));
  EXPECT_EQ(home.Current(), "genesis");
}

}  // namespace
}  // namespace e2e
