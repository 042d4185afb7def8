// One demochain node on its home directory: loads genesis and both databases, recovers after a
// crash (re-executes blocks that reached the block store but not the app store), verifies and
// executes blocks one at a time (links, app hash, the x/upgrade checks), commits each as one
// batch per database, writes data/upgrade-info.json when an upgrade it cannot apply is due, and
// keeps a small mempool for transactions submitted over RPC. The node thread calls ProcessBlock;
// the RPC thread reads through WithApp()/blocks(), serialised by one mutex held per block.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "demochain/core/app.h"
#include "demochain/node/stores.h"

namespace demochain {

struct StepResult {
  enum class Kind { kCommitted, kUpgradeNeeded, kFatal };
  Kind kind = Kind::kCommitted;
  std::string message;
};

class Node {
 public:
  Node(std::string home, VersionTraits traits, LogFn log);
  // Opens everything; returns an error message or "". Blocks that reached the block store but
  // not the app store are executed again, except with `execute_below` > 0 any at or past that
  // height (an SDK 0.50 halt height: such a block is never executed, not even on replay).
  std::string Open(uint64_t execute_below = 0);

  // Verifies and executes one block at height Height()+1. With `verify` (blocks from a peer),
  // checks the chain id, the previous block hash and the app hash against this node's own.
  StepResult ProcessBlock(const Block& block, const std::string& encoded, bool verify);
  // The x/upgrade check for the next block, with its side effects (log + upgrade-info.json
  // when an upgrade is needed). kProceed means the next block may run.
  StepResult CheckNext();

  // Builds (does not execute) the next block as a producer: deterministic transfers from the
  // seed, after the mempool's transactions.
  Block BuildNextBlock(uint64_t seed, int transfers);

  uint64_t Height() const { return height_.load(); }
  Hash LastBlockHash() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_block_hash_;
  }
  Hash LastAppHash() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_app_hash_;
  }
  const BlockStore& blocks() const { return blocks_; }
  const std::string& home() const { return home_; }
  const VersionTraits& traits() const { return traits_; }
  const Genesis& genesis() const { return genesis_; }

  template <typename F>
  auto WithApp(F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    return f(static_cast<const App&>(*app_), Height());
  }

  // Mempool (RPC thread adds, producer takes).
  void AddToMempool(std::string encoded_tx);
  size_t MempoolSize();

  // Forces the databases to disk (on halt and exit).
  void Sync();

  std::atomic<bool> upgrade_pending{false};  // stopped at an upgrade this binary cannot apply

 private:
  std::string ReplayFromOwnBlockStore(uint64_t execute_below);
  void WriteUpgradeInfo(const Plan& plan);

  std::string home_;
  VersionTraits traits_;
  LogFn log_;
  Genesis genesis_;
  std::unique_ptr<App> app_;
  BlockStore blocks_;
  AppStore app_store_;
  std::mutex mu_;
  std::atomic<uint64_t> height_{0};
  Hash last_block_hash_{};
  Hash last_app_hash_{};  // app hash after block Height()
  std::mutex mempool_mu_;
  std::vector<std::string> mempool_;
};

// Reads a whole file; returns false when it cannot.
bool ReadFile(const std::string& path, std::string* out);
// Writes a file atomically (temp file + fsync + rename).
bool WriteFileAtomic(const std::string& path, const std::string& content);

}  // namespace demochain
