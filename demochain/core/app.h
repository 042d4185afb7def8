// The demochain application (ABCI-app analogue): genesis, the per-block checks x/upgrade makes
// before a block runs (upgrade needed, binary updated before trigger, handler missing after a
// downgrade), block execution (upgrade handler + migrations, mint, transactions, gov tally), the
// app hash, and the queries the REST server and `export` need. Pure: no files, no sockets; log
// lines go through a callback. Not thread-safe; the node holds a lock around every call.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "demochain/core/block.h"
#include "demochain/core/genesis.h"
#include "demochain/core/kv_state.h"
#include "demochain/core/modules.h"
#include "demochain/core/version.h"

namespace demochain {

using LogFn = std::function<void(const std::string& level, const std::string& message)>;

struct UpgradeCheck {
  enum class Kind {
    kProceed,         // run the block (an upgrade handler may run first)
    kUpgradeNeeded,   // plan due, no handler: stop, write upgrade-info.json
    kRefused,         // BINARY UPDATED BEFORE TRIGGER
    kHandlerMissing,  // started after an upgrade this binary does not know
  };
  Kind kind = Kind::kProceed;
  Plan plan;
  std::string message;  // the exact x/upgrade text for every kind but kProceed
};

class App {
 public:
  App(VersionTraits traits, Genesis genesis, LogFn log);

  // Writes the genesis state, wiring the modules of this binary at its versions.
  void InitChain();

  // What x/upgrade's BeginBlocker decides for the block at `height`, before anything changes.
  UpgradeCheck CheckBeforeBlock(uint64_t height);

  // Executes a block whose CheckBeforeBlock said kProceed. Throws std::runtime_error on a state
  // the binary cannot handle (a missing migration). Invalid transactions have no effect.
  void ExecuteBlock(const Block& block);

  Hash AppHash() const { return state_.AppHash(); }
  KvState& state() { return state_; }
  const KvState& state() const { return state_; }
  const Genesis& genesis() const { return genesis_; }
  const VersionTraits& traits() const { return traits_; }

  uint64_t BankVersion() const;
  bool FeeRoundsUp(uint64_t height) const;
  uint64_t BlockTime(uint64_t height) const;

  // Whole-state export, as `<daemon> export` prints it.
  nlohmann::json Export(uint64_t height) const;

 private:
  void DeliverTx(const std::string& encoded, uint64_t height);
  void ApplyUpgrade(const Plan& plan, uint64_t height);
  void MintBlockReward(const BlockHeader& header);

  VersionTraits traits_;
  Genesis genesis_;
  LogFn log_;
  KvState state_;
  bool downgrade_verified_ = false;
};

// Deterministic pseudo-random transfers for block `height` of a chain produced with `seed`:
// the same inputs always give the same transactions, whatever the binary version.
std::vector<std::string> MakeRandomTransfers(uint64_t seed, uint64_t height, int count,
                                             const Genesis& genesis);

}  // namespace demochain
