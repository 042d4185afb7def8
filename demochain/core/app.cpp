#include "demochain/core/app.h"

#include <stdexcept>

#include "demochain/core/migrations.h"

namespace demochain {

using nlohmann::json;

App::App(VersionTraits traits, Genesis genesis, LogFn log)
    : traits_(std::move(traits)), genesis_(std::move(genesis)), log_(std::move(log)) {
  if (!log_) log_ = [](const std::string&, const std::string&) {};
}

void App::InitChain() {
  for (const auto& [module, version] : traits_.module_versions)
    SetModuleVersion(state_, module, version);
  uint64_t bank = traits_.ModuleVersion("bank");
  SetU64(state_, kFeeBpsKey, genesis_.fee_bps);
  SetU64(state_, kFeeFixHeightKey, genesis_.fee_rounding_fix_height);
  for (const auto& a : genesis_.accounts) {
    SetBalance(state_, bank, a.address, a.balance);
    if (a.stake > 0) SetU64(state_, "staking/validator/" + a.address, a.stake);
  }
  if (traits_.ModuleVersion("staking") >= 2) InitStakingV2(state_);
  SetU64(state_, "gov/params/voting_period_blocks", genesis_.voting_period_blocks);
  SetU64(state_, "gov/next_proposal_id", 1);
  if (traits_.HasModule("mint")) {
    SetU64(state_, "mint/params/block_reward", kDefaultBlockReward);
    SetU64(state_, "mint/minted_total", 0);
  }
}

uint64_t App::BankVersion() const {
  auto stored = StoredModuleVersions(state_);
  auto it = stored.find("bank");
  return it == stored.end() ? traits_.ModuleVersion("bank") : it->second;
}

bool App::FeeRoundsUp(uint64_t height) const {
  if (!traits_.fee_rounding_fix) return false;
  uint64_t from = GetU64(state_, kFeeFixHeightKey, 0);
  return from > 0 && height >= from;
}

uint64_t App::BlockTime(uint64_t height) const {
  return genesis_.genesis_time + height * genesis_.block_time_seconds;
}

UpgradeCheck App::CheckBeforeBlock(uint64_t height) {
  UpgradeCheck c;
  std::optional<Plan> plan = GetPlan(state_);
  // SDK <= 0.47 BeginBlocker: once per process, refuse to run after an upgrade this binary
  // does not know (a downgrade).
  if (!downgrade_verified_) {
    std::string last = LastAppliedPlan(state_);
    bool plan_due = plan && height >= plan->height;
    if (!plan_due && !last.empty() && !traits_.HasHandler(last)) {
      c.kind = UpgradeCheck::Kind::kHandlerMissing;
      c.message = "upgrade handler is missing for " + last + " upgrade plan";
      return c;
    }
    downgrade_verified_ = true;
  }
  if (!plan) return c;
  c.plan = *plan;
  if (height >= plan->height) {
    if (traits_.HasHandler(plan->name)) return c;
    c.kind = UpgradeCheck::Kind::kUpgradeNeeded;
    c.message = "UPGRADE \"" + plan->name + "\" NEEDED at height: " + std::to_string(plan->height) +
                ": " + plan->info;
    return c;
  }
  if (traits_.HasHandler(plan->name)) {
    c.kind = UpgradeCheck::Kind::kRefused;
    c.message = "BINARY UPDATED BEFORE TRIGGER! UPGRADE \"" + plan->name +
                "\" - in binary but not executed on chain. Downgrade your binary";
  }
  return c;
}

void App::ApplyUpgrade(const Plan& plan, uint64_t height) {
  log_("INF", "applying upgrade \"" + plan.name + "\" at height: " + std::to_string(height));
  std::string ran = RunMigrations(state_, traits_.module_versions);
  log_("INF", "migrations for upgrade \"" + plan.name + "\" done: " + ran);
  MarkApplied(state_, plan.name, height);
  ClearPlan(state_);
}

void App::MintBlockReward(const BlockHeader& header) {
  auto stored = StoredModuleVersions(state_);
  if (!stored.count("mint") || !traits_.HasModule("mint")) return;
  auto validators = Validators(state_);
  if (validators.empty()) return;
  const std::string& proposer = validators[header.proposer_index % validators.size()].first;
  uint64_t reward = GetU64(state_, "mint/params/block_reward", 0);
  uint64_t bank = BankVersion();
  SetBalance(state_, bank, proposer, GetBalance(state_, bank, proposer) + reward);
  SetU64(state_, "mint/minted_total", GetU64(state_, "mint/minted_total", 0) + reward);
}

void App::ExecuteBlock(const Block& block) {
  const uint64_t height = block.header.height;
  // BeginBlock: upgrade module first (as x/upgrade's BeginBlocker runs first), then mint.
  if (auto plan = GetPlan(state_); plan && height >= plan->height) {
    if (!traits_.HasHandler(plan->name))
      throw std::runtime_error("UPGRADE \"" + plan->name + "\" NEEDED at height: " +
                               std::to_string(plan->height) + ": " + plan->info);
    ApplyUpgrade(*plan, height);
  }
  MintBlockReward(block.header);
  for (const auto& tx : block.txs) DeliverTx(tx, height);
  EndVotingPeriods(state_, height);  // EndBlock: gov
}

void App::DeliverTx(const std::string& encoded, uint64_t height) {
  Tx tx;
  try {
    tx = DecodeTx(encoded);
  } catch (const DecodeError&) {
    return;  // an undecodable tx is included but has no effect, as a failed DeliverTx
  }
  if (const auto* t = std::get_if<TransferTx>(&tx)) {
    uint64_t bank = BankVersion();
    uint64_t fee = ComputeFee(t->amount, GetU64(state_, kFeeBpsKey, 0), FeeRoundsUp(height));
    uint64_t from_balance = GetBalance(state_, bank, t->from);
    if (t->amount == 0 || from_balance < t->amount + fee) return;
    SetBalance(state_, bank, t->from, from_balance - t->amount - fee);
    SetBalance(state_, bank, t->to, GetBalance(state_, bank, t->to) + t->amount);
    if (fee > 0) {
      const std::string collector = FeeCollectorAddress();
      SetBalance(state_, bank, collector, GetBalance(state_, bank, collector) + fee);
    }
  } else if (const auto* p = std::get_if<SubmitUpgradeProposalTx>(&tx)) {
    uint64_t id = SubmitUpgradeProposal(state_, *p, height);
    if (id > 0)
      log_("INF", "proposal " + std::to_string(id) + " submitted: upgrade \"" + p->name +
                      "\" at height " + std::to_string(p->height));
  } else {
    CastVote(state_, std::get<VoteTx>(tx));
  }
}

json App::Export(uint64_t height) const {
  uint64_t bank = BankVersion();
  json balances = json::array();
  state_.ForEachPrefix("bank/balance/", [&](const std::string& k, const std::string& v) {
    balances.push_back(
        {{"address", k.substr(13)},
         {"coins",
          json::array({{{"denom", kDenom}, {"amount", std::to_string(DecodeBalance(bank, v))}}})}});
    return true;
  });
  json validators = json::array();
  for (const auto& [addr, stake] : Validators(state_))
    validators.push_back({{"address", addr}, {"tokens", std::to_string(stake)}});
  json proposals = json::array();
  for (const auto& p : AllProposals(state_))
    proposals.push_back({{"id", std::to_string(p.id)},
                         {"status", ProposalStatusName(p.status)},
                         {"plan",
                          {{"name", p.plan.name},
                           {"height", std::to_string(p.plan.height)},
                           {"info", p.plan.info}}}});
  json applied = json::array();
  for (const auto& [name, h] : AppliedPlans(state_))
    applied.push_back({{"name", name}, {"height", std::to_string(h)}});
  json versions = json::array();
  for (const auto& [m, v] : StoredModuleVersions(state_))
    versions.push_back({{"name", m}, {"version", std::to_string(v)}});
  json plan = nullptr;
  if (auto pl = GetPlan(state_))
    plan = {{"name", pl->name}, {"height", std::to_string(pl->height)}, {"info", pl->info}};
  json staking = {{"validators", validators}};
  if (state_.Get(kMaxValidatorsKey)) {  // staking v2 (from "v4")
    staking["params"] = {
        {"max_validators", std::to_string(GetU64(state_, kMaxValidatorsKey))},
        {"unbonding_blocks", std::to_string(GetU64(state_, kUnbondingBlocksKey))}};
    staking["total_bonded"] = std::to_string(GetU64(state_, kTotalBondedKey));
  }
  json app_state = {
      {"bank",
       {{"params",
         {{"fee_bps", std::to_string(GetU64(state_, kFeeBpsKey))},
          {"fee_rounding_fix_height", std::to_string(GetU64(state_, kFeeFixHeightKey))}}},
        {"balances", balances}}},
      {"staking", staking},
      {"gov",
       {{"params",
         {{"voting_period_blocks",
           std::to_string(GetU64(state_, "gov/params/voting_period_blocks"))}}},
        {"proposals", proposals}}},
      {"upgrade", {{"plan", plan}, {"applied_plans", applied}, {"module_versions", versions}}}};
  if (StoredModuleVersions(state_).count("mint"))
    app_state["mint"] = {
        {"params", {{"block_reward", std::to_string(GetU64(state_, "mint/params/block_reward"))}}},
        {"minted_total", std::to_string(GetU64(state_, "mint/minted_total"))}};
  return {{"chain_id", genesis_.chain_id},
          {"height", std::to_string(height)},
          {"app_hash", HexUpper(state_.AppHash())},
          {"app_version", traits_.version},
          {"app_state", app_state}};
}

static uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::vector<std::string> MakeRandomTransfers(uint64_t seed, uint64_t height, int count,
                                             const Genesis& genesis) {
  std::vector<std::string> out;
  if (genesis.accounts.size() < 2) return out;
  uint64_t x = seed * 0x2545F4914F6CDD1DULL ^ height;
  const uint64_t n = genesis.accounts.size();
  for (int i = 0; i < count; ++i) {
    TransferTx t;
    uint64_t from = SplitMix64(x) % n;
    uint64_t to = (from + 1 + SplitMix64(x) % (n - 1)) % n;
    t.from = genesis.accounts[from].address;
    t.to = genesis.accounts[to].address;
    t.amount = 1 + SplitMix64(x) % 1'000'000;
    out.push_back(EncodeTx(t));
  }
  return out;
}

}  // namespace demochain
