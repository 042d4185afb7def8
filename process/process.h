// process::ProcessLauncher: the one seam through which Replayer starts and signals processes.
//
// It sits below binary-registry (which probes a binary's `version` through it) and the rooms of
// replayer/, which see it as replayer::ProcessLauncher (replayer/process/process.h).
// The real implementation (PosixProcessLauncher) is the only code that calls posix_spawn, kill
// and waitpid. Every child starts with posix_spawn (never through /bin/sh), a clean signal mask,
// default dispositions for the signals Replayer handles, optionally its own process group, and
// close-on-exec pipes for stdout/stderr when the caller wants to read them. Tests of the
// supervisor logic may pass a fake; the real one is tested against real children.
// Nothing here is asynchronous: the event loop (supervisor.h) decides when to reap.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace process {

struct SpawnOptions {
  std::string path;               // absolute path of the executable
  std::vector<std::string> args;  // argv[1..]
  std::string cwd;                // empty: inherit
  bool capture_output = false;    // stdout/stderr to pipes the caller reads; else inherited
  bool new_process_group = true;  // the child leads its own group (signals reach grandchildren)
  // Variables set for the child on top of Replayer's own environment (replacing one of the name).
  std::vector<std::pair<std::string, std::string>> env;
  bool merge_stderr = false;  // with capture_output: stderr into the stdout pipe (stderr_fd -1)
  bool stdin_null = false;    // stdin from /dev/null instead of inherited
};

struct SpawnedProcess {
  pid_t pid = -1;
  int stdout_fd = -1;  // read ends, owned by the caller, -1 unless capture_output
  int stderr_fd = -1;
};

// How a child ended. exit_code follows the shell convention: the exit status, or 128 + signal.
struct ExitInfo {
  int exit_code = 0;
  bool signaled = false;
  int signal = 0;
  std::string Describe() const;
};

class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;
  virtual base::Result<SpawnedProcess> Spawn(const SpawnOptions& options) = 0;
  // Sends `sig` to the process, or to its whole group when `group` (the child must have been
  // spawned with new_process_group). A process that is already gone is not an error.
  virtual base::Status Signal(pid_t pid, int sig, bool group) = 0;
  // Reaps `pid` if it has exited, without blocking. Before reaping, a child that led its own
  // group has its group killed (SIGKILL) when `kill_group_on_exit`, so no grandchild survives.
  virtual std::optional<ExitInfo> TryReap(pid_t pid, bool kill_group_on_exit) = 0;
  // Blocks until `pid` exits (used for short hooks, never for the node).
  virtual ExitInfo Wait(pid_t pid) = 0;
};

class PosixProcessLauncher final : public ProcessLauncher {
 public:
  base::Result<SpawnedProcess> Spawn(const SpawnOptions& options) override;
  base::Status Signal(pid_t pid, int sig, bool group) override;
  std::optional<ExitInfo> TryReap(pid_t pid, bool kill_group_on_exit) override;
  ExitInfo Wait(pid_t pid) override;
};

// Runs a short-lived command to completion with inherited stdout/stderr (hooks, `version`).
// On timeout the command's group is killed and kUnavailable is returned. A command that cannot
// start at all (missing, not executable) is kFailedPrecondition naming the path.
// `stop_requested` (may be empty) is asked every few milliseconds while the command runs; when
// it answers true the command's group gets SIGTERM, then SIGKILL after kHookStopGrace, and
// kAborted is returned.
inline constexpr std::chrono::milliseconds kHookStopGrace{2000};
base::Result<ExitInfo> RunToCompletion(ProcessLauncher& launcher, const SpawnOptions& options,
                                       std::optional<std::chrono::milliseconds> timeout = {},
                                       const std::function<bool()>& stop_requested = {});

// Like RunToCompletion but captures stdout (up to `max_bytes`; stderr too with merge_stderr,
// else it is read and dropped) and returns it with the exit. Past `timeout` (also when the
// output has closed but the child stays) the child's group is killed: kUnavailable.
struct CapturedRun {
  ExitInfo exit;
  std::string out;
};
base::Result<CapturedRun> RunCaptured(ProcessLauncher& launcher, SpawnOptions options,
                                      std::chrono::milliseconds timeout,
                                      size_t max_bytes = 1 << 20);

}  // namespace process
