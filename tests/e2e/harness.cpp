#include "tests/e2e/harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"

namespace e2e {
namespace fs = std::filesystem;

namespace {

using testing_util::ReadText;

void Replace(std::string& s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
    s.replace(p, from.size(), to);
  }
}

// Kills every process whose environment names this home (the replayer and any node it left).
void KillEverythingUsing(const std::string& home) {
  std::string needle = "DAEMON_HOME=" + home;
  for (int round = 0; round < 3; ++round) {
    DIR* d = opendir("/proc");
    if (!d) return;
    while (dirent* e = readdir(d)) {
      pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
      if (pid <= 0 || pid == getpid()) continue;
      std::string env = ReadText("/proc/" + std::string(e->d_name) + "/environ");
      for (size_t p = 0; p < env.size();) {
        size_t end = env.find('\0', p);
        if (end == std::string::npos) end = env.size();
        if (env.compare(p, end - p, needle) == 0) {
          kill(pid, SIGKILL);
          break;
        }
        p = end + 1;
      }
    }
    closedir(d);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

void WriteForeignElf(const std::string& path) {
  std::string elf = ReadText("/bin/true");
  if (elf.size() < 20) throw std::runtime_error("cannot read /bin/true");
#if defined(__aarch64__)
  const uint16_t other = 62;  // EM_X86_64
#else
  const uint16_t other = 183;  // EM_AARCH64
#endif
  elf[18] = static_cast<char>(other & 0xff);
  elf[19] = static_cast<char>(other >> 8);
  fs::create_directories(fs::path(path).parent_path());
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << elf;
  }
  chmod(path.c_str(), 0755);
}

int CountOf(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) {
    ++n;
  }
  return n;
}

TestHome::TestHome() : dir_("replayer-e2e"), home_(dir_.path() + "/home") {
  fs::create_directories(home_);
  env_["DAEMON_HOME"] = home_;
  env_["DAEMON_NAME"] = "simd";
  env_["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  env_["COSMOVISOR_COLOR_LOGS"] = "false";
  // A sanitizer build (scripts/test.sh, label e2e-run): the replayer it runs gets the same
  // sanitizer options as the test (e.g. detect_leaks=1).
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* v = std::getenv(name)) env_[name] = v;
  }
}

TestHome::~TestHome() { KillEverythingUsing(home_); }

void TestHome::WriteNode(const std::string& path, const NodeSpec& spec, int mode) const {
  std::string text = ReadText(SCRIPT_NODE_TEMPLATE);
  if (text.empty()) throw std::runtime_error("cannot read " + std::string(SCRIPT_NODE_TEMPLATE));
  Replace(text, "@VERSION@", spec.version);
  Replace(text, "@UPGRADE_NAME@", spec.upgrade_name);
  Replace(text, "@UPGRADE_HEIGHT@", std::to_string(spec.upgrade_height));
  Replace(text, "@ON_UPGRADE@", spec.on_upgrade);
  Replace(text, "@MALFORMED@", spec.malformed);
  Replace(text, "@PREUPGRADE_EXITS@", spec.preupgrade_exits);
  Replace(text, "@TRAP_INT@", spec.trap_int);
  Replace(text, "@COMMIT_LOG@", spec.commit_log);
  Replace(text, "@STALL_AT@", spec.stall_at);
  fs::create_directories(fs::path(path).parent_path());
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }
  chmod(path.c_str(), static_cast<mode_t>(mode));
}

void TestHome::InitGenesis(const NodeSpec& spec) {
  std::string src = dir_.path() + "/genesis-" + spec.version;
  WriteNode(src, spec);
  RunResult r = Run({"init", src});
  if (r.exit_code != 0) throw std::runtime_error("replayer init failed: " + r.err);
}

void TestHome::PlaceUpgrade(const std::string& dir, const NodeSpec& spec, int mode) const {
  WriteNode(home_ + "/cosmovisor/upgrades/" + dir + "/bin/simd", spec, mode);
}

pid_t TestHome::Start(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& extra_env) {
  int id = ++runs_;
  std::string out = dir_.path() + "/run" + std::to_string(id) + ".out";
  std::string err = dir_.path() + "/run" + std::to_string(id) + ".err";
  std::map<std::string, std::string> env = env_;
  for (const auto& [k, v] : extra_env) env[k] = v;
  std::vector<std::string> argv{REPLAYER_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = SpawnToFiles(argv, env, out, err);
  run_ids_[pid] = id;
  return pid;
}

RunResult TestHome::Wait(pid_t pid, std::chrono::seconds timeout) {
  RunResult r;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      r.timed_out = true;
      kill(-pid, SIGKILL);
      KillEverythingUsing(home_);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  int id = run_ids_[pid];
  r.out = ReadText(dir_.path() + "/run" + std::to_string(id) + ".out");
  r.err = ReadText(dir_.path() + "/run" + std::to_string(id) + ".err");
  // A sanitizer report fails the test whatever exit code the test expects (a refusal's exit 1
  // must not hide a leak or an overflow on the way out).
  for (const char* report : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"}) {
    if (r.err.find(report) != std::string::npos) {
      ADD_FAILURE() << "sanitizer report from replayer (run " << id << "):\n" << r.err;
      break;
    }
  }
  return r;
}

std::string TestHome::ErrSoFar(pid_t pid) const {
  auto it = run_ids_.find(pid);
  if (it == run_ids_.end()) return "";
  return ReadText(dir_.path() + "/run" + std::to_string(it->second) + ".err");
}

RunResult TestHome::Run(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& extra_env,
                        std::chrono::seconds timeout) {
  return Wait(Start(args, extra_env), timeout);
}

std::string TestHome::NodeLog() const { return ReadText(home_ + "/node.log"); }
int TestHome::CountInLog(const std::string& needle) const { return CountOf(NodeLog(), needle); }

std::string TestHome::Current() const {
  std::error_code ec;
  auto target = fs::read_symlink(home_ + "/cosmovisor/current", ec);
  return ec ? "" : target.string();
}

int64_t TestHome::Height() const {
  std::string h = ReadText(home_ + "/data/height");
  return h.empty() ? 0 : std::stoll(h);
}

std::string TestHome::ReadFile(const std::string& rel) const { return ReadText(home_ + "/" + rel); }
bool TestHome::Exists(const std::string& rel) const { return fs::exists(home_ + "/" + rel); }

pid_t SpawnToFiles(const std::vector<std::string>& argv_in,
                   const std::map<std::string, std::string>& env, const std::string& out,
                   const std::string& err) {
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings = argv_in;
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    int in = open("/dev/null", O_RDONLY);
    int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(o, 1);
    dup2(e, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  setpgid(pid, pid);  // also from here, so a kill of the group right away finds it
  return pid;
}

}  // namespace e2e
