// End-to-end fixture around demochain: a real history (demochain/make-history), a real archive
// peer serving it on loopback, a real Replayer registry mirror serving the four releases on
// loopback, and fresh $DAEMON_HOMEs that the real `replayer sync` replays into.
//
// DemoChain is meant to be shared by a test suite (SetUpTestSuite): making a history is the
// expensive part, so histories are also cached across test processes under
// DEMOCHAIN_HISTORY_CACHE, keyed by the binaries, make-history and its arguments (it is
// deterministic); each DemoChain serves its own copy. SyncHome is one test's home. Every child
// process is bounded in time; a DemoChain kills its peer and mirror, a SyncHome every process
// whose environment names its home (Replayer and any node it left behind).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/e2e/harness.h"  // CountOf, REPLAYER_BIN
#include "tests/testing/temp_dir.h"

namespace e2e {

using Env = std::map<std::string, std::string>;

struct ProcResult {
  int exit_code = -1;  // shell convention: 128 + signal when killed
  bool timed_out = false;
  std::string out;
  std::string err;
  std::string all() const { return out + err; }
};

// A child in its own process group, stdin from /dev/null, stdout and stderr to files.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const Env& env, std::string out_path,
          std::string err_path);
  ~Process();  // SIGKILLs the group if still running, and reaps it
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  // Waits at most `timeout`; on time-out kills the group and reports timed_out.
  ProcResult Wait(std::chrono::milliseconds timeout);
  void KillProcessOnly();  // SIGKILL to the process itself, not its group; then reaps it
  std::string Out() const;
  std::string Err() const;

 private:
  void Reap(bool block);
  pid_t pid_ = -1;
  int status_ = 0;
  bool reaped_ = false;
  std::string out_path_, err_path_;
};

// Runs to completion (bounded); output captured under `scratch`.
ProcResult RunProgram(const std::vector<std::string>& argv, const Env& env,
                      const std::string& scratch, std::chrono::milliseconds timeout);

struct HistoryOptions {
  int blocks = 300;
  std::vector<std::string> extra_args;  // more make-history flags
};

class DemoChain {
 public:
  explicit DemoChain(const HistoryOptions& options);  // throws std::runtime_error
  ~DemoChain();

  const nlohmann::json& summary() const { return summary_; }
  std::string chain_id() const { return summary_.at("chain_id"); }
  int64_t tip() const { return summary_.at("blocks"); }
  std::string final_app_hash() const;  // lower-case hex, as NodeStatus::app_hash
  const nlohmann::json& switches() const { return summary_.at("switches"); }
  const std::string& peer_url() const { return peer_url_; }
  const std::string& mirror_url() const { return mirror_url_; }
  std::string genesis() const { return archive_ + "/config/genesis.json"; }
  std::string work() const { return work_.path(); }
  static std::string Binary(const std::string& version);  // DEMOCHAIN_BIN_DIR/demochaind-<v>

  // The mirror's {"<platform>": "<url>?checksum=sha256:<hex>"} for a release (read at start).
  const nlohmann::json& MirrorBinaries(const std::string& version) const;
  // The operator's schedule, as scripts/demo.sh writes it: genesis plus every switch of
  // summary.json, each with its version and the mirror's binaries.
  nlohmann::json OperatorSchedule() const;
  // Writes `schedule` to <work>/<name>.json and returns the path.
  std::string WriteSchedule(const nlohmann::json& schedule, const std::string& name) const;
  // The replayer binary run with a scratch home of the chain's (audit, plans import).
  ProcResult Replayer(const std::vector<std::string>& args,
                      std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;

 private:
  std::string CachedHistory(const HistoryOptions& options);
  testing_util::TempDir work_{"replayer-demochain"};
  std::string archive_;  // this chain's copy of the history home
  nlohmann::json summary_;
  std::unique_ptr<Process> peer_, mirror_;
  std::string peer_url_, mirror_url_;
  std::map<std::string, nlohmann::json> mirror_binaries_;
  mutable int runs_ = 0;
};

// For SetUpTestSuite: starts a DemoChain or keeps the reason it could not.
class SharedChain {
 public:
  void Start(const HistoryOptions& options);
  void Stop() { chain_.reset(); }
  DemoChain* get() const { return chain_.get(); }
  const std::string& error() const { return error_; }

 private:
  std::unique_ptr<DemoChain> chain_;
  std::string error_;
};

struct NodeStatus {
  int64_t height = -1;
  std::string app_hash;  // lower-case hex
  std::string error;     // non-empty when `status` failed
};

// `replayer status --json`, the journal's part.
struct JournalStatus {
  std::vector<std::string> applied;  // the applied upgrades' folders, in order
  bool in_progress = false;          // a switch begun and not ended
  std::string error;                 // non-empty when status failed or printed no such JSON
  std::string out;                   // what it printed
};

// One test's $DAEMON_HOME: config/genesis.json in place, nothing else.
class SyncHome {
 public:
  explicit SyncHome(const DemoChain& chain);
  ~SyncHome();  // kills every process whose environment names this home
  SyncHome(const SyncHome&) = delete;
  SyncHome& operator=(const SyncHome&) = delete;

  const std::string& home() const { return home_; }
  Env EnvWith(const Env& extra = {}) const;

  // `sync --plans <plans> --until <until or the tip> [extra] -- start --peer <peer>
  // --rpc-listen ""`.
  std::vector<std::string> SyncArgs(const std::string& plans, int64_t until = 0,
                                    const std::vector<std::string>& extra = {}) const;
  ProcResult Replayer(const std::vector<std::string>& args, const Env& extra_env = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(90));
  std::unique_ptr<Process> StartReplayer(const std::vector<std::string>& args,
                                         const Env& extra_env = {});
  ProcResult Sync(const std::string& plans, int64_t until = 0, const Env& extra_env = {},
                  std::chrono::milliseconds timeout = std::chrono::seconds(90)) {
    return Replayer(SyncArgs(plans, until), extra_env, timeout);
  }

  NodeStatus Status() const;  // demochaind-v3.0.0 status --home (no node may be running)
  JournalStatus Journal();
  std::string Current() const;  // target of cosmovisor/current, "" when missing
  bool Exists(const std::string& rel) const;
  // Every entry under the home: path, mode, size, mtime (ns; for folders only with
  // `folder_mtimes`), symlink target; sorted. `skip`: relative paths left out with everything
  // below them.
  std::string Listing(const std::vector<std::string>& skip = {}, bool folder_mtimes = false) const;
  // The upgrades/<dir> folders present.
  std::vector<std::string> UpgradeDirs() const;
  // Processes whose environment names this home (Replayer, nodes), and killing them all.
  std::vector<pid_t> ProcessesUsingHome() const;
  void KillEverything() const;

 private:
  const DemoChain& chain_;
  testing_util::TempDir dir_{"replayer-sync"};
  std::string home_;
  int runs_ = 0;
};

}  // namespace e2e
