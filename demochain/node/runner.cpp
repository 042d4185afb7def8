#include "demochain/node/runner.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "demochain/node/block_fetcher.h"
#include "demochain/node/log.h"
#include "demochain/node/node.h"
#include "demochain/node/rpc_server.h"

namespace demochain {

namespace {

// Set once by a signal; loops poll it and sleep on it.
class StopFlag {
 public:
  void Set() {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }
  bool IsSet() {
    std::lock_guard<std::mutex> lock(mu_);
    return stopped_;
  }
  // Sleeps up to ms; returns true when stopped.
  bool WaitFor(uint64_t ms) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopped_; });
    return stopped_;
  }
  void WaitForever() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stopped_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

// kHaltRefused: an SDK 0.50 halt (block at --halt-height refused; the node stays up).
enum class Outcome { kStopped, kHalted, kHaltRefused, kUpgradeNeeded, kFatal };

class Runner {
 public:
  Runner(const StartOptions& o, Node& node, StopFlag& stop, LogFn log)
      : o_(o), node_(node), stop_(stop), log_(std::move(log)) {}

  Outcome Run() {
    if (node_.upgrade_pending) return Outcome::kUpgradeNeeded;
    if (HaltReached()) return Outcome::kHalted;
    if (o_.produce) return Produce();
    if (!o_.peer.empty()) return Sync();
    stop_.WaitForever();
    return Outcome::kStopped;
  }

 private:
  bool Sdk50() const { return o_.halt_behavior != HaltBehavior::kSdk47; }
  // The first height a 0.50 node refuses: H (0.50.10+) or H+1 (0.50.0-0.50.9).
  uint64_t FirstRefused() const {
    return o_.halt_behavior == HaltBehavior::kSdk50Early ? o_.halt_height + 1 : o_.halt_height;
  }

  // SDK <= 0.47: after committing the halt height (or at start, at or past it), stop.
  bool HaltReached() {
    if (Sdk50()) return false;
    if (o_.halt_height == 0 || node_.Height() < o_.halt_height) return false;
    log_("INF", "halting node per configuration height=" + std::to_string(node_.Height()) +
                    " halt-height=" + std::to_string(o_.halt_height));
    return true;
  }

  // SDK 0.50+: FinalizeBlock refuses any block at or past the halt height before executing it
  // (before x/upgrade's PreBlocker), and CometBFT logs the error as a consensus failure. The
  // caller then idles: the process stays alive until it is signalled.
  bool RefusesHalt(uint64_t height) {
    if (!Sdk50() || o_.halt_height == 0 || height < FirstRefused()) return false;
    log_("ERR", "CONSENSUS FAILURE!!! err=\"halt per configuration height " +
                    std::to_string(o_.halt_height) + " time 0\" height=" + std::to_string(height) +
                    " module=consensus");
    return true;
  }

  // After a commit: one progress line per block (as CometBFT's "committed state height=N"; a
  // supervisor reads progress and switch downtime from these), then the halt check.
  bool AfterCommit() {
    uint64_t h = node_.Height();
    log_("INF", "committed block height=" + std::to_string(h));
    return HaltReached();
  }

  Outcome FromStep(const StepResult& r) {
    if (r.kind == StepResult::Kind::kUpgradeNeeded) return Outcome::kUpgradeNeeded;
    log_("ERR", r.message);
    return Outcome::kFatal;
  }

  Outcome Produce() {
    if (o_.await_txs > 0) {
      log_("INF", "waiting for " + std::to_string(o_.await_txs) + " mempool transactions");
      auto deadline =
          std::chrono::steady_clock::now() + std::chrono::milliseconds(o_.await_txs_timeout_ms);
      while (node_.MempoolSize() < o_.await_txs) {
        if (stop_.WaitFor(10)) return Outcome::kStopped;
        if (std::chrono::steady_clock::now() > deadline) {
          log_("ERR", "timed out waiting for mempool transactions");
          return Outcome::kFatal;
        }
      }
    }
    log_("INF", "producing blocks from height " + std::to_string(node_.Height() + 1));
    while (!stop_.IsSet()) {
      if (RefusesHalt(node_.Height() + 1)) return Outcome::kHaltRefused;
      StepResult check = node_.CheckNext();
      if (check.kind != StepResult::Kind::kCommitted) return FromStep(check);
      Block block = node_.BuildNextBlock(o_.seed, o_.transfers_per_block);
      StepResult r = node_.ProcessBlock(block, EncodeBlock(block), false);
      if (r.kind != StepResult::Kind::kCommitted) return FromStep(r);
      if (AfterCommit()) return Outcome::kHalted;
      if (o_.block_interval_ms > 0 && stop_.WaitFor(o_.block_interval_ms)) break;
    }
    return Outcome::kStopped;
  }

  Outcome Sync() {
    log_("INF", "syncing from peer " + o_.peer + " at height " + std::to_string(node_.Height()));
    // sdk47 fetches nothing past the halt height; sdk50 fetches up to the first block it will
    // refuse, as a CometBFT node receives the block it then fails to finalize.
    uint64_t last = o_.halt_height;
    if (Sdk50() && last > 0) last = std::max(FirstRefused(), node_.Height() + 1);
    BlockFetcher fetcher(o_.peer, node_.Height() + 1, o_.fetch_batch, last, log_);
    std::vector<std::string> encoded;
    while (!stop_.IsSet()) {
      if (!fetcher.Next(&encoded, 100)) break;
      for (const auto& bytes : encoded) {
        Block block;
        try {
          block = DecodeBlock(bytes);
        } catch (const DecodeError& e) {
          log_("ERR", "peer sent an undecodable block at height " +
                          std::to_string(node_.Height() + 1) + ": " + e.what());
          return Outcome::kFatal;
        }
        if (RefusesHalt(node_.Height() + 1)) return Outcome::kHaltRefused;
        StepResult r = node_.ProcessBlock(block, bytes, true);
        if (r.kind != StepResult::Kind::kCommitted) return FromStep(r);
        if (AfterCommit()) return Outcome::kHalted;
        if (stop_.IsSet()) break;
      }
    }
    return Outcome::kStopped;
  }

  const StartOptions& o_;
  Node& node_;
  StopFlag& stop_;
  LogFn log_;
};

}  // namespace

int RunStart(const VersionTraits& traits, const StartOptions& o) {
  LogFn log = StderrLogger();
  log("INF", "starting demochaind " + traits.version + " home=" + o.home);
  Node node(o.home, traits, log);
  const uint64_t execute_below =
      o.halt_behavior == HaltBehavior::kSdk50
          ? o.halt_height
          : (o.halt_behavior == HaltBehavior::kSdk50Early && o.halt_height > 0 ? o.halt_height + 1
                                                                               : uint64_t{0});
  if (std::string err = node.Open(execute_below); !err.empty()) {
    log("ERR", err);
    return kExitFatal;
  }
  StopFlag stop;
  RpcServer server(node, log);
  if (!o.rpc_listen.empty()) {
    if (std::string err = server.Listen(o.rpc_listen); !err.empty()) {
      log("ERR", err);
      return kExitFatal;
    }
    std::string host = o.rpc_listen.substr(0, o.rpc_listen.rfind(':'));
    log("INF", "rpc listening on " + host + ":" + std::to_string(server.port()));
    if (!o.rpc_port_file.empty() &&
        !WriteFileAtomic(o.rpc_port_file, std::to_string(server.port()) + "\n")) {
      log("ERR", "cannot write " + o.rpc_port_file);
      return kExitFatal;
    }
  }
  server.Start([&] {
    log("INF", "received signal, shutting down");
    stop.Set();
  });

  Outcome outcome = Runner(o, node, stop, log).Run();
  int code = kExitOk;
  if (outcome == Outcome::kFatal) {
    code = kExitFatal;
  } else if (outcome == Outcome::kHaltRefused) {
    // As an SDK 0.50 node after its halt: no more blocks, RPC stays up, exit only on a signal.
    stop.WaitForever();
  } else if (outcome == Outcome::kUpgradeNeeded) {
    if (o.exit_on_upgrade_needed) {
      code = kExitUpgradeNeeded;
    } else {
      // As a CometBFT node after x/upgrade panics: no more blocks, but RPC stays up.
      stop.WaitForever();
    }
  }
  server.Stop();
  node.Sync();
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  log("INF", "stopped at height " + std::to_string(node.Height()) + " exit=" +
                 std::to_string(code) + " max_rss_kb=" + std::to_string(usage.ru_maxrss));
  return code;
}

}  // namespace demochain
