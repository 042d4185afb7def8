// What each demochaind command does once its flags are parsed (everything but `start`, which
// lives in node/runner.h). Each returns the process exit code and prints results to stdout,
// errors to stderr.
#pragma once

#include <cstdint>
#include <string>

#include "demochain/cli/commands.h"
#include "demochain/core/block.h"
#include "demochain/core/version.h"

namespace demochain {

// --home, else $DEMOCHAIND_HOME, else $DAEMON_HOME (Cosmovisor's), else ~/.demochain.
std::string ResolveHome(const std::string& flag);

int PrintVersion(const BuildInfo& build, const VersionTraits& traits, bool long_form,
                 const std::string& output);

struct InitOptions {
  std::string home;
  std::string moniker = "demochain-node";
  std::string chain_id = "demochain-1";
  int accounts = 100;
  int validators = 4;
  uint64_t voting_period = 10;
  uint64_t fee_fix_height = 0;
  bool overwrite = false;
};
int Init(const VersionTraits& traits, const InitOptions& o);

int Status(const std::string& node_url, const std::string& home);
int PreUpgrade(const VersionTraits& traits, const std::string& home);
int Export(const VersionTraits& traits, const std::string& home);
int KeysList(const std::string& home);
int BroadcastTx(const std::string& node_url, const Tx& tx);

}  // namespace demochain
