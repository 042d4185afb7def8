// state::cometbft_store: what a stopped CometBFT node's own data says about its height.
//
// A CometBFT (v0.38) home keeps its blocks in `data/blockstore.db` and its last applied state in
// `data/state.db`, both goleveldb directories, which Replayer reads with its own LevelDB (the
// on-disk format is the same). The `blockStore` key of the block store holds the protobuf
// BlockStoreState {int64 base = 1; int64 height = 2}; the `stateKey` key of the state store holds
// the protobuf State whose field 3 is last_block_height (the last block the application executed
// and committed; the block store may hold one block more: CometBFT saves a block before it
// applies it, so a node stopped by a halt keeps the refused block in its block store).
//
// Never writes to a node's directory and never takes its lock: the database is read from a
// private snapshot (immutable table files hard-linked, or copied across file systems; the
// manifest, log and CURRENT copied) that is removed afterwards. goleveldb locks with flock(2),
// which LevelDB's fcntl lock does not see, so the node's lock is tested with flock first: a
// directory whose lock is held (a running node) is refused with kUnavailable, saying so, and the
// caller asks the node instead. The parsers are pure and tested from strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace state {

struct BlockStoreState {
  int64_t base = 0;
  int64_t height = 0;
};

// Decodes a BlockStoreState record. Fields other than 1 and 2 are skipped, as protobuf does;
// truncated, over-long or negative values are errors naming the field.
base::Result<BlockStoreState> ParseBlockStoreState(std::string_view record);
// The last_block_height (field 3) of a State record; 0 when absent (protobuf's default).
base::Result<int64_t> ParseStateLastBlockHeight(std::string_view record);

struct NodeStoreHeights {
  BlockStoreState block_store;           // from data/blockstore.db
  std::optional<int64_t> last_executed;  // from data/state.db, when it holds a state
};

// Reads both stores of `data_dir` (a node's `data/` folder). kNotFound when there is no block
// store or no `blockStore` key in it (a node that never stored a block); kUnavailable when the
// node's lock on a store is held (the node is running). Messages name the directory.
base::Result<NodeStoreHeights> ReadNodeStoreHeights(const std::string& data_dir);

// True when another process holds the goleveldb (flock) lock of the database in `db_dir`.
bool GoLevelDbLockHeld(const std::string& db_dir);

}  // namespace state
