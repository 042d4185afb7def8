// The chain's genesis: chain id, start time, accounts with balances and stake, and the module
// parameters (fee rate, the height from which the v2.1.0 fee-rounding fix applies, the gov voting
// period). Parsed from and rendered to <home>/config/genesis.json (CometBFT-like shape with an
// "app_state" per module). Text in, values out: no file access here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace demochain {

constexpr const char* kDenom = "udemo";

struct GenesisAccount {
  std::string address;
  uint64_t balance = 0;
  uint64_t stake = 0;  // > 0 makes the account a validator with that voting power
};

struct Genesis {
  std::string chain_id = "demochain-1";
  uint64_t genesis_time = 1704067200;  // 2024-01-01T00:00:00Z
  uint64_t block_time_seconds = 1;     // block time = genesis_time + height * this
  std::vector<GenesisAccount> accounts;
  uint64_t fee_bps = 25;                 // fee = amount * fee_bps / 10000
  uint64_t fee_rounding_fix_height = 0;  // 0 = never (v2.1.0 rule)
  uint64_t voting_period_blocks = 10;
};

// A deterministic account address ("demo1" + 38 hex digits) derived from a label.
std::string MakeAddress(const std::string& label);
std::string FeeCollectorAddress();
std::string GovAuthorityAddress();

// Builds the default genesis: `accounts` accounts, of which the first `validators` have stake.
Genesis DefaultGenesis(const std::string& chain_id, int accounts, int validators,
                       uint64_t fee_rounding_fix_height, uint64_t voting_period_blocks);

std::string GenesisToJson(const Genesis& g);
// Returns an empty string on success, else an error message.
std::string GenesisFromJson(const std::string& text, Genesis* out);

}  // namespace demochain
