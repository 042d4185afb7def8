// End-to-end fixture around a real Cosmos SDK chain (sdkchain/): the simd binaries built by
// sdkchain/build.sh (release 1 on SDK v0.50, release 2 on SDK v0.53), a single-validator
// localnet made with sdkchain/localnet.sh in a TestHome, and the real CLI for governance.
//
// It owns nothing of Replayer: tests run the real `replayer` through e2e::TestHome. Every child
// it runs is bounded in time; the TestHome kills whatever still names its home on destruction.
// When the binaries are missing (no Go >= 1.23 at build time) Require() fails the test with
// build.sh's own message: these tests never skip.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/harness.h"

namespace sdkchain {

using Env = std::map<std::string, std::string>;

constexpr const char* kUpgradeName = "v050-to-v053";

std::string Simd050();  // absolute paths under SDKCHAIN_BIN_DIR: SDK v0.50.15
std::string Simd053();  // SDK v0.53.8: release 2's patch release (the halt-height switch target)
std::string Simd0537();  // SDK v0.53.7: release 2 (the governance upgrade target of the demo)
// SDK v0.50.15: release 1 with a "v050-to-v053" handler, as installed too early (`version`
// v0.50.15-early): x/upgrade refuses it while the plan is stored but not yet due.
std::string SimdEarlyHandler();
// "" when all the binaries are there, else why not (build.sh's message when it left one).
std::string MissingBinaries();
// The comparison anchor, Cosmovisor v1.5.0 (`sdkchain/build.sh cosmovisor`), and "" when it is
// there, else why not.
std::string Cosmovisor();
std::string MissingCosmovisor();

struct Cmd {
  int exit_code = -1;
  bool timed_out = false;
  std::string out;
  std::string err;
  std::string all() const { return out + err; }
};

// Runs argv to completion (bounded) with exactly `env`; output captured under `scratch`.
Cmd RunCmd(const std::vector<std::string>& argv, const Env& env, const std::string& scratch,
           std::chrono::seconds timeout);

// The localnet in `home.home()`, made by `localnet.sh init` with the release-1 binary.
class Localnet {
 public:
  explicit Localnet(e2e::TestHome& home, const std::string& simd = Simd050());
  // A fresh full node of `validator`'s chain (`localnet.sh join`): its genesis, and
  // persistent_peers = the validator at its loopback P2P address; block sync from there.
  Localnet(e2e::TestHome& home, const Localnet& validator, const std::string& simd = Simd050());
  const std::string& home() const { return home_; }
  int Port(const std::string& key) const;  // RPC_PORT, API_PORT, ... from sdkchain.env

  int64_t Height() const;  // RPC /status, 0 when it does not answer
  // Waits until /status reports >= h; returns the height seen (or the last one on time-out).
  int64_t WaitHeight(int64_t h, std::chrono::seconds timeout) const;
  // Submits the software-upgrade proposal (full deposit) with the validator's yes vote in the
  // same tx (`localnet.sh propose`); returns the proposal id. Uses the release-1 CLI.
  std::string ProposeAndVote(const std::string& name, int64_t height, const std::string& info = "");
  std::string ProposalStatus(const std::string& id) const;
  // GET http://127.0.0.1:<API_PORT><path>, "" on failure.
  std::string RestGet(const std::string& path) const;

  Cmd Script(const std::vector<std::string>& args, std::chrono::seconds timeout) const;
  // GET http://127.0.0.1:<RPC_PORT><path>, "" on failure.
  std::string RpcGet(const std::string& path) const;

 private:
  std::string home_;
  std::string scratch_;
  std::string simd_;
  std::map<std::string, int> ports_;
  void ReadPorts();
};

// Counts of `needle` in `haystack`.
int Count(const std::string& haystack, const std::string& needle);

}  // namespace sdkchain
