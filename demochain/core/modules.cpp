#include "demochain/core/modules.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace demochain {

using nlohmann::json;

uint64_t GetU64(const KvState& s, const std::string& key, uint64_t fallback) {
  auto v = s.Get(key);
  return v ? std::stoull(*v) : fallback;
}

void SetU64(KvState& s, const std::string& key, uint64_t v) { s.Set(key, std::to_string(v)); }

std::string PadId(uint64_t id) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(id));
  return buf;
}

// ---- bank

std::string BalanceKey(const std::string& address) { return "bank/balance/" + address; }

std::string EncodeBalance(uint64_t bank_version, uint64_t amount) {
  return bank_version >= 2 ? EncodeU64BE(amount) : std::to_string(amount);
}

uint64_t DecodeBalance(uint64_t bank_version, const std::string& value) {
  if (bank_version >= 2) return DecodeU64BE(value);
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos)
    throw DecodeError("bank v1 balance is not decimal");
  return std::stoull(value);
}

uint64_t GetBalance(const KvState& s, uint64_t bank_version, const std::string& address) {
  auto v = s.Get(BalanceKey(address));
  return v ? DecodeBalance(bank_version, *v) : 0;
}

void SetBalance(KvState& s, uint64_t bank_version, const std::string& address, uint64_t amount) {
  s.Set(BalanceKey(address), EncodeBalance(bank_version, amount));
}

uint64_t ComputeFee(uint64_t amount, uint64_t fee_bps, bool round_up) {
  // amount = q * 10000 + r, so amount * bps / 10000 = q * bps + r * bps / 10000 without overflow.
  const uint64_t q = amount / 10000, r = amount % 10000;
  uint64_t fee = q * fee_bps + (r * fee_bps) / 10000;
  if (round_up && (r * fee_bps) % 10000 != 0) ++fee;
  return fee;
}

// ---- staking

std::vector<std::pair<std::string, uint64_t>> Validators(const KvState& s) {
  std::vector<std::pair<std::string, uint64_t>> out;
  const std::string prefix = "staking/validator/";
  s.ForEachPrefix(prefix, [&](const std::string& k, const std::string& v) {
    out.emplace_back(k.substr(prefix.size()), std::stoull(v));
    return true;
  });
  return out;
}

uint64_t StakeOf(const KvState& s, const std::string& address) {
  return GetU64(s, "staking/validator/" + address, 0);
}

void InitStakingV2(KvState& s) {
  uint64_t bonded = 0;
  for (const auto& [addr, stake] : Validators(s)) bonded += stake;
  SetU64(s, kMaxValidatorsKey, kDefaultMaxValidators);
  SetU64(s, kUnbondingBlocksKey, kDefaultUnbondingBlocks);
  SetU64(s, kTotalBondedKey, bonded);
}

// ---- upgrade

std::optional<Plan> GetPlan(const KvState& s) {
  auto v = s.Get("upgrade/plan");
  if (!v) return std::nullopt;
  json j = json::parse(*v);
  return Plan{j.at("name").get<std::string>(), j.at("height").get<uint64_t>(),
              j.at("info").get<std::string>()};
}

void SetPlan(KvState& s, const Plan& p) {
  s.Set("upgrade/plan", json{{"name", p.name}, {"height", p.height}, {"info", p.info}}.dump());
}

void ClearPlan(KvState& s) { s.Delete("upgrade/plan"); }

uint64_t AppliedHeight(const KvState& s, const std::string& name) {
  return GetU64(s, "upgrade/done/" + name, 0);
}

std::vector<std::pair<std::string, uint64_t>> AppliedPlans(const KvState& s) {
  std::vector<std::pair<std::string, uint64_t>> out;
  const std::string prefix = "upgrade/done/";
  s.ForEachPrefix(prefix, [&](const std::string& k, const std::string& v) {
    out.emplace_back(k.substr(prefix.size()), std::stoull(v));
    return true;
  });
  return out;
}

std::string LastAppliedPlan(const KvState& s) { return s.Get("upgrade/last_applied").value_or(""); }

void MarkApplied(KvState& s, const std::string& name, uint64_t height) {
  SetU64(s, "upgrade/done/" + name, height);
  s.Set("upgrade/last_applied", name);
}

std::map<std::string, uint64_t> StoredModuleVersions(const KvState& s) {
  std::map<std::string, uint64_t> out;
  const std::string prefix = "upgrade/version/";
  s.ForEachPrefix(prefix, [&](const std::string& k, const std::string& v) {
    out[k.substr(prefix.size())] = std::stoull(v);
    return true;
  });
  return out;
}

void SetModuleVersion(KvState& s, const std::string& module, uint64_t version) {
  SetU64(s, "upgrade/version/" + module, version);
}

std::string UpgradeInfoJson(const Plan& p) {
  // Field order and zero time exactly as Go's encoding/json renders x/upgrade's Plan struct;
  // `info` is omitted when empty (omitempty), `height` is a JSON number.
  std::string out = "{\"name\":" + json(p.name).dump() +
                    ",\"time\":\"0001-01-01T00:00:00Z\",\"height\":" + std::to_string(p.height);
  if (!p.info.empty()) out += ",\"info\":" + json(p.info).dump();
  return out + "}";
}

// ---- gov

const char* ProposalStatusName(ProposalStatus s) {
  switch (s) {
    case ProposalStatus::kVotingPeriod:
      return "PROPOSAL_STATUS_VOTING_PERIOD";
    case ProposalStatus::kPassed:
      return "PROPOSAL_STATUS_PASSED";
    case ProposalStatus::kRejected:
      return "PROPOSAL_STATUS_REJECTED";
    case ProposalStatus::kFailed:
      return "PROPOSAL_STATUS_FAILED";
  }
  return "PROPOSAL_STATUS_UNSPECIFIED";
}

bool ParseProposalStatus(const std::string& text, ProposalStatus* out) {
  for (int i = 2; i <= 5; ++i) {
    auto st = static_cast<ProposalStatus>(i);
    if (text == ProposalStatusName(st) || text == std::to_string(i)) {
      *out = st;
      return true;
    }
  }
  return false;
}

static std::string ProposalKey(uint64_t id) { return "gov/proposal/" + PadId(id); }

static std::string EncodeProposal(const Proposal& p) {
  json j = {{"id", p.id},
            {"proposer", p.proposer},
            {"plan", {{"name", p.plan.name}, {"height", p.plan.height}, {"info", p.plan.info}}},
            {"title", p.title},
            {"summary", p.summary},
            {"status", static_cast<int>(p.status)},
            {"submit_height", p.submit_height},
            {"voting_end_height", p.voting_end_height},
            {"tally", {p.tally.yes, p.tally.abstain, p.tally.no, p.tally.no_with_veto}}};
  return j.dump();
}

static Proposal DecodeProposal(const std::string& v) {
  json j = json::parse(v);
  Proposal p;
  p.id = j.at("id").get<uint64_t>();
  p.proposer = j.at("proposer").get<std::string>();
  const json& plan = j.at("plan");
  p.plan = Plan{plan.at("name").get<std::string>(), plan.at("height").get<uint64_t>(),
                plan.at("info").get<std::string>()};
  p.title = j.at("title").get<std::string>();
  p.summary = j.at("summary").get<std::string>();
  p.status = static_cast<ProposalStatus>(j.at("status").get<int>());
  p.submit_height = j.at("submit_height").get<uint64_t>();
  p.voting_end_height = j.at("voting_end_height").get<uint64_t>();
  const json& t = j.at("tally");
  p.tally = Tally{t.at(0).get<uint64_t>(), t.at(1).get<uint64_t>(), t.at(2).get<uint64_t>(),
                  t.at(3).get<uint64_t>()};
  return p;
}

std::optional<Proposal> GetProposal(const KvState& s, uint64_t id) {
  auto v = s.Get(ProposalKey(id));
  if (!v) return std::nullopt;
  return DecodeProposal(*v);
}

std::vector<Proposal> AllProposals(const KvState& s) {
  std::vector<Proposal> out;
  s.ForEachPrefix("gov/proposal/", [&](const std::string&, const std::string& v) {
    out.push_back(DecodeProposal(v));
    return true;
  });
  return out;
}

uint64_t SubmitUpgradeProposal(KvState& s, const SubmitUpgradeProposalTx& tx, uint64_t height) {
  if (tx.name.empty() || tx.height == 0 || tx.proposer.empty()) return 0;
  uint64_t id = GetU64(s, "gov/next_proposal_id", 1);
  Proposal p;
  p.id = id;
  p.proposer = tx.proposer;
  p.plan = Plan{tx.name, tx.height, tx.info};
  p.title = tx.title;
  p.summary = tx.summary;
  p.submit_height = height;
  p.voting_end_height = height + GetU64(s, "gov/params/voting_period_blocks", 10);
  s.Set(ProposalKey(id), EncodeProposal(p));
  s.Set("gov/active/" + PadId(p.voting_end_height) + "/" + PadId(id), "");
  SetU64(s, "gov/next_proposal_id", id + 1);
  return id;
}

bool CastVote(KvState& s, const VoteTx& tx) {
  auto p = GetProposal(s, tx.proposal_id);
  if (!p || p->status != ProposalStatus::kVotingPeriod) return false;
  s.Set("gov/vote/" + PadId(tx.proposal_id) + "/" + tx.voter,
        std::to_string(static_cast<int>(tx.option)));
  return true;
}

void EndVotingPeriods(KvState& s, uint64_t height) {
  std::vector<std::string> due;
  s.ForEachPrefix("gov/active/" + PadId(height) + "/",
                  [&](const std::string& k, const std::string&) {
                    due.push_back(k);
                    return true;
                  });
  uint64_t total_stake = 0;
  for (const auto& [addr, stake] : Validators(s)) total_stake += stake;
  for (const auto& key : due) {
    s.Delete(key);
    uint64_t id = std::stoull(key.substr(key.rfind('/') + 1));
    auto p = GetProposal(s, id);
    if (!p) continue;
    Tally t;
    std::vector<std::string> votes;
    const std::string prefix = "gov/vote/" + PadId(id) + "/";
    s.ForEachPrefix(prefix, [&](const std::string& k, const std::string& v) {
      uint64_t w = StakeOf(s, k.substr(prefix.size()));
      switch (std::stoi(v)) {
        case 1:
          t.yes += w;
          break;
        case 2:
          t.abstain += w;
          break;
        case 3:
          t.no += w;
          break;
        default:
          t.no_with_veto += w;
          break;
      }
      votes.push_back(k);
      return true;
    });
    for (const auto& k : votes) s.Delete(k);  // the SDK deletes votes after tallying, too
    p->tally = t;
    uint64_t voted = t.yes + t.abstain + t.no + t.no_with_veto;
    uint64_t non_abstain = voted - t.abstain;
    bool quorum = total_stake > 0 && voted * 1000 >= total_stake * 334;
    bool vetoed = voted > 0 && t.no_with_veto * 1000 > voted * 334;
    bool passed = quorum && !vetoed && non_abstain > 0 && t.yes * 2 > non_abstain;
    if (!passed) {
      p->status = ProposalStatus::kRejected;
    } else if (p->plan.height <= height) {
      p->status = ProposalStatus::kFailed;  // ScheduleUpgrade rejects a plan in the past
    } else {
      p->status = ProposalStatus::kPassed;
      SetPlan(s, p->plan);
    }
    s.Set(ProposalKey(id), EncodeProposal(*p));
  }
}

}  // namespace demochain
