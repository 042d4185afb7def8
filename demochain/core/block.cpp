#include "demochain/core/block.h"

#include <cstdio>
#include <ctime>

namespace demochain {

namespace {
constexpr uint8_t kTransfer = 1;
constexpr uint8_t kSubmitUpgrade = 2;
constexpr uint8_t kVote = 3;
constexpr uint8_t kBlockFormat = 1;
}  // namespace

const char* VoteOptionName(VoteOption o) {
  switch (o) {
    case VoteOption::kYes:
      return "VOTE_OPTION_YES";
    case VoteOption::kAbstain:
      return "VOTE_OPTION_ABSTAIN";
    case VoteOption::kNo:
      return "VOTE_OPTION_NO";
    case VoteOption::kNoWithVeto:
      return "VOTE_OPTION_NO_WITH_VETO";
  }
  return "VOTE_OPTION_UNSPECIFIED";
}

bool ParseVoteOption(const std::string& text, VoteOption* out) {
  if (text == "yes")
    *out = VoteOption::kYes;
  else if (text == "abstain")
    *out = VoteOption::kAbstain;
  else if (text == "no")
    *out = VoteOption::kNo;
  else if (text == "no_with_veto")
    *out = VoteOption::kNoWithVeto;
  else
    return false;
  return true;
}

std::string EncodeTx(const Tx& tx) {
  ByteWriter w;
  if (const auto* t = std::get_if<TransferTx>(&tx)) {
    w.U8(kTransfer);
    w.Bytes(t->from);
    w.Bytes(t->to);
    w.U64(t->amount);
  } else if (const auto* p = std::get_if<SubmitUpgradeProposalTx>(&tx)) {
    w.U8(kSubmitUpgrade);
    w.Bytes(p->proposer);
    w.Bytes(p->name);
    w.U64(p->height);
    w.Bytes(p->info);
    w.Bytes(p->title);
    w.Bytes(p->summary);
  } else {
    const auto& v = std::get<VoteTx>(tx);
    w.U8(kVote);
    w.Bytes(v.voter);
    w.U64(v.proposal_id);
    w.U8(static_cast<uint8_t>(v.option));
  }
  return w.Take();
}

Tx DecodeTx(std::string_view bytes) {
  ByteReader r(bytes);
  Tx out;
  switch (r.U8()) {
    case kTransfer: {
      TransferTx t;
      t.from = r.Bytes();
      t.to = r.Bytes();
      t.amount = r.U64();
      out = t;
      break;
    }
    case kSubmitUpgrade: {
      SubmitUpgradeProposalTx p;
      p.proposer = r.Bytes();
      p.name = r.Bytes();
      p.height = r.U64();
      p.info = r.Bytes();
      p.title = r.Bytes();
      p.summary = r.Bytes();
      out = p;
      break;
    }
    case kVote: {
      VoteTx v;
      v.voter = r.Bytes();
      v.proposal_id = r.U64();
      uint8_t o = r.U8();
      if (o < 1 || o > 4) throw DecodeError("bad vote option");
      v.option = static_cast<VoteOption>(o);
      out = v;
      break;
    }
    default:
      throw DecodeError("unknown transaction type");
  }
  if (!r.AtEnd()) throw DecodeError("trailing bytes after transaction");
  return out;
}

std::string EncodeBlock(const Block& b) {
  ByteWriter w;
  w.U8(kBlockFormat);
  w.Bytes(b.header.chain_id);
  w.U64(b.header.height);
  w.U64(b.header.time_unix);
  w.HashBytes(b.header.last_block_hash);
  w.HashBytes(b.header.app_hash);
  w.U64(b.header.proposer_index);
  w.U64(b.txs.size());
  for (const auto& tx : b.txs) w.Bytes(tx);
  return w.Take();
}

Block DecodeBlock(std::string_view bytes) {
  ByteReader r(bytes);
  if (r.U8() != kBlockFormat) throw DecodeError("unknown block format");
  Block b;
  b.header.chain_id = r.Bytes();
  b.header.height = r.U64();
  b.header.time_unix = r.U64();
  b.header.last_block_hash = r.HashBytes();
  b.header.app_hash = r.HashBytes();
  b.header.proposer_index = r.U64();
  uint64_t n = r.U64();
  if (n > bytes.size()) throw DecodeError("bad transaction count");
  b.txs.reserve(n);
  for (uint64_t i = 0; i < n; ++i) b.txs.push_back(r.Bytes());
  if (!r.AtEnd()) throw DecodeError("trailing bytes after block");
  return b;
}

Hash BlockHash(const std::string& encoded_block) { return Sha256(encoded_block); }

std::string FormatTime(uint64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool ParseTime(const std::string& text, uint64_t* unix_seconds) {
  std::tm tm{};
  int y, mo, d, h, mi, s;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &s) != 6) return false;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  std::time_t t = timegm(&tm);
  if (t < 0) return false;
  *unix_seconds = static_cast<uint64_t>(t);
  return true;
}

}  // namespace demochain
