// Test helper: run real child processes (demochaind, make-history) with bounded time. Each child
// gets its own process group, stdout+stderr go to a log file, and a child still running when its
// owner is destroyed is killed, so a failing test never leaves nodes behind.
#pragma once

#include <sys/types.h>
#include <string>
#include <vector>

namespace demochain_test {

class Process {
 public:
  Process() = default;
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Starts argv[0] (a path) with stdout and stderr appended to log_path.
  bool Start(const std::vector<std::string>& argv, const std::string& log_path);
  // Waits up to timeout_ms; returns the exit code (128 + signal when killed), or -1 on timeout.
  int Wait(int timeout_ms);
  void Signal(int sig);
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

// Runs to completion (killed after timeout_ms); returns the exit code or -1 on timeout.
int RunToExit(const std::vector<std::string>& argv, const std::string& log_path, int timeout_ms);

std::string ReadAll(const std::string& path);

// Waits (bounded) until path exists and is non-empty.
bool WaitForFile(const std::string& path, int timeout_ms);

}  // namespace demochain_test
