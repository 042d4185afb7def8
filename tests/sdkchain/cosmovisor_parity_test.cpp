// Parity with the real Cosmovisor (v1.5.0, the comparison anchor: sdkchain/build.sh cosmovisor):
// the same real governance upgrade (simd v0.50.15 -> v0.53.8, plan v050-to-v053) on two fresh
// localnets, one under `cosmovisor run start`, one under `replayer run start`, each home set up
// by its own tool (`init` + `add-upgrade`). What an operator can observe afterwards must agree:
// `current` names upgrades/v050-to-v053, data/upgrade-info.json is x/upgrade's own file with the
// same content, the plan copy beside the new binary, the chain past the plan height on v0.53.8
// with the handler applied once, the new binary's `pre-upgrade` asked once, a data backup of the
// halted state. Where the two differ on purpose (README, "Deliberate differences from
// Cosmovisor"; sdkchain/README.md for what v1.5.0 does differently from v1.7.1) the difference
// is asserted as such: the backup's name, `current` relative (as v1.7) against v1.5.0's absolute
// link, and the exit code on SIGTERM (the node's own against Cosmovisor's 1).
#include <signal.h>

#include <filesystem>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/sdkchain/sdkchain_fixture.h"
#include "tests/testing/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using sdkchain::kUpgradeName;

std::string Applying(int64_t h) {
  return std::string("applying upgrade \"") + kUpgradeName + "\" at height: " + std::to_string(h);
}

// What one supervisor left behind after the upgrade.
struct Outcome {
  std::string tool;
  int64_t plan = 0;
  int64_t seen = 0;            // /status height at the end
  std::string applied_plan;    // REST applied_plan/<name> while the node ran
  std::string abci_info;       // RPC /abci_info while the node ran
  std::string out;             // the supervisor's stdout + stderr (the node's output passes through)
  int exit_code = -1;          // after SIGTERM
  std::string current_link;    // readlink(cosmovisor/current), as written
  std::string current_target;  // where it resolves, relative to <home>/cosmovisor
  std::string info;            // data/upgrade-info.json
  std::string plan_copy;       // cosmovisor/upgrades/<name>/upgrade-info.json
  std::vector<std::string> backups;  // data-backup-* folders in the home
};

// Starts the supervisor (already spawned as `pid`), passes the upgrade proposal at
// max(height + 40, min_plan), waits for plan + 3 (bounded), stops it with SIGTERM, collects.
template <typename WaitFn>
Outcome Drive(const std::string& tool, e2e::TestHome& h, sdkchain::Localnet& net, pid_t pid,
              int64_t min_plan, WaitFn wait) {
  Outcome o;
  o.tool = tool;
  EXPECT_GE(net.WaitHeight(2, 90s), 2) << tool << ": the release-1 node never committed block 2";
  // 40 blocks (~12 s): the proposal tx (with its vote) and its wait fit before the plan height
  // under load, and both localnets can take the same plan height.
  o.plan = std::max(net.Height() + 40, min_plan);
  EXPECT_FALSE(net.ProposeAndVote(kUpgradeName, o.plan).empty()) << tool;
  o.seen = net.WaitHeight(o.plan + 3, 180s);
  o.applied_plan =
      net.RestGet(std::string("/cosmos/upgrade/v1beta1/applied_plan/") + kUpgradeName);
  o.abci_info = net.RpcGet("/abci_info");
  kill(pid, SIGTERM);
  auto [code, out] = wait(pid);
  o.exit_code = code;
  o.out = out;
  const fs::path cv = fs::path(h.home()) / "cosmovisor";
  std::error_code ec;
  o.current_link = fs::read_symlink(cv / "current", ec).string();
  fs::path resolved = fs::canonical(cv / "current", ec);
  if (!ec) o.current_target = fs::relative(resolved, fs::canonical(cv)).string();
  o.info = h.ReadFile("data/upgrade-info.json");
  o.plan_copy = h.ReadFile(std::string("cosmovisor/upgrades/") + kUpgradeName + "/upgrade-info.json");
  for (const auto& e : fs::directory_iterator(h.home())) {
    std::string n = e.path().filename().string();
    if (e.is_directory() && n.rfind("data-backup-", 0) == 0) o.backups.push_back(n);
  }
  return o;
}

// The observable results every supervisor must leave (the same assertions for both).
void ExpectUpgraded(const Outcome& o, const std::string& home) {
  SCOPED_TRACE(o.tool);
  ASSERT_GE(o.seen, o.plan + 3) << o.tool << ": the chain did not pass the plan height " << o.plan
                                << "\n" << o.out;
  EXPECT_EQ(o.current_target, std::string("upgrades/") + kUpgradeName) << o.current_link;
  // The v0.53 handler ran once, during CometBFT's handshake replay, and the chain knows it.
  EXPECT_EQ(sdkchain::Count(o.out, Applying(o.plan)), 1) << o.out;
  EXPECT_NE(o.applied_plan.find("\"" + std::to_string(o.plan) + "\""), std::string::npos)
      << o.applied_plan;
  EXPECT_NE(o.abci_info.find("v0.53.8"), std::string::npos) << o.abci_info;
  // The old binary halted at the plan (x/upgrade's own ERR line; CometBFT's two quotes of it
  // escape the quotes) exactly once: it was never started again.
  EXPECT_EQ(sdkchain::Count(o.out, std::string("UPGRADE \"") + kUpgradeName +
                                       "\" NEEDED at height: " + std::to_string(o.plan)),
            1)
      << o.out;
  auto info = nlohmann::json::parse(o.info);
  EXPECT_EQ(info.at("name"), kUpgradeName);
  EXPECT_EQ(info.at("height").get<int64_t>(), o.plan);
  auto copy = nlohmann::json::parse(o.plan_copy);
  EXPECT_EQ(copy.at("name"), kUpgradeName) << o.plan_copy;
  EXPECT_EQ(copy.at("height").get<int64_t>(), o.plan) << o.plan_copy;
  // One backup of the halted state, holding the node's stores and the plan file.
  ASSERT_EQ(o.backups.size(), 1u) << o.out;
  const fs::path backup = fs::path(home) / o.backups[0];
  EXPECT_TRUE(fs::is_directory(backup / "application.db")) << backup;
  EXPECT_TRUE(fs::is_directory(backup / "blockstore.db")) << backup;
  EXPECT_EQ(testing_util::ReadText((backup / "upgrade-info.json").string()), o.info) << backup;
}

TEST(CosmovisorParity, TheSameGovernanceUpgradeLeavesTheSameObservableState) {
  std::string missing = sdkchain::MissingBinaries() + sdkchain::MissingCosmovisor();
  ASSERT_TRUE(missing.empty()) << missing;

  // Cosmovisor v1.5.0 first, on its own home set up by its own commands.
  e2e::TestHome hc;
  sdkchain::Localnet cnet(hc);
  sdkchain::Env cenv(hc.env().begin(), hc.env().end());
  const std::string scratch = fs::path(hc.home()).parent_path().string() + "/cosmovisor-run";
  cenv["HOME"] = scratch;
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {sdkchain::Cosmovisor(), "init", sdkchain::Simd050()},
           {sdkchain::Cosmovisor(), "add-upgrade", kUpgradeName, sdkchain::Simd053()}}) {
    sdkchain::Cmd r = sdkchain::RunCmd(argv, cenv, scratch, 60s);
    ASSERT_EQ(r.exit_code, 0) << argv[1] << ": " << r.all();
  }
  const std::string cout_file = scratch + "/run.out", cerr_file = scratch + "/run.err";
  pid_t cpid = e2e::SpawnToFiles({sdkchain::Cosmovisor(), "run", "start", "--home", hc.home()},
                                 cenv, cout_file, cerr_file);
  Outcome c = Drive("cosmovisor", hc, cnet, cpid, 0, [&](pid_t pid) {
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (waitpid(pid, &status, WNOHANG) != pid) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(-pid, SIGKILL);
        waitpid(pid, &status, 0);
        ADD_FAILURE() << "cosmovisor did not exit within 60 s of SIGTERM";
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return std::pair<int, std::string>(code, testing_util::ReadText(cout_file) +
                                                 testing_util::ReadText(cerr_file));
  });

  // Replayer on a second fresh localnet, the plan at the same height where the chain allows.
  e2e::TestHome hr;
  sdkchain::Localnet rnet(hr);
  hr.env()["HOME"] = fs::path(hr.home()).parent_path().string() + "/replayer-run";
  fs::create_directories(hr.env()["HOME"]);
  ASSERT_EQ(hr.Run({"init", sdkchain::Simd050()}).exit_code, 0);
  ASSERT_EQ(hr.Run({"add-upgrade", kUpgradeName, sdkchain::Simd053()}).exit_code, 0);
  pid_t rpid = hr.Start({"run", "start", "--home", hr.home()});
  Outcome r = Drive("replayer", hr, rnet, rpid, c.plan, [&](pid_t pid) {
    e2e::RunResult res = hr.Wait(pid, 60s);
    EXPECT_FALSE(res.timed_out) << "replayer did not exit within 60 s of SIGTERM";
    return std::pair<int, std::string>(res.exit_code, res.out + res.err);
  });

  ExpectUpgraded(c, hc.home());
  ExpectUpgraded(r, hr.home());

  // x/upgrade's file is the node's, untouched by either supervisor: equal but for the height
  // when the two plans could not be put at the same height.
  auto ci = nlohmann::json::parse(c.info), ri = nlohmann::json::parse(r.info);
  if (c.plan == r.plan) {
    EXPECT_EQ(c.info, r.info);
  }
  ci.erase("height");
  ri.erase("height");
  EXPECT_EQ(ci, ri) << c.info << "\n" << r.info;
  // The plan copy beside the new binary: the same plan (Cosmovisor writes Go's json.Marshal of
  // x/upgrade's Plan; Replayer keeps the file as the node wrote it).
  auto cc = nlohmann::json::parse(c.plan_copy), rc = nlohmann::json::parse(r.plan_copy);
  cc.erase("height");
  rc.erase("height");
  EXPECT_EQ(cc.value("name", ""), rc.value("name", "")) << c.plan_copy << "\n" << r.plan_copy;
  EXPECT_EQ(cc.value("info", ""), rc.value("info", "")) << c.plan_copy << "\n" << r.plan_copy;

  // The new binary's `pre-upgrade` was asked once by each; real simd has none (exit 1).
  EXPECT_EQ(sdkchain::Count(c.out, "pre-upgrade command does not exist. continuing the upgrade."),
            1)
      << c.out;
  EXPECT_EQ(sdkchain::Count(r.out, "pre-upgrade not implemented (exit 1)"), 1) << r.out;

  // Deliberate differences, asserted as such.
  // 1. The backup: Cosmovisor copies data/ to data-backup-<Y>-<M>-<D> (no zero padding);
  //    Replayer names its snapshot per upgrade and height.
  EXPECT_TRUE(std::regex_match(c.backups.at(0), std::regex(R"(data-backup-\d{4}-\d{1,2}-\d{1,2})")))
      << c.backups.at(0);
  EXPECT_EQ(r.backups.at(0), std::string("data-backup-") + kUpgradeName + "-" +
                                 std::to_string(r.plan));
  // 2. `current`: v1.5.0 links absolutely (v1.7 relatively, #21891); Replayer relatively.
  EXPECT_EQ(c.current_link, hc.home() + "/cosmovisor/upgrades/" + kUpgradeName);
  EXPECT_EQ(r.current_link, std::string("upgrades/") + kUpgradeName);
  // 3. SIGTERM: both forward it to the node, which shuts down; Cosmovisor then exits 1 whatever
  //    the node's code, Replayer passes the node's own code on.
  EXPECT_EQ(c.exit_code, 1) << c.out;
  EXPECT_NE(r.out.find("node stopped on request: exit code " + std::to_string(r.exit_code)),
            std::string::npos)
      << "exit " << r.exit_code << "\n" << r.out;
  EXPECT_EQ(r.exit_code, 0) << "real simd v0.53.8 shuts down cleanly on SIGTERM\n" << r.out;
}

}  // namespace
