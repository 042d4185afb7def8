#include "process/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <thread>

extern char** environ;

namespace process {
namespace {

// Signals Replayer handles itself; children get them back at their default disposition.
constexpr int kResetSignals[] = {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD, SIGPIPE, SIGUSR1,
                                 SIGUSR2};

std::string ErrnoText(int err) { return std::strerror(err); }

ExitInfo FromWaitStatus(int status) {
  ExitInfo e;
  if (WIFEXITED(status)) {
    e.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    e.signaled = true;
    e.signal = WTERMSIG(status);
    e.exit_code = 128 + e.signal;
  }
  return e;
}

// Small RAII holders so every early return releases what posix_spawn needs.
struct SpawnAttr {
  posix_spawnattr_t attr;
  SpawnAttr() { posix_spawnattr_init(&attr); }
  ~SpawnAttr() { posix_spawnattr_destroy(&attr); }
};
struct FileActions {
  posix_spawn_file_actions_t fa;
  FileActions() { posix_spawn_file_actions_init(&fa); }
  ~FileActions() { posix_spawn_file_actions_destroy(&fa); }
};
struct Pipe {
  int fds[2] = {-1, -1};
  ~Pipe() {
    for (int fd : fds) {
      if (fd >= 0) close(fd);
    }
  }
  int Release(int i) {
    int fd = fds[i];
    fds[i] = -1;
    return fd;
  }
};

}  // namespace

std::string ExitInfo::Describe() const {
  if (signaled) return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  return "exit code " + std::to_string(exit_code);
}

base::Result<SpawnedProcess> PosixProcessLauncher::Spawn(const SpawnOptions& options) {
  struct stat st {};
  if (stat(options.path.c_str(), &st) != 0) {
    return base::Status::FailedPrecondition("binary " + options.path + " does not exist (" +
                                            ErrnoText(errno) + ")");
  }
  if (!S_ISREG(st.st_mode)) {
    return base::Status::FailedPrecondition("binary " + options.path + " is not a regular file");
  }
  if (access(options.path.c_str(), X_OK) != 0) {
    return base::Status::FailedPrecondition("binary " + options.path + " is not executable (" +
                                            ErrnoText(errno) + ")");
  }

  SpawnAttr attr;
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (options.new_process_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&attr.attr, 0);
  }
  posix_spawnattr_setflags(&attr.attr, flags);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attr.attr, &empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int s : kResetSignals) sigaddset(&defaults, s);
  posix_spawnattr_setsigdefault(&attr.attr, &defaults);

  FileActions fa;
  Pipe out, err;
  if (options.capture_output && options.merge_stderr) {
    if (pipe2(out.fds, O_CLOEXEC) != 0) return base::Status::IoError("pipe: " + ErrnoText(errno));
    posix_spawn_file_actions_adddup2(&fa.fa, out.fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa.fa, out.fds[1], STDERR_FILENO);
  } else if (options.capture_output) {
    if (pipe2(out.fds, O_CLOEXEC) != 0 || pipe2(err.fds, O_CLOEXEC) != 0) {
      return base::Status::IoError("pipe: " + ErrnoText(errno));
    }
    // dup2 clears close-on-exec on the target; the originals stay close-on-exec.
    posix_spawn_file_actions_adddup2(&fa.fa, out.fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa.fa, err.fds[1], STDERR_FILENO);
  }
  if (options.stdin_null) {
    posix_spawn_file_actions_addopen(&fa.fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa.fa, options.cwd.c_str());

  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(options.path.c_str()));
  for (const auto& a : options.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  // The environment: Replayer's own, with options.env set on top.
  std::vector<std::string> env_store;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    bool replaced = false;
    for (const auto& [name, value] : options.env) {
      replaced = replaced || (entry.size() > name.size() && entry.substr(0, name.size()) == name &&
                              entry[name.size()] == '=');
    }
    if (!replaced) env_store.emplace_back(entry);
  }
  for (const auto& [name, value] : options.env) env_store.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& entry : env_store) envp.push_back(entry.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawn(&pid, options.path.c_str(), &fa.fa, &attr.attr, argv.data(), envp.data());
  if (rc != 0) {
    return base::Status::FailedPrecondition("cannot start " + options.path + ": " + ErrnoText(rc));
  }
  SpawnedProcess p;
  p.pid = pid;
  if (options.capture_output) {
    close(out.Release(1));
    p.stdout_fd = out.Release(0);
    if (!options.merge_stderr) {
      close(err.Release(1));
      p.stderr_fd = err.Release(0);
    }
  }
  return p;
}

base::Status PosixProcessLauncher::Signal(pid_t pid, int sig, bool group) {
  if (pid <= 0) return base::Status::Internal("signal to invalid pid");
  if (kill(group ? -pid : pid, sig) != 0 && errno != ESRCH) {
    return base::Status::IoError("kill " + std::to_string(pid) + ": " + ErrnoText(errno));
  }
  return {};
}

std::optional<ExitInfo> PosixProcessLauncher::TryReap(pid_t pid, bool kill_group_on_exit) {
  // Look first without reaping: while the child is a zombie its process group id cannot be
  // reused, so killing the group is safe.
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return std::nullopt;
  }
  if (info.si_pid == 0) return std::nullopt;  // still running
  if (kill_group_on_exit) kill(-pid, SIGKILL);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return std::nullopt;
  return FromWaitStatus(status);
}

ExitInfo PosixProcessLauncher::Wait(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return FromWaitStatus(status);
}

base::Result<ExitInfo> RunToCompletion(ProcessLauncher& launcher, const SpawnOptions& options,
                                       std::optional<std::chrono::milliseconds> timeout,
                                       const std::function<bool()>& stop_requested) {
  ASSIGN_OR_RETURN(SpawnedProcess p, launcher.Spawn(options));
  if (!timeout && !stop_requested) return launcher.Wait(p.pid);
  using Clock = std::chrono::steady_clock;
  auto deadline = timeout ? Clock::now() + *timeout : Clock::time_point::max();
  auto pause = std::chrono::microseconds(200);
  while (true) {
    if (auto e = launcher.TryReap(p.pid, options.new_process_group)) return *e;
    if (stop_requested && stop_requested()) {
      (void)launcher.Signal(p.pid, SIGTERM, options.new_process_group);
      auto kill_at = Clock::now() + kHookStopGrace;
      while (!launcher.TryReap(p.pid, options.new_process_group)) {
        if (Clock::now() >= kill_at) {
          (void)launcher.Signal(p.pid, SIGKILL, options.new_process_group);
          launcher.Wait(p.pid);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      return base::Status::Aborted(options.path + " was stopped: Replayer was asked to stop");
    }
    if (Clock::now() >= deadline) {
      (void)launcher.Signal(p.pid, SIGKILL, options.new_process_group);
      launcher.Wait(p.pid);
      return base::Status::Unavailable(options.path + " did not finish within " +
                                       std::to_string(timeout->count()) + " ms");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(20));
  }
}

base::Result<CapturedRun> RunCaptured(ProcessLauncher& launcher, SpawnOptions options,
                                      std::chrono::milliseconds timeout, size_t max_bytes) {
  options.capture_output = true;
  ASSIGN_OR_RETURN(SpawnedProcess p, launcher.Spawn(options));
  CapturedRun run;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{p.stdout_fd, POLLIN, 0}, {p.stderr_fd, POLLIN, 0}};
  int open_fds = p.stderr_fd >= 0 ? 2 : 1;  // merged: stderr comes through stdout's pipe
  char buf[65536];
  bool timed_out = false;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    int n = poll(fds, p.stderr_fd >= 0 ? 2 : 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    for (auto& f : fds) {
      if (f.fd < 0 || !(f.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t r = read(f.fd, buf, sizeof buf);
      if (r > 0) {
        // stderr is drained and dropped; only stdout is returned.
        if (&f == &fds[0] && run.out.size() < max_bytes) {
          run.out.append(buf, std::min<size_t>(static_cast<size_t>(r), max_bytes - run.out.size()));
        }
      } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(f.fd);
        f.fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  if (timed_out) {
    (void)launcher.Signal(p.pid, SIGKILL, options.new_process_group);
    launcher.Wait(p.pid);
    return base::Status::Unavailable(options.path + " did not finish within " +
                                     std::to_string(timeout.count()) + " ms");
  }
  // Output closed: the child is exiting (or handed its pipes to a grandchild); wait, bounded.
  while (true) {
    if (auto e = launcher.TryReap(p.pid, options.new_process_group)) {
      run.exit = *e;
      return run;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      (void)launcher.Signal(p.pid, SIGKILL, options.new_process_group);
      launcher.Wait(p.pid);
      return base::Status::Unavailable(options.path + " did not exit within " +
                                       std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace process
