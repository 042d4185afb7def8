// `demochaind start`: opens the node, serves RPC, and runs one of three loops on the calling
// thread until a halt height, an upgrade, a fatal error or a signal ends it: producing blocks
// (--produce, deterministic transfers from --seed), syncing from a peer (--peer, batched range
// fetches, every block verified), or idling (serve only). Returns the process exit code:
// 0 = halted at --halt-height (SDK <= 0.47 behaviour) or stopped by SIGINT/SIGTERM, 1 = fatal
// error (app hash mismatch, BINARY UPDATED BEFORE TRIGGER, handler missing, ...), 2 = upgrade
// needed with --exit-on-upgrade-needed.
//
// --halt-behavior sdk50 mimics Cosmos SDK 0.50+ (PR #16639): block H = --halt-height is refused
// before it executes (the last committed block is H-1), the node logs CometBFT's
// `CONSENSUS FAILURE!!! err="halt per configuration height H time 0"` and then idles, serving
// RPC, until SIGINT/SIGTERM (exit 0); it never exits by itself. --halt-behavior sdk50early mimics
// SDK 0.50.0-0.50.9 (the same check with `>`): block H is committed, H+1 is refused with the
// same line (naming H), and the node idles the same way.
#pragma once

#include <cstdint>
#include <string>

#include "demochain/core/version.h"

namespace demochain {

// What --halt-height means: commit H then exit (SDK <= 0.47), refuse H and stay up (0.50.10+),
// or commit H, refuse H+1 and stay up (0.50.0-0.50.9).
enum class HaltBehavior { kSdk47, kSdk50, kSdk50Early };

struct StartOptions {
  std::string home;
  std::string rpc_listen = "127.0.0.1:26657";  // empty: no server
  std::string rpc_port_file;                   // written with the bound port
  std::string peer;                            // http://host:port of a node to sync from
  bool produce = false;
  uint64_t seed = 1;
  int transfers_per_block = 20;
  uint64_t block_interval_ms = 0;  // producer pace; 0 = as fast as possible
  uint64_t halt_height = 0;        // sdk47: stop after committing it; sdk50: never execute it
  HaltBehavior halt_behavior = HaltBehavior::kSdk47;
  bool exit_on_upgrade_needed = false;
  uint64_t await_txs = 0;  // producer: wait for this many mempool txs before the first block
  uint64_t await_txs_timeout_ms = 60000;
  uint64_t fetch_batch = 500;  // blocks per range request when syncing
};

constexpr int kExitOk = 0;
constexpr int kExitFatal = 1;
constexpr int kExitUpgradeNeeded = 2;

int RunStart(const VersionTraits& traits, const StartOptions& options);

}  // namespace demochain
