// Unit tests of demochain's state machine: codecs, bank fees (and the v2.1.0 rounding rule),
// gov tally, the x/upgrade checks, each migration, and producer determinism. No processes.
#include <gtest/gtest.h>

#include "demochain/core/app.h"
#include "demochain/core/block.h"
#include "demochain/core/genesis.h"
#include "demochain/core/migrations.h"
#include "demochain/core/modules.h"

namespace demochain {
namespace {

VersionTraits Traits(const std::string& v) {
  VersionTraits t;
  EXPECT_TRUE(TraitsForVersion(v, &t)) << v;
  return t;
}

Genesis SmallGenesis(uint64_t fix_height = 0) {
  return DefaultGenesis("test-1", 10, 4, fix_height, 3);
}

Block MakeBlock(uint64_t height, std::vector<std::string> txs) {
  Block b;
  b.header.chain_id = "test-1";
  b.header.height = height;
  b.header.proposer_index = height;
  b.txs = std::move(txs);
  return b;
}

// Runs blocks through App the way the node does: check first, then execute.
UpgradeCheck::Kind RunBlock(App& app, uint64_t height, std::vector<std::string> txs = {}) {
  UpgradeCheck c = app.CheckBeforeBlock(height);
  if (c.kind == UpgradeCheck::Kind::kProceed) app.ExecuteBlock(MakeBlock(height, std::move(txs)));
  return c.kind;
}

TEST(DemochainCodec, BlockRoundTripsAndHashIsStable) {
  Block b = MakeBlock(7, {EncodeTx(TransferTx{"a", "b", 5})});
  b.header.app_hash = Sha256("x");
  std::string enc = EncodeBlock(b);
  Block back = DecodeBlock(enc);
  EXPECT_EQ(back.header.height, 7u);
  EXPECT_EQ(back.header.app_hash, b.header.app_hash);
  EXPECT_EQ(EncodeBlock(back), enc);
  EXPECT_THROW(DecodeBlock(enc.substr(0, enc.size() - 1)), DecodeError);
}

TEST(DemochainCodec, TxRoundTrips) {
  SubmitUpgradeProposalTx p{"prop", "v2", 100, "{\"binaries\":{}}", "t", "s"};
  auto back = std::get<SubmitUpgradeProposalTx>(DecodeTx(EncodeTx(p)));
  EXPECT_EQ(back.name, "v2");
  EXPECT_EQ(back.height, 100u);
  VoteTx v{"voter", 3, VoteOption::kNoWithVeto};
  EXPECT_EQ(std::get<VoteTx>(DecodeTx(EncodeTx(v))).option, VoteOption::kNoWithVeto);
  EXPECT_THROW(DecodeTx("\x09"), DecodeError);
}

TEST(DemochainCodec, Base64AndHex) {
  std::string out;
  ASSERT_TRUE(Base64Decode(Base64Encode("ab"), &out));
  EXPECT_EQ(out, "ab");
  ASSERT_TRUE(HexDecode(HexUpper("\x01\xff"), &out));
  EXPECT_EQ(out, "\x01\xff");
  uint64_t t = 0;
  ASSERT_TRUE(ParseTime(FormatTime(1704067200), &t));
  EXPECT_EQ(t, 1704067200u);
}

TEST(DemochainGenesis, JsonRoundTrip) {
  Genesis g = SmallGenesis(55);
  Genesis back;
  ASSERT_EQ(GenesisFromJson(GenesisToJson(g), &back), "");
  EXPECT_EQ(back.accounts.size(), 10u);
  EXPECT_EQ(back.fee_rounding_fix_height, 55u);
  EXPECT_EQ(back.accounts[0].stake, g.accounts[0].stake);
  EXPECT_NE(GenesisFromJson("{}", &back), "");
}

TEST(DemochainBank, FeeRoundingRule) {
  EXPECT_EQ(ComputeFee(1001, 25, false), 2u);  // 2.5025 floored
  EXPECT_EQ(ComputeFee(1001, 25, true), 3u);   // rounded up
  EXPECT_EQ(ComputeFee(400, 25, true), 1u);    // exact: no rounding
  EXPECT_EQ(ComputeFee(UINT64_MAX, 25, false),
            UINT64_MAX / 10000 * 25 + 4);  // 1615 * 25 / 10000 = 4
}

TEST(DemochainBank, TransferMovesFundsAndPaysFee) {
  App app(Traits("v1.0.0"), SmallGenesis(), nullptr);
  app.InitChain();
  const Genesis& g = app.genesis();
  TransferTx t{g.accounts[5].address, g.accounts[6].address, 1001};
  ASSERT_EQ(RunBlock(app, 1, {EncodeTx(t)}), UpgradeCheck::Kind::kProceed);
  EXPECT_EQ(GetBalance(app.state(), 1, t.from), g.accounts[5].balance - 1001 - 2);
  EXPECT_EQ(GetBalance(app.state(), 1, t.to), g.accounts[6].balance + 1001);
  EXPECT_EQ(GetBalance(app.state(), 1, FeeCollectorAddress()), 2u);
  // Overdraft: no effect.
  TransferTx big{g.accounts[5].address, g.accounts[6].address, g.accounts[5].balance};
  Hash before = app.AppHash();
  RunBlock(app, 2, {EncodeTx(big), "garbage"});
  EXPECT_EQ(app.AppHash(), before);
}

TEST(DemochainBank, PatchReleaseDivergesOnlyFromFixHeight) {
  Genesis g = SmallGenesis(/*fix_height=*/3);
  App old_app(Traits("v2.0.0"), g, nullptr), patched(Traits("v2.1.0"), g, nullptr);
  old_app.InitChain();
  patched.InitChain();
  for (uint64_t h = 1; h <= 3; ++h) {
    auto txs = MakeRandomTransfers(9, h, 20, g);
    RunBlock(old_app, h, txs);
    RunBlock(patched, h, txs);
    if (h < 3) {
      EXPECT_EQ(old_app.AppHash(), patched.AppHash()) << h;
    }
  }
  EXPECT_NE(old_app.AppHash(), patched.AppHash());
}

TEST(DemochainGov, StakeWeightedTallySchedulesPlan) {
  App app(Traits("v1.0.0"), SmallGenesis(), nullptr);
  app.InitChain();
  const Genesis& g = app.genesis();  // stakes 4M, 3M, 2M, 1M
  SubmitUpgradeProposalTx p{g.accounts[0].address, "v2", 20, "info", "t", "s"};
  std::vector<std::string> txs = {EncodeTx(p),
                                  EncodeTx(VoteTx{g.accounts[0].address, 1, VoteOption::kYes}),
                                  EncodeTx(VoteTx{g.accounts[1].address, 1, VoteOption::kNo}),
                                  EncodeTx(VoteTx{g.accounts[9].address, 1, VoteOption::kNo})};
  RunBlock(app, 1, txs);
  EXPECT_FALSE(GetPlan(app.state()));
  RunBlock(app, 2);
  RunBlock(app, 3);
  RunBlock(app, 4);  // voting period 3: ends at 1 + 3
  auto prop = GetProposal(app.state(), 1);
  ASSERT_TRUE(prop);
  EXPECT_EQ(prop->status, ProposalStatus::kPassed);  // 4M yes > 3M no; non-staker weighs 0
  EXPECT_EQ(prop->tally.yes, 4'000'000u);
  EXPECT_EQ(prop->tally.no, 3'000'000u);
  ASSERT_TRUE(GetPlan(app.state()));
  EXPECT_EQ(GetPlan(app.state())->height, 20u);
}

TEST(DemochainGov, RejectedWithoutQuorumAndFailedForPastPlan) {
  App app(Traits("v1.0.0"), SmallGenesis(), nullptr);
  app.InitChain();
  const Genesis& g = app.genesis();
  RunBlock(app, 1,
           {EncodeTx(SubmitUpgradeProposalTx{g.accounts[0].address, "a", 50, "", "", ""}),
            EncodeTx(VoteTx{g.accounts[3].address, 1, VoteOption::kYes})});  // 10%
  RunBlock(app, 2,
           {EncodeTx(SubmitUpgradeProposalTx{g.accounts[0].address, "b", 4, "", "", ""}),
            EncodeTx(VoteTx{g.accounts[0].address, 2, VoteOption::kYes})});
  for (uint64_t h = 3; h <= 5; ++h) RunBlock(app, h);
  EXPECT_EQ(GetProposal(app.state(), 1)->status, ProposalStatus::kRejected);
  EXPECT_EQ(GetProposal(app.state(), 2)->status, ProposalStatus::kFailed);
  EXPECT_FALSE(GetPlan(app.state()));
}

TEST(DemochainUpgrade, OldBinaryNeedsUpgradeAtPlanHeight) {
  App app(Traits("v1.0.0"), SmallGenesis(), nullptr);
  app.InitChain();
  SetPlan(app.state(), Plan{"v2", 3, "{\"binaries\":{}}"});
  EXPECT_EQ(RunBlock(app, 1), UpgradeCheck::Kind::kProceed);
  EXPECT_EQ(RunBlock(app, 2), UpgradeCheck::Kind::kProceed);
  UpgradeCheck c = app.CheckBeforeBlock(3);
  EXPECT_EQ(c.kind, UpgradeCheck::Kind::kUpgradeNeeded);
  EXPECT_EQ(c.message, "UPGRADE \"v2\" NEEDED at height: 3: {\"binaries\":{}}");
  EXPECT_EQ(UpgradeInfoJson(c.plan),
            "{\"name\":\"v2\",\"time\":\"0001-01-01T00:00:00Z\",\"height\":3,"
            "\"info\":\"{\\\"binaries\\\":{}}\"}");
  EXPECT_EQ(UpgradeInfoJson(Plan{"x", 9, ""}),
            "{\"name\":\"x\",\"time\":\"0001-01-01T00:00:00Z\",\"height\":9}");
}

TEST(DemochainUpgrade, NewBinaryBeforeTriggerRefuses) {
  App app(Traits("v2.0.0"), SmallGenesis(), nullptr);
  app.InitChain();
  SetPlan(app.state(), Plan{"v2", 5, ""});
  UpgradeCheck c = app.CheckBeforeBlock(4);
  EXPECT_EQ(c.kind, UpgradeCheck::Kind::kRefused);
  EXPECT_EQ(c.message,
            "BINARY UPDATED BEFORE TRIGGER! UPGRADE \"v2\" - in binary but not executed on chain. "
            "Downgrade your binary");
}

TEST(DemochainUpgrade, HandlerAppliesMigrationsAndOldBinaryThenRefuses) {
  Genesis g = SmallGenesis();
  App v1(Traits("v1.0.0"), g, nullptr);
  v1.InitChain();
  SetPlan(v1.state(), Plan{"v2", 2, ""});
  RunBlock(v1, 1);
  // Hand the state to the v2 binary, as a restart on the same data would.
  App v2(Traits("v2.0.0"), g, nullptr);
  for (const auto& [k, v] : v1.state().data()) v2.state().LoadRaw(k, v);
  ASSERT_EQ(RunBlock(v2, 2), UpgradeCheck::Kind::kProceed);
  EXPECT_EQ(AppliedHeight(v2.state(), "v2"), 2u);
  EXPECT_FALSE(GetPlan(v2.state()));
  EXPECT_EQ(StoredModuleVersions(v2.state()).at("bank"), 2u);
  EXPECT_EQ(v2.state().Get(BalanceKey(g.accounts[0].address))->size(), 8u);
  // v1 on the upgraded state: the SDK's downgrade check.
  App back(Traits("v1.0.0"), g, nullptr);
  for (const auto& [k, v] : v2.state().data()) back.state().LoadRaw(k, v);
  UpgradeCheck c = back.CheckBeforeBlock(3);
  EXPECT_EQ(c.kind, UpgradeCheck::Kind::kHandlerMissing);
  EXPECT_EQ(c.message, "upgrade handler is missing for v2 upgrade plan");
}

TEST(DemochainMigrations, BankV1ToV2RewritesEveryBalance) {
  KvState s;
  SetModuleVersion(s, "bank", 1);
  SetBalance(s, 1, "a", 12345);
  SetBalance(s, 1, "b", 0);
  EXPECT_EQ(*s.Get(BalanceKey("a")), "12345");
  std::string ran = RunMigrations(s, {{"bank", 2}});
  EXPECT_EQ(ran, "bank 1->2");
  EXPECT_EQ(*s.Get(BalanceKey("a")), EncodeU64BE(12345));
  EXPECT_EQ(GetBalance(s, 2, "a"), 12345u);
  EXPECT_EQ(GetBalance(s, 2, "b"), 0u);
  EXPECT_EQ(StoredModuleVersions(s).at("bank"), 2u);
}

TEST(DemochainMigrations, V3AddsMintWithGenesisAndMints) {
  KvState s;
  SetModuleVersion(s, "bank", 2);
  EXPECT_EQ(RunMigrations(s, {{"bank", 2}, {"mint", 1}}), "mint init");
  EXPECT_EQ(GetU64(s, "mint/params/block_reward"), kDefaultBlockReward);
  EXPECT_EQ(StoredModuleVersions(s).at("mint"), 1u);
  EXPECT_THROW(RunMigrations(s, {{"bank", 3}}), std::runtime_error);
  EXPECT_THROW(RunMigrations(s, {{"bank", 1}}), std::runtime_error);  // downgrade
}

TEST(DemochainMigrations, V4StakingV1ToV2AddsParamsAndChangesTheAppHash) {
  Genesis g = SmallGenesis();
  App v3(Traits("v3.0.0"), g, nullptr);
  v3.InitChain();
  SetPlan(v3.state(), Plan{"v4", 3, ""});
  ASSERT_EQ(RunBlock(v3, 1), UpgradeCheck::Kind::kProceed);
  ASSERT_EQ(RunBlock(v3, 2), UpgradeCheck::Kind::kProceed);
  EXPECT_EQ(v3.CheckBeforeBlock(3).kind, UpgradeCheck::Kind::kUpgradeNeeded);
  // The same state without the migration: what v3.0.0 would hash if it ran past the plan.
  KvState unmigrated;
  for (const auto& [k, v] : v3.state().data()) unmigrated.LoadRaw(k, v);
  ClearPlan(unmigrated);
  App v4(Traits("v4.0.0"), g, nullptr);
  for (const auto& [k, v] : v3.state().data()) v4.state().LoadRaw(k, v);
  ASSERT_EQ(RunBlock(v4, 3), UpgradeCheck::Kind::kProceed);
  EXPECT_EQ(AppliedHeight(v4.state(), "v4"), 3u);
  EXPECT_EQ(StoredModuleVersions(v4.state()).at("staking"), 2u);
  EXPECT_EQ(GetU64(v4.state(), kMaxValidatorsKey), kDefaultMaxValidators);
  uint64_t bonded = 0;
  for (const auto& [addr, stake] : Validators(v4.state())) bonded += stake;
  EXPECT_GT(bonded, 0u);
  EXPECT_EQ(GetU64(v4.state(), kTotalBondedKey), bonded);
  EXPECT_NE(v4.AppHash(), unmigrated.AppHash());
  EXPECT_EQ(RunMigrations(unmigrated, {{"staking", 2}}), "staking 1->2");
  EXPECT_EQ(v4.Export(3)["app_state"]["staking"]["total_bonded"], std::to_string(bonded));
  // v3.0.0 on the upgraded state: the SDK's downgrade check.
  App back(Traits("v3.0.0"), g, nullptr);
  for (const auto& [k, v] : v4.state().data()) back.state().LoadRaw(k, v);
  EXPECT_EQ(back.CheckBeforeBlock(4).message, "upgrade handler is missing for v4 upgrade plan");
}

TEST(DemochainMigrations, OlderReleasesAreUnchangedByV4) {
  EXPECT_EQ(KnownVersions().back(), "v4.0.0");
  for (const std::string v : {"v1.0.0", "v2.0.0", "v2.1.0", "v3.0.0"}) {
    EXPECT_EQ(Traits(v).ModuleVersion("staking"), 1u) << v;
    EXPECT_FALSE(Traits(v).HasHandler("v4")) << v;
    App app(Traits(v), SmallGenesis(), nullptr);
    app.InitChain();
    EXPECT_FALSE(app.state().Get(kMaxValidatorsKey)) << v;
    EXPECT_FALSE(app.Export(0)["app_state"]["staking"].contains("params")) << v;
  }
  App v4(Traits("v4.0.0"), SmallGenesis(), nullptr);
  v4.InitChain();  // a chain that starts at v4 has staking v2 from genesis
  EXPECT_EQ(GetU64(v4.state(), kMaxValidatorsKey), kDefaultMaxValidators);
}

TEST(DemochainMigrations, MintPaysProposerEachBlockAfterV3) {
  App app(Traits("v3.0.0"), SmallGenesis(), nullptr);
  app.InitChain();
  auto validators = Validators(app.state());
  const std::string& proposer = validators[5 % validators.size()].first;
  uint64_t before = GetBalance(app.state(), 2, proposer);
  RunBlock(app, 5);
  EXPECT_EQ(GetBalance(app.state(), 2, proposer), before + kDefaultBlockReward);
}

TEST(DemochainProducer, TransfersAreDeterministic) {
  Genesis g = SmallGenesis();
  EXPECT_EQ(MakeRandomTransfers(1, 10, 20, g), MakeRandomTransfers(1, 10, 20, g));
  EXPECT_NE(MakeRandomTransfers(1, 10, 20, g), MakeRandomTransfers(2, 10, 20, g));
  EXPECT_NE(MakeRandomTransfers(1, 10, 20, g), MakeRandomTransfers(1, 11, 20, g));
  EXPECT_EQ(MakeRandomTransfers(1, 10, 20, g).size(), 20u);
}

TEST(DemochainState, AppHashCoversEveryKey) {
  KvState a, b;
  a.Set("k1", "v");
  b.Set("k1", "v");
  EXPECT_EQ(a.AppHash(), b.AppHash());
  b.Set("k2", "");
  EXPECT_NE(a.AppHash(), b.AppHash());
  b.Delete("k2");
  EXPECT_EQ(a.AppHash(), b.AppHash());
  auto dirty = b.TakeDirty();
  EXPECT_FALSE(dirty.at("k2").has_value());
  EXPECT_TRUE(b.TakeDirty().empty());
}

}  // namespace
}  // namespace demochain
