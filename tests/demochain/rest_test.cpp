// REST/RPC shapes of a demochain node (Cosmos SDK grpc-gateway and CometBFT JSON), checked on a
// real node home in a temp dir, through Route() without sockets; plus the node's own recovery
// from its block store.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "demochain/node/node.h"
#include "demochain/node/rest_views.h"
#include "tests/testing/temp_dir.h"

namespace demochain {
namespace {

using nlohmann::json;

class DemochainRest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_ / "config");
    Genesis g = DefaultGenesis("rest-1", 10, 4, 0, 2);
    ASSERT_TRUE(WriteFileAtomic(dir_ / "config/genesis.json", GenesisToJson(g)));
    ASSERT_TRUE(TraitsForVersion("v1.0.0", &traits_));
    node_ = std::make_unique<Node>(dir_.path(), traits_, nullptr_log_);
    ASSERT_EQ(node_->Open(), "");
    genesis_ = g;
  }

  void Produce(uint64_t up_to) {
    while (node_->Height() < up_to) {
      ASSERT_EQ(node_->CheckNext().kind, StepResult::Kind::kCommitted);
      Block b = node_->BuildNextBlock(1, 5);
      ASSERT_EQ(node_->ProcessBlock(b, EncodeBlock(b), false).kind, StepResult::Kind::kCommitted);
    }
  }

  json Get(const std::string& target, int want_status = 200) {
    HttpReply r = Route(*node_, "GET", target);
    EXPECT_EQ(r.status, want_status) << target << " -> " << r.body;
    return json::parse(r.body);
  }

  testing_util::TempDir dir_{"demochain-rest"};
  VersionTraits traits_;
  LogFn nullptr_log_ = [](const std::string&, const std::string&) {};
  std::unique_ptr<Node> node_;
  Genesis genesis_;
};

TEST_F(DemochainRest, StatusAndBlockLikeCometBft) {
  Produce(3);
  json s = Get("/status");
  EXPECT_EQ(s["result"]["sync_info"]["latest_block_height"], "3");
  EXPECT_EQ(s["result"]["node_info"]["network"], "rest-1");
  json b = Get("/block?height=2");
  EXPECT_EQ(b["result"]["block"]["header"]["height"], "2");
  EXPECT_EQ(b["result"]["block"]["data"]["txs"].size(), 5u);
  EXPECT_EQ(b["result"]["block_id"]["hash"].get<std::string>().size(), 64u);
  Get("/block?height=9", 500);
  HttpReply range = Route(*node_, "GET", "/blocks?from=2&to=99");
  std::vector<std::string> blocks;
  ASSERT_TRUE(DecodeBlockRange(range.body, &blocks));
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(DecodeBlock(blocks[0]).header.height, 2u);
}

TEST_F(DemochainRest, UpgradeAndGovShapes) {
  EXPECT_TRUE(Get("/cosmos/upgrade/v1beta1/current_plan")["plan"].is_null());
  SubmitUpgradeProposalTx p{genesis_.accounts[0].address, "v2", 50, "{\"binaries\":{}}", "T", "S"};
  node_->AddToMempool(EncodeTx(p));
  node_->AddToMempool(EncodeTx(VoteTx{genesis_.accounts[0].address, 1, VoteOption::kYes}));
  node_->AddToMempool(
      EncodeTx(SubmitUpgradeProposalTx{genesis_.accounts[1].address, "w", 60, "", "", ""}));
  Produce(4);
  json plan = Get("/cosmos/upgrade/v1beta1/current_plan")["plan"];
  EXPECT_EQ(plan["name"], "v2");
  EXPECT_EQ(plan["height"], "50");
  EXPECT_EQ(plan["time"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(plan["info"], "{\"binaries\":{}}");
  EXPECT_EQ(Get("/cosmos/upgrade/v1beta1/applied_plan/v2")["height"], "0");

  json passed = Get("/cosmos/gov/v1/proposals?proposal_status=PROPOSAL_STATUS_PASSED");
  ASSERT_EQ(passed["proposals"].size(), 1u);
  json prop = passed["proposals"][0];
  EXPECT_EQ(prop["id"], "1");
  EXPECT_EQ(prop["status"], "PROPOSAL_STATUS_PASSED");
  EXPECT_EQ(prop["messages"][0]["@type"], "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade");
  EXPECT_EQ(prop["messages"][0]["plan"]["height"], "50");
  EXPECT_EQ(prop["final_tally_result"]["yes_count"], "4000000");
  EXPECT_TRUE(passed["pagination"]["next_key"].is_null());
  EXPECT_EQ(Get("/cosmos/gov/v1/proposals?proposal_status=3")["proposals"].size(), 1u);
  EXPECT_EQ(Get("/cosmos/gov/v1/proposals?proposal_status=4")["proposals"].size(), 1u);

  // Pagination over all proposals, one per page.
  json page1 = Get("/cosmos/gov/v1/proposals?pagination.limit=1");
  ASSERT_EQ(page1["proposals"].size(), 1u);
  ASSERT_TRUE(page1["pagination"]["next_key"].is_string());
  EXPECT_EQ(page1["pagination"]["total"], "2");
  std::string key = page1["pagination"]["next_key"];
  std::string escaped;
  for (char c : key)
    escaped += c == '=' ? "%3D" : c == '+' ? "%2B" : c == '/' ? "%2F" : std::string(1, c);
  json page2 = Get("/cosmos/gov/v1/proposals?pagination.limit=1&pagination.key=" + escaped);
  ASSERT_EQ(page2["proposals"].size(), 1u);
  EXPECT_EQ(page2["proposals"][0]["id"], "2");
  EXPECT_TRUE(page2["pagination"]["next_key"].is_null());

  json legacy = Get("/cosmos/gov/v1beta1/proposals?proposal_status=3")["proposals"];
  ASSERT_EQ(legacy.size(), 1u);
  EXPECT_EQ(legacy[0]["proposal_id"], "1");
  EXPECT_EQ(legacy[0]["content"]["@type"], "/cosmos.upgrade.v1beta1.SoftwareUpgradeProposal");
  EXPECT_EQ(legacy[0]["content"]["plan"]["name"], "v2");
  EXPECT_EQ(legacy[0]["final_tally_result"]["yes"], "4000000");
  EXPECT_EQ(Get("/cosmos/gov/v1/proposals/1")["proposal"]["title"], "T");
  Get("/cosmos/gov/v1/proposals/9", 404);
  Get("/cosmos/gov/v1/proposals?proposal_status=BOGUS", 400);
  json versions = Get("/cosmos/upgrade/v1beta1/module_versions")["module_versions"];
  EXPECT_EQ(versions[0]["name"], "bank");
  EXPECT_EQ(versions[0]["version"], "1");
  Get("/nope", 501);
}

TEST_F(DemochainRest, BroadcastValidatesTx) {
  json ok = Get("/broadcast_tx_sync?tx=0x" + HexLower(EncodeTx(TransferTx{"a", "b", 1})));
  EXPECT_EQ(ok["result"]["code"], 0);
  EXPECT_EQ(node_->MempoolSize(), 1u);
  json bad = Get("/broadcast_tx_sync?tx=0x0900");
  EXPECT_NE(bad["result"]["code"], 0);
}

TEST_F(DemochainRest, ReopenedNodeKeepsHeightAndHash) {
  Produce(5);
  Hash app_hash = node_->LastAppHash();
  node_.reset();
  node_ = std::make_unique<Node>(dir_.path(), traits_, nullptr_log_);
  ASSERT_EQ(node_->Open(), "");
  EXPECT_EQ(node_->Height(), 5u);
  EXPECT_EQ(node_->LastAppHash(), app_hash);
  Produce(6);
}

TEST(DemochainRange, ParseTargetDecodesQuery) {
  ParsedTarget t = ParseTarget("/a/b?x=1&y=%2Fz&flag");
  EXPECT_EQ(t.path, "/a/b");
  EXPECT_EQ(t.query.at("x"), "1");
  EXPECT_EQ(t.query.at("y"), "/z");
  EXPECT_EQ(t.query.count("flag"), 1u);
}

}  // namespace
}  // namespace demochain
