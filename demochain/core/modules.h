// The state-machine modules of demochain as plain functions over KvState: bank (balances and
// fees; the balance encoding is what the bank v1 -> v2 migration rewrites), staking (validator
// stake, read-only after genesis), gov (software-upgrade proposals, stake-weighted votes, tally at
// the end of a voting period measured in blocks), upgrade (the scheduled plan, applied plans,
// module version map) and mint (added by the "v3" upgrade). No I/O, no logging.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "demochain/core/block.h"
#include "demochain/core/kv_state.h"

namespace demochain {

// ---- generic helpers
uint64_t GetU64(const KvState& s, const std::string& key, uint64_t fallback = 0);
void SetU64(KvState& s, const std::string& key, uint64_t v);
std::string PadId(uint64_t id);  // 20-digit zero-padded, so keys sort numerically

// ---- bank
std::string BalanceKey(const std::string& address);
std::string EncodeBalance(uint64_t bank_version, uint64_t amount);
uint64_t DecodeBalance(uint64_t bank_version, const std::string& value);  // throws DecodeError
uint64_t GetBalance(const KvState& s, uint64_t bank_version, const std::string& address);
void SetBalance(KvState& s, uint64_t bank_version, const std::string& address, uint64_t amount);
uint64_t ComputeFee(uint64_t amount, uint64_t fee_bps, bool round_up);
constexpr const char* kFeeBpsKey = "bank/params/fee_bps";
constexpr const char* kFeeFixHeightKey = "bank/params/fee_rounding_fix_height";

// ---- staking
std::vector<std::pair<std::string, uint64_t>> Validators(const KvState& s);  // by address
uint64_t StakeOf(const KvState& s, const std::string& address);
// Staking v2 (from v4): params and the total bonded stake, derived from the validator set.
constexpr const char* kMaxValidatorsKey = "staking/params/max_validators";
constexpr const char* kUnbondingBlocksKey = "staking/params/unbonding_blocks";
constexpr const char* kTotalBondedKey = "staking/total_bonded";
constexpr uint64_t kDefaultMaxValidators = 100;
constexpr uint64_t kDefaultUnbondingBlocks = 1814400;  // 21 days of 1 s blocks
void InitStakingV2(KvState& s);  // writes the params and total_bonded

// ---- upgrade
struct Plan {
  std::string name;
  uint64_t height = 0;
  std::string info;
};
std::optional<Plan> GetPlan(const KvState& s);
void SetPlan(KvState& s, const Plan& p);
void ClearPlan(KvState& s);
uint64_t AppliedHeight(const KvState& s, const std::string& name);  // 0 when never applied
std::vector<std::pair<std::string, uint64_t>> AppliedPlans(const KvState& s);
std::string LastAppliedPlan(const KvState& s);
void MarkApplied(KvState& s, const std::string& name, uint64_t height);
std::map<std::string, uint64_t> StoredModuleVersions(const KvState& s);
void SetModuleVersion(KvState& s, const std::string& module, uint64_t version);
// Go encoding/json of x/upgrade's Plan: what data/upgrade-info.json holds.
std::string UpgradeInfoJson(const Plan& p);

// ---- gov
enum class ProposalStatus : int { kVotingPeriod = 2, kPassed = 3, kRejected = 4, kFailed = 5 };
const char* ProposalStatusName(ProposalStatus s);
bool ParseProposalStatus(const std::string& text, ProposalStatus* out);  // name or number

struct Tally {
  uint64_t yes = 0, abstain = 0, no = 0, no_with_veto = 0;
};

struct Proposal {
  uint64_t id = 0;
  std::string proposer;
  Plan plan;
  std::string title;
  std::string summary;
  ProposalStatus status = ProposalStatus::kVotingPeriod;
  uint64_t submit_height = 0;
  uint64_t voting_end_height = 0;
  Tally tally;
};

std::optional<Proposal> GetProposal(const KvState& s, uint64_t id);
std::vector<Proposal> AllProposals(const KvState& s);
// Returns the new proposal id, or 0 when the message is invalid (the tx then has no effect).
uint64_t SubmitUpgradeProposal(KvState& s, const SubmitUpgradeProposalTx& tx, uint64_t height);
bool CastVote(KvState& s, const VoteTx& tx);
// Tallies every proposal whose voting period ends at `height`; passed proposals schedule their
// plan (replacing any scheduled one), or fail if the plan height is not in the future.
void EndVotingPeriods(KvState& s, uint64_t height);

// ---- mint (from v3)
constexpr uint64_t kDefaultBlockReward = 1000;

}  // namespace demochain
