// Blocks and transactions: the wire and storage format of demochain. The format is the same in
// every version (a node of any version can serve any block); only how a version *executes* a
// block differs. A block's header carries its height, the hash of the previous block and the
// app hash after the previous block (as CometBFT headers do). Pure data + codecs, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "demochain/core/encoding.h"

namespace demochain {

struct TransferTx {
  std::string from;
  std::string to;
  uint64_t amount = 0;
};

struct SubmitUpgradeProposalTx {
  std::string proposer;
  std::string name;  // plan name
  uint64_t height = 0;
  std::string info;
  std::string title;
  std::string summary;
};

enum class VoteOption : uint8_t { kYes = 1, kAbstain = 2, kNo = 3, kNoWithVeto = 4 };
const char* VoteOptionName(VoteOption o);                        // "VOTE_OPTION_YES", ...
bool ParseVoteOption(const std::string& text, VoteOption* out);  // "yes", "no", ...

struct VoteTx {
  std::string voter;
  uint64_t proposal_id = 0;
  VoteOption option = VoteOption::kYes;
};

using Tx = std::variant<TransferTx, SubmitUpgradeProposalTx, VoteTx>;

std::string EncodeTx(const Tx& tx);
Tx DecodeTx(std::string_view bytes);  // throws DecodeError

struct BlockHeader {
  std::string chain_id;
  uint64_t height = 0;
  uint64_t time_unix = 0;  // seconds; deterministic: genesis time + height * block_time
  Hash last_block_hash{};  // zero for height 1
  Hash app_hash{};         // app hash after executing height-1 (genesis state for height 1)
  uint64_t proposer_index = 0;
};

struct Block {
  BlockHeader header;
  std::vector<std::string> txs;  // encoded transactions, as CometBFT keeps them
};

std::string EncodeBlock(const Block& b);
Block DecodeBlock(std::string_view bytes);  // throws DecodeError
Hash BlockHash(const std::string& encoded_block);

// RFC 3339 UTC timestamp ("2024-01-01T00:00:00Z") for a unix time, and back.
std::string FormatTime(uint64_t unix_seconds);
bool ParseTime(const std::string& text, uint64_t* unix_seconds);

}  // namespace demochain
