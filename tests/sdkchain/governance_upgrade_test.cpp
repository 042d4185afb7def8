// A real Cosmos SDK chain upgraded by governance under `replayer run`: release 1 (SDK v0.50)
// passes a software-upgrade proposal, x/upgrade writes data/upgrade-info.json and halts at the
// plan height, Replayer stops the node, snapshots data/, switches `current`, runs the new
// binary's pre-upgrade and restarts on release 2 (SDK v0.53), whose handler applies the plan.
#include <signal.h>

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/sdkchain/sdkchain_fixture.h"

namespace {

using namespace std::chrono_literals;
using sdkchain::kUpgradeName;

std::string Applying(int64_t h) {
  return std::string("applying upgrade \"") + kUpgradeName + "\" at height: " + std::to_string(h);
}

class GovernanceUpgrade : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = sdkchain::MissingBinaries();
    ASSERT_TRUE(missing.empty()) << missing;
  }
};

// Drives one upgrade on a running `replayer run start` and returns the plan height.
int64_t ProposeUpgrade(sdkchain::Localnet& net) {
  EXPECT_GE(net.WaitHeight(2, 90s), 2) << "the release-1 node never committed block 2";
  int64_t h = net.Height() + 20;
  std::string id = net.ProposeAndVote(kUpgradeName, h);
  EXPECT_FALSE(id.empty());
  return h;
}

// What one `replayer run start` across the upgrade left behind.
struct Outcome {
  int64_t plan = 0;
  int64_t seen = 0;           // height /status reported at the end
  std::string applied_plan;   // REST applied_plan/<name> while the node ran
  std::string out;            // Replayer's stdout + stderr (the node's output passes through)
};

// Starts `replayer run start --home`, passes the upgrade proposal (unless `plan` says it already
// passed), waits for plan + 3 (bounded), stops Replayer with SIGTERM.
Outcome RunAcrossUpgrade(e2e::TestHome& h, sdkchain::Localnet& net, int64_t plan = 0) {
  Outcome o;
  pid_t run = h.Start({"run", "start", "--home", h.home()});
  o.plan = plan != 0 ? plan : ProposeUpgrade(net);
  o.seen = net.WaitHeight(o.plan + 3, 180s);
  o.applied_plan =
      net.RestGet(std::string("/cosmos/upgrade/v1beta1/applied_plan/") + kUpgradeName);
  kill(run, SIGTERM);
  e2e::RunResult r = h.Wait(run, 60s);
  o.out = r.out + r.err;
  return o;
}

void ExpectAppliedOnce(e2e::TestHome& h, const Outcome& o, const std::string& all_output) {
  ASSERT_GE(o.seen, o.plan + 3) << "the chain did not pass the plan height " << o.plan << "\n"
                                << all_output;
  EXPECT_EQ(h.Current(), std::string("upgrades/") + kUpgradeName);
  EXPECT_EQ(sdkchain::Count(all_output, Applying(o.plan)), 1) << all_output;
  EXPECT_NE(o.applied_plan.find("\"" + std::to_string(o.plan) + "\""), std::string::npos)
      << o.applied_plan;
  // x/upgrade's own file, left in data/ for the new binary's store loader.
  auto info = nlohmann::json::parse(h.ReadFile("data/upgrade-info.json"));
  EXPECT_EQ(info.at("name"), kUpgradeName);
  EXPECT_EQ(info.at("height").get<int64_t>(), o.plan);
  auto st = h.Run({"status", "--json"});
  ASSERT_EQ(st.exit_code, 0) << st.err;
  auto status = nlohmann::json::parse(st.out);
  ASSERT_EQ(status.at("applied").size(), 1u) << st.out;
  EXPECT_NE(status.at("applied")[0].dump().find(kUpgradeName), std::string::npos) << st.out;
  EXPECT_TRUE(status.at("in_progress").is_null()) << st.out;
  // The real v0.53.8 logged `committed state height=N` above the plan height: confirmed.
  const auto& confirmation = status.at("applied")[0].at("confirmation");
  EXPECT_EQ(confirmation.at("state"), "confirmed") << st.out;
  EXPECT_GT(confirmation.at("height").get<int64_t>(), o.plan) << st.out;
  EXPECT_NE(h.Run({"version"}).out.find("v0.53.8"), std::string::npos);
}

TEST_F(GovernanceUpgrade, ReplayerRunSwitchesAtThePlanHeightAndTheHandlerAppliesOnce) {
  e2e::TestHome h;
  sdkchain::Localnet net(h);
  ASSERT_EQ(h.Run({"init", sdkchain::Simd050()}).exit_code, 0);
  ASSERT_EQ(h.Run({"add-upgrade", kUpgradeName, sdkchain::Simd053()}).exit_code, 0);
  Outcome o = RunAcrossUpgrade(h, net);
  ExpectAppliedOnce(h, o, o.out);
  // The real node halted at the plan: x/upgrade's line, and Replayer's snapshot of data/.
  EXPECT_NE(o.out.find(std::string("upgrade \"") + kUpgradeName + "\" needed at height " +
                       std::to_string(o.plan)),
            std::string::npos)
      << o.out;
  EXPECT_TRUE(std::filesystem::exists(h.home() + "/data-backup-" + kUpgradeName + "-" +
                                      std::to_string(o.plan)))
      << o.out;
}

// The way operators set up Cosmovisor: both binaries placed by hand, no `current`.
TEST_F(GovernanceUpgrade, CosmovisorStyleHomeWithoutCurrent) {
  e2e::TestHome h;
  sdkchain::Localnet net(h);
  const std::string cv = h.home() + "/cosmovisor";
  std::filesystem::create_directories(cv + "/genesis/bin");
  std::filesystem::create_directories(cv + "/upgrades/" + kUpgradeName + "/bin");
  std::filesystem::copy_file(sdkchain::Simd050(), cv + "/genesis/bin/simd");
  std::filesystem::copy_file(sdkchain::Simd053(),
                             cv + "/upgrades/" + std::string(kUpgradeName) + "/bin/simd");
  Outcome o = RunAcrossUpgrade(h, net);
  EXPECT_NE(o.out.find("missing on a fresh home"), std::string::npos) << o.out;
  ExpectAppliedOnce(h, o, o.out);
}

// SIGKILL Replayer during the real switch, start it again: the chain continues on release 2 with
// the handler applied exactly once.
class CrashDuringSwitch : public GovernanceUpgrade,
                          public ::testing::WithParamInterface<std::string> {};

TEST_P(CrashDuringSwitch, RestartFinishesTheSwitchOnce) {
  e2e::TestHome h;
  sdkchain::Localnet net(h);
  ASSERT_EQ(h.Run({"init", sdkchain::Simd050()}).exit_code, 0);
  ASSERT_EQ(h.Run({"add-upgrade", kUpgradeName, sdkchain::Simd053()}).exit_code, 0);
  pid_t first = h.Start({"run", "start", "--home", h.home()},
                        {{"REPLAYER_TEST_CRASH_AT", GetParam()}});
  int64_t plan = ProposeUpgrade(net);
  e2e::RunResult crashed = h.Wait(first, 180s);
  ASSERT_EQ(crashed.exit_code, 137) << "expected SIGKILL at " << GetParam() << "\n"
                                    << crashed.out << crashed.err;
  EXPECT_EQ(sdkchain::Count(crashed.out + crashed.err, Applying(plan)), 0);
  Outcome o = RunAcrossUpgrade(h, net, plan);
  ExpectAppliedOnce(h, o, crashed.out + crashed.err + o.out);
}

INSTANTIATE_TEST_SUITE_P(Steps, CrashDuringSwitch,
                         ::testing::Values("node-stopped", "snapshot-taken", "current-switched"),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

}  // namespace
