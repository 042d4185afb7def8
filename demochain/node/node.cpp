#include "demochain/node/node.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace demochain {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

bool WriteFileAtomic(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n <= 0) {
      ::close(fd);
      return false;
    }
    off += static_cast<size_t>(n);
  }
  bool ok = ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  return ok && std::rename(tmp.c_str(), path.c_str()) == 0;
}

Node::Node(std::string home, VersionTraits traits, LogFn log)
    : home_(std::move(home)), traits_(std::move(traits)), log_(std::move(log)) {}

std::string Node::Open(uint64_t execute_below) {
  std::string text;
  const std::string genesis_path = home_ + "/config/genesis.json";
  if (!ReadFile(genesis_path, &text))
    return "cannot read " + genesis_path + " (run `demochaind init` first)";
  if (std::string err = GenesisFromJson(text, &genesis_); !err.empty()) return err;
  std::error_code ec;
  std::filesystem::create_directories(home_ + "/data", ec);
  if (std::string err = blocks_.Open(home_ + "/data/blockstore.db"); !err.empty()) return err;
  if (std::string err = app_store_.Open(home_ + "/data/application.db"); !err.empty()) return err;
  app_ = std::make_unique<App>(traits_, genesis_, log_);
  std::string app_hash_raw;
  uint64_t h = 0;
  try {
    h = app_store_.Load(app_->state(), &app_hash_raw);
  } catch (const std::exception& e) {
    return std::string("application.db: ") + e.what();
  }
  if (h == 0 && app_->state().size() == 0) {
    app_->InitChain();
    app_store_.Commit(0, HashToString(app_->AppHash()), app_->state().TakeDirty());
    log_("INF", "initialised chain " + genesis_.chain_id + " from genesis with " + traits_.version);
  }
  height_ = h;
  last_app_hash_ = app_->AppHash();
  if (h > 0) {
    auto last = blocks_.Get(h);
    if (!last) return "block store lacks block " + std::to_string(h) + " of the app state";
    last_block_hash_ = BlockHash(*last);
  }
  if (blocks_.Height() < h)
    return "block store height " + std::to_string(blocks_.Height()) +
           " is behind application state height " + std::to_string(h);
  return ReplayFromOwnBlockStore(execute_below);
}

std::string Node::ReplayFromOwnBlockStore(uint64_t execute_below) {
  uint64_t target = blocks_.Height();
  if (execute_below > 0 && target >= execute_below) target = std::max(Height(), execute_below - 1);
  if (target == Height()) return "";
  log_("INF", "replaying blocks " + std::to_string(Height() + 1) + ".." + std::to_string(target) +
                  " from the block store");
  while (Height() < target) {
    auto encoded = blocks_.Get(Height() + 1);
    if (!encoded) return "block store lacks block " + std::to_string(Height() + 1);
    StepResult r = ProcessBlock(DecodeBlock(*encoded), *encoded, true);
    if (r.kind == StepResult::Kind::kFatal) return r.message;
    if (r.kind == StepResult::Kind::kUpgradeNeeded) break;
  }
  return "";
}

void Node::WriteUpgradeInfo(const Plan& plan) {
  const std::string path = home_ + "/data/upgrade-info.json";
  if (!WriteFileAtomic(path, UpgradeInfoJson(plan))) log_("ERR", "failed to write " + path);
}

StepResult Node::CheckNext() {
  std::lock_guard<std::mutex> lock(mu_);
  StepResult r;
  UpgradeCheck c = app_->CheckBeforeBlock(Height() + 1);
  switch (c.kind) {
    case UpgradeCheck::Kind::kProceed:
      return r;
    case UpgradeCheck::Kind::kUpgradeNeeded:
      // As x/upgrade: the file first, then the error line; the node stays up for RPC.
      WriteUpgradeInfo(c.plan);
      log_("ERR", c.message);
      upgrade_pending = true;
      r.kind = StepResult::Kind::kUpgradeNeeded;
      r.message = c.message;
      return r;
    case UpgradeCheck::Kind::kRefused:
    case UpgradeCheck::Kind::kHandlerMissing:
      r.kind = StepResult::Kind::kFatal;
      r.message = c.message;
      return r;
  }
  return r;
}

StepResult Node::ProcessBlock(const Block& block, const std::string& encoded, bool verify) {
  const uint64_t h = Height() + 1;
  StepResult r;
  r.kind = StepResult::Kind::kFatal;
  if (block.header.height != h) {
    r.message = "unexpected block height " + std::to_string(block.header.height) + ", want " +
                std::to_string(h);
    return r;
  }
  if (verify) {
    if (block.header.chain_id != genesis_.chain_id) {
      r.message = "wrong chain id at height " + std::to_string(h) + ": expected " +
                  genesis_.chain_id + ", got " + block.header.chain_id;
      return r;
    }
    if (block.header.last_block_hash != last_block_hash_) {
      r.message = "block link mismatch at height " + std::to_string(h) +
                  ": expected previous block hash " + HexUpper(block.header.last_block_hash) +
                  ", got " + HexUpper(last_block_hash_);
      return r;
    }
  }
  StepResult check = CheckNext();
  if (check.kind != StepResult::Kind::kCommitted) return check;
  std::lock_guard<std::mutex> lock(mu_);
  if (verify) {
    const Hash& ours = last_app_hash_;
    if (block.header.app_hash != ours) {
      r.message = "app hash mismatch at height " + std::to_string(h) + ": expected " +
                  HexUpper(block.header.app_hash) + ", got " + HexUpper(ours);
      return r;
    }
  }
  Hash app_hash;
  try {
    app_->ExecuteBlock(block);
    app_hash = app_->AppHash();
    blocks_.Put(h, encoded);
    app_store_.Commit(h, HashToString(app_hash), app_->state().TakeDirty());
  } catch (const std::exception& e) {
    r.message = "executing block " + std::to_string(h) + ": " + e.what();
    return r;
  }
  last_block_hash_ = BlockHash(encoded);
  last_app_hash_ = app_hash;
  height_ = h;
  r.kind = StepResult::Kind::kCommitted;
  return r;
}

Block Node::BuildNextBlock(uint64_t seed, int transfers) {
  Block b;
  {
    std::lock_guard<std::mutex> lock(mu_);
    b.header.chain_id = genesis_.chain_id;
    b.header.height = Height() + 1;
    b.header.time_unix = app_->BlockTime(b.header.height);
    b.header.last_block_hash = last_block_hash_;
    b.header.app_hash = last_app_hash_;
    b.header.proposer_index = b.header.height;
  }
  {
    std::lock_guard<std::mutex> lock(mempool_mu_);
    b.txs.swap(mempool_);
  }
  for (auto& tx : MakeRandomTransfers(seed, b.header.height, transfers, genesis_))
    b.txs.push_back(std::move(tx));
  return b;
}

void Node::AddToMempool(std::string encoded_tx) {
  std::lock_guard<std::mutex> lock(mempool_mu_);
  mempool_.push_back(std::move(encoded_tx));
}

size_t Node::MempoolSize() {
  std::lock_guard<std::mutex> lock(mempool_mu_);
  return mempool_.size();
}

void Node::Sync() {
  blocks_.Sync();
  app_store_.Sync();
}

}  // namespace demochain
