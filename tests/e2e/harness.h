// End-to-end test harness: a real $DAEMON_HOME in a temp dir, script nodes written from
// script_node.sh.in, and the real `replayer` binary run as a child with a controlled environment.
// Every child is bounded in time; on destruction every process still using the home is killed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tests/testing/temp_dir.h"

namespace e2e {

struct NodeSpec {
  std::string version = "v1";
  std::string upgrade_name;  // plan this binary halts at ("" none)
  int64_t upgrade_height = 0;
  std::string on_upgrade = "keep-running";
  std::string malformed;
  std::string preupgrade_exits = "0";
  std::string trap_int;
  std::string commit_log = "plain";  // "cometbft": logs CometBFT's committed-state line per block
  std::string stall_at;              // "" or a height this binary never commits (idles there)
};

struct RunResult {
  int exit_code = -1;  // shell convention: 128 + signal when killed
  bool timed_out = false;
  std::string out;
  std::string err;
};

class TestHome {
 public:
  TestHome();
  ~TestHome();

  const std::string& home() const { return home_; }
  std::string daemon() const { return "simd"; }
  std::map<std::string, std::string>& env() { return env_; }

  // Writes a script node to `path` (mode 0755, or `mode`).
  void WriteNode(const std::string& path, const NodeSpec& spec, int mode = 0755) const;
  // cosmovisor/genesis/bin/simd via `replayer init`.
  void InitGenesis(const NodeSpec& spec);
  // cosmovisor/upgrades/<dir>/bin/simd written directly.
  void PlaceUpgrade(const std::string& dir, const NodeSpec& spec, int mode = 0755) const;

  RunResult Run(const std::vector<std::string>& args,
                const std::map<std::string, std::string>& extra_env = {},
                std::chrono::seconds timeout = std::chrono::seconds(30));
  pid_t Start(const std::vector<std::string>& args,
              const std::map<std::string, std::string>& extra_env = {});
  RunResult Wait(pid_t pid, std::chrono::seconds timeout = std::chrono::seconds(30));
  // What a process from Start has written to stderr so far.
  std::string ErrSoFar(pid_t pid) const;

  std::string NodeLog() const;
  int CountInLog(const std::string& needle) const;
  std::string Current() const;  // target of cosmovisor/current, "" if missing
  int64_t Height() const;
  std::string ReadFile(const std::string& rel) const;
  bool Exists(const std::string& rel) const;

 private:
  testing_util::TempDir dir_;
  std::string home_;
  std::map<std::string, std::string> env_;
  int runs_ = 0;
  std::map<pid_t, int> run_ids_;
};

int CountOf(const std::string& haystack, const std::string& needle);

// /bin/true with its ELF machine changed to another architecture (aarch64 on x86-64, x86-64
// elsewhere): a real ELF executable that this machine cannot run. Written with mode 0755.
void WriteForeignElf(const std::string& path);

// Forks and execs argv[0] with exactly `env`, in its own process group, stdin from /dev/null,
// stdout and stderr to the files `out` and `err` (truncated), all signals unblocked. Returns the
// child's pid; throws std::runtime_error when fork fails.
pid_t SpawnToFiles(const std::vector<std::string>& argv,
                   const std::map<std::string, std::string>& env, const std::string& out,
                   const std::string& err);

}  // namespace e2e
