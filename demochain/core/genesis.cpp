#include "demochain/core/genesis.h"

#include <nlohmann/json.hpp>

#include "demochain/core/block.h"
#include "demochain/core/encoding.h"

namespace demochain {

using nlohmann::json;

std::string MakeAddress(const std::string& label) {
  return "demo1" + HexLower(HashToString(Sha256("demochain-account/" + label))).substr(0, 38);
}

std::string FeeCollectorAddress() { return MakeAddress("module/fee_collector"); }
std::string GovAuthorityAddress() { return MakeAddress("module/gov"); }

Genesis DefaultGenesis(const std::string& chain_id, int accounts, int validators,
                       uint64_t fee_rounding_fix_height, uint64_t voting_period_blocks) {
  Genesis g;
  g.chain_id = chain_id;
  g.fee_rounding_fix_height = fee_rounding_fix_height;
  g.voting_period_blocks = voting_period_blocks;
  for (int i = 0; i < accounts; ++i) {
    GenesisAccount a;
    a.address = MakeAddress("user/" + std::to_string(i));
    a.balance = 1'000'000'000'000ULL;
    a.stake = i < validators ? 1'000'000ULL * static_cast<uint64_t>(validators - i) : 0;
    g.accounts.push_back(a);
  }
  return g;
}

std::string GenesisToJson(const Genesis& g) {
  json balances = json::array();
  json validators = json::array();
  for (const auto& a : g.accounts) {
    balances.push_back(
        {{"address", a.address},
         {"coins", json::array({{{"denom", kDenom}, {"amount", std::to_string(a.balance)}}})}});
    if (a.stake > 0)
      validators.push_back({{"address", a.address}, {"tokens", std::to_string(a.stake)}});
  }
  json j = {
      {"genesis_time", FormatTime(g.genesis_time)},
      {"chain_id", g.chain_id},
      {"initial_height", "1"},
      {"consensus_params",
       {{"block", {{"time_iota_seconds", std::to_string(g.block_time_seconds)}}}}},
      {"app_hash", ""},
      {"app_state",
       {{"bank",
         {{"params",
           {{"fee_bps", std::to_string(g.fee_bps)},
            {"fee_rounding_fix_height", std::to_string(g.fee_rounding_fix_height)}}},
          {"balances", balances}}},
        {"staking", {{"validators", validators}}},
        {"gov", {{"params", {{"voting_period_blocks", std::to_string(g.voting_period_blocks)}}}}},
        {"upgrade", json::object()}}}};
  return j.dump(2) + "\n";
}

static uint64_t U64Field(const json& j, const char* key) {
  const json& v = j.at(key);
  if (v.is_string()) return std::stoull(v.get<std::string>());
  return v.get<uint64_t>();
}

std::string GenesisFromJson(const std::string& text, Genesis* out) {
  try {
    json j = json::parse(text);
    Genesis g;
    g.chain_id = j.at("chain_id").get<std::string>();
    if (!ParseTime(j.at("genesis_time").get<std::string>(), &g.genesis_time))
      return "genesis: bad genesis_time";
    if (j.contains("consensus_params"))
      g.block_time_seconds = U64Field(j["consensus_params"]["block"], "time_iota_seconds");
    const json& app = j.at("app_state");
    const json& bank = app.at("bank");
    g.fee_bps = U64Field(bank.at("params"), "fee_bps");
    g.fee_rounding_fix_height = U64Field(bank.at("params"), "fee_rounding_fix_height");
    g.voting_period_blocks = U64Field(app.at("gov").at("params"), "voting_period_blocks");
    for (const auto& b : bank.at("balances")) {
      GenesisAccount a;
      a.address = b.at("address").get<std::string>();
      for (const auto& c : b.at("coins"))
        if (c.at("denom") == kDenom) a.balance = U64Field(c, "amount");
      g.accounts.push_back(a);
    }
    for (const auto& v : app.at("staking").at("validators")) {
      std::string addr = v.at("address").get<std::string>();
      bool found = false;
      for (auto& a : g.accounts) {
        if (a.address == addr) {
          a.stake = U64Field(v, "tokens");
          found = true;
        }
      }
      if (!found) return "genesis: validator " + addr + " has no account";
    }
    if (g.block_time_seconds == 0) return "genesis: time_iota_seconds must be > 0";
    *out = std::move(g);
    return "";
  } catch (const std::exception& e) {
    return std::string("genesis: ") + e.what();
  }
}

}  // namespace demochain
