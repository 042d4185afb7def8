// The node's two LevelDB databases, laid out as a CometBFT + SDK node lays them out:
// <home>/data/blockstore.db (every block by height, as served to peers) and
// <home>/data/application.db (the app state as of the last committed block, plus its height and
// app hash). Each block commit is one WriteBatch per database, without fsync; Sync() forces a
// synced write on halt and exit. Writes go to the OS on every batch, so a killed process loses
// nothing it reported as committed. LevelDB is thread-safe, so the RPC thread reads blocks
// while the node thread writes.
#pragma once

#include <leveldb/db.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "demochain/core/kv_state.h"

namespace demochain {

class BlockStore {
 public:
  // Returns an error message, or "" on success.
  std::string Open(const std::string& path);
  uint64_t Height() const;                                // 0 when empty
  std::optional<std::string> Get(uint64_t height) const;  // encoded block
  void Put(uint64_t height, const std::string& encoded_block);
  void Sync();

 private:
  std::unique_ptr<leveldb::DB> db_;
  uint64_t height_ = 0;
};

class AppStore {
 public:
  std::string Open(const std::string& path);
  // Loads the whole state into `state`; returns the committed height (0 = no genesis yet).
  uint64_t Load(KvState& state, std::string* app_hash_raw);
  // Writes the changed keys plus the committed height and app hash as one batch.
  void Commit(uint64_t height, const std::string& app_hash_raw,
              const std::map<std::string, std::optional<std::string>>& dirty);
  void Sync();

 private:
  std::unique_ptr<leveldb::DB> db_;
};

}  // namespace demochain
