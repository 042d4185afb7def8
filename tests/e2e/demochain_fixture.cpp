#include "tests/e2e/demochain_fixture.h"

#include <curl/curl.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/testing/temp_dir.h"

namespace e2e {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string LowerHex(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

const char* const kVersions[] = {"v1.0.0", "v2.0.0", "v2.1.0", "v3.0.0"};

using testing_util::ReadText;

Env BaseEnv() {
  return {{"PATH", "/usr/local/bin:/usr/bin:/bin"},
          {"HOME", "/tmp"},
          {"COSMOVISOR_COLOR_LOGS", "false"}};
}

std::runtime_error Failure(const std::string& what, const ProcResult& r) {
  return std::runtime_error(what + " (exit " + std::to_string(r.exit_code) +
                            (r.timed_out ? ", timed out" : "") + ")\n" + r.out + r.err);
}

// Waits until `ready` returns true, at most `timeout`, polling every 20 ms.
bool WaitFor(const std::function<bool()>& ready, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return ready();
}

size_t CurlAppend(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// GET on loopback; throws unless 200.
std::string HttpGet(const std::string& url) {
  CURL* curl = curl_easy_init();
  if (!curl) throw std::runtime_error("curl_easy_init failed");
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CurlAppend);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK || status != 200) {
    throw std::runtime_error("GET " + url + ": " + curl_easy_strerror(rc) + ", HTTP " +
                             std::to_string(status));
  }
  return body;
}

bool EnvironNames(pid_t pid, const std::string& entry) {
  std::string env = ReadText("/proc/" + std::to_string(pid) + "/environ");
  for (size_t p = 0; p < env.size();) {
    size_t end = env.find('\0', p);
    if (end == std::string::npos) end = env.size();
    if (env.compare(p, end - p, entry) == 0) return true;
    p = end + 1;
  }
  return false;
}

}  // namespace

// ---- Process ----

Process::Process(const std::vector<std::string>& argv_in, const Env& env, std::string out_path,
                 std::string err_path)
    : out_path_(std::move(out_path)), err_path_(std::move(err_path)) {
  pid_ = SpawnToFiles(argv_in, env, out_path_, err_path_);
}

Process::~Process() {
  if (!reaped_) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    Reap(true);
  }
}

void Process::Reap(bool block) {
  if (reaped_) return;
  pid_t w = waitpid(pid_, &status_, block ? 0 : WNOHANG);
  if (w == pid_) reaped_ = true;
}

bool Process::Running() {
  Reap(false);
  return !reaped_;
}

ProcResult Process::Wait(std::chrono::milliseconds timeout) {
  ProcResult r;
  if (!WaitFor([&] { return !Running(); }, timeout)) {
    r.timed_out = true;
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    Reap(true);
  }
  r.exit_code = WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  r.out = Out();
  r.err = Err();
  return r;
}

void Process::KillProcessOnly() {
  kill(pid_, SIGKILL);
  Reap(true);
}

std::string Process::Out() const { return ReadText(out_path_); }
std::string Process::Err() const { return ReadText(err_path_); }

ProcResult RunProgram(const std::vector<std::string>& argv, const Env& env,
                      const std::string& scratch, std::chrono::milliseconds timeout) {
  static int counter = 0;
  std::string base = scratch + "/cmd" + std::to_string(++counter);
  Process p(argv, env, base + ".out", base + ".err");
  return p.Wait(timeout);
}

// ---- DemoChain ----

std::string DemoChain::Binary(const std::string& version) {
  return std::string(DEMOCHAIN_BIN_DIR) + "/demochaind-" + version;
}

std::string DemoChain::CachedHistory(const HistoryOptions& options) {
  std::vector<std::string> args = {"--blocks", std::to_string(options.blocks), "--binary-port",
                                   "1"};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  // Key: the releases, the script and the arguments (make-history is deterministic).
  std::vector<std::string> hash_cmd = {"/usr/bin/sha256sum", MAKE_HISTORY};
  for (const char* v : kVersions) hash_cmd.push_back(Binary(v));
  ProcResult sums = RunProgram(hash_cmd, BaseEnv(), work(), 30s);
  if (sums.exit_code != 0) throw Failure("sha256sum of the demochain binaries", sums);
  // Entry name: "<releases key>-<arguments key>".
  std::string key_text = sums.out;
  for (const auto& a : args) key_text += " " + a;
  char key[40];
  std::snprintf(key, sizeof key, "%016zx-%016zx", std::hash<std::string>{}(sums.out),
                std::hash<std::string>{}(key_text));
  const std::string releases_prefix = std::string(key, 17);  // "<releases key>-"
  std::string cache = DEMOCHAIN_HISTORY_CACHE;
  std::string entry = cache + "/" + key;
  if (fs::exists(entry + "/summary.json")) return entry;

  fs::create_directories(cache);
  // Histories made with other releases are of no use any more, and no test process of this
  // build copies them; histories of these releases (other arguments) may be being copied by
  // another test process right now, so they are never removed. Half-made histories (tmp-*) of
  // a crashed run go once they are older than make-history's own time limit many times over.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(cache, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("tmp-", 0) == 0) {
      auto age = fs::file_time_type::clock::now() - fs::last_write_time(e.path(), ec);
      if (!ec && age > 30min) fs::remove_all(e.path(), ec);
    } else if (name.rfind(releases_prefix, 0) != 0) {
      fs::remove_all(e.path(), ec);
    }
  }
  std::string tmpl = cache + "/tmp-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp in " + cache);
  std::vector<std::string> cmd = {"/bin/bash", MAKE_HISTORY, "--bin-dir", DEMOCHAIN_BIN_DIR,
                                  "--out", tmpl + "/out"};
  cmd.insert(cmd.end(), args.begin(), args.end());
  ProcResult made = RunProgram(cmd, BaseEnv(), work(), 300s);
  if (made.exit_code != 0) {
    fs::remove_all(tmpl, ec);
    throw Failure("make-history", made);
  }
  // Another test process may have made the same history meanwhile: either copy will do.
  if (rename((tmpl + "/out").c_str(), entry.c_str()) != 0 && !fs::exists(entry + "/summary.json")) {
    throw std::runtime_error("cannot move the history to " + entry + ": " + std::strerror(errno));
  }
  fs::remove_all(tmpl, ec);
  return entry;
}

DemoChain::DemoChain(const HistoryOptions& options) {
  if (work_.path().empty()) throw std::runtime_error("mkdtemp failed");
  std::string history = CachedHistory(options);
  summary_ = nlohmann::json::parse(ReadText(history + "/summary.json"));
  // This chain's own copy: the peer holds its databases' locks.
  archive_ = work() + "/archive";
  ProcResult copied = RunProgram({"/bin/cp", "-a", history + "/home", archive_}, BaseEnv(),
                                 work(), 60s);
  if (copied.exit_code != 0) throw Failure("copying the history", copied);

  std::string port_file = work() + "/peer.port";
  peer_ = std::make_unique<Process>(
      std::vector<std::string>{Binary("v3.0.0"), "start", "--home", archive_, "--rpc-listen",
                               "127.0.0.1:0", "--rpc-port-file", port_file},
      BaseEnv(), work() + "/peer.out", work() + "/peer.log");
  if (!WaitFor([&] { return !ReadText(port_file).empty(); }, 10s)) {
    throw std::runtime_error("the archive peer did not report its port:\n" + peer_->Err());
  }
  std::string port = ReadText(port_file);
  while (!port.empty() && (port.back() == '\n' || port.back() == ' ')) port.pop_back();
  peer_url_ = "http://127.0.0.1:" + port;

  Env mirror_env = BaseEnv();
  mirror_env["DAEMON_HOME"] = work() + "/mirror";
  mirror_env["DAEMON_NAME"] = "demochaind";
  fs::create_directories(work() + "/mirror/cosmovisor");
  for (const char* v : kVersions) {
    ProcResult added = RunProgram({REPLAYER_BIN, "registry", "add", Binary(v), "--name", v},
                                  mirror_env, work(), 60s);
    if (added.exit_code != 0) throw Failure(std::string("registry add ") + v, added);
  }
  mirror_ = std::make_unique<Process>(
      std::vector<std::string>{REPLAYER_BIN, "registry", "serve", "--listen", "127.0.0.1:0"},
      mirror_env, work() + "/mirror.out", work() + "/mirror.log");
  std::smatch m;
  std::regex on(" on (http://[^ ]+)");
  std::string out;
  if (!WaitFor([&] { return std::regex_search(out = mirror_->Out(), m, on); }, 10s)) {
    throw std::runtime_error("the mirror did not report its address:\n" + mirror_->Err());
  }
  mirror_url_ = m[1];
  for (const char* v : kVersions) {
    auto plan = nlohmann::json::parse(HttpGet(mirror_url_ + "/plans/" + v + ".json"));
    mirror_binaries_[v] = plan.at("binaries");
  }
}

DemoChain::~DemoChain() {
  mirror_.reset();
  peer_.reset();
}

std::string DemoChain::final_app_hash() const { return LowerHex(summary_.at("final_app_hash")); }

const nlohmann::json& DemoChain::MirrorBinaries(const std::string& version) const {
  return mirror_binaries_.at(version);
}

nlohmann::json DemoChain::OperatorSchedule() const {
  nlohmann::json segments = nlohmann::json::array();
  segments.push_back({{"first_height", 1},
                      {"kind", "genesis"},
                      {"name", "genesis"},
                      {"version", summary_.at("genesis_version")},
                      {"binaries", MirrorBinaries(summary_.at("genesis_version"))},
                      {"sources", {{"binaries", "operator (mirror)"}}}});
  for (const auto& w : switches()) {
    segments.push_back({{"first_height", w.at("height")},
                        {"kind", w.at("kind") == "gov" ? "gov-plan" : "halt-height"},
                        {"name", w.at("name")},
                        {"version", w.at("version")},
                        {"binaries", MirrorBinaries(w.at("version"))},
                        {"sources", {{"binaries", "operator (mirror)"}, {"first_height", "operator"}}}});
  }
  return {{"format_version", 1},
          {"chain_id", chain_id()},
          {"daemon_name", "demochaind"},
          {"segments", segments}};
}

std::string DemoChain::WriteSchedule(const nlohmann::json& schedule,
                                     const std::string& name) const {
  std::string path = work() + "/" + name + ".json";
  testing_util::WriteText(path, schedule.dump(2));
  return path;
}

ProcResult DemoChain::Replayer(const std::vector<std::string>& args,
                               std::chrono::milliseconds timeout) const {
  // A scratch home per call: the audit cache and the registry store stay out of every test's home.
  std::string home = work() + "/scratch-home-" + std::to_string(++runs_);
  fs::create_directories(home + "/cosmovisor");
  Env env = BaseEnv();
  env["DAEMON_HOME"] = home;
  env["DAEMON_NAME"] = "demochaind";
  env["DAEMON_ALLOW_DOWNLOAD_BINARIES"] = "true";
  std::vector<std::string> argv = {REPLAYER_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, env, work(), timeout);
}

void SharedChain::Start(const HistoryOptions& options) {
  try {
    chain_ = std::make_unique<DemoChain>(options);
  } catch (const std::exception& e) {
    chain_.reset();
    error_ = e.what();
  }
}

// ---- SyncHome ----

SyncHome::SyncHome(const DemoChain& chain) : chain_(chain), home_(dir_.path() + "/home") {
  fs::create_directories(home_ + "/config");
  fs::copy_file(chain.genesis(), home_ + "/config/genesis.json");
}

SyncHome::~SyncHome() { KillEverything(); }

Env SyncHome::EnvWith(const Env& extra) const {
  Env env = BaseEnv();
  env["DAEMON_HOME"] = home_;
  env["DAEMON_NAME"] = "demochaind";
  env["DAEMON_ALLOW_DOWNLOAD_BINARIES"] = "true";
  for (const auto& [k, v] : extra) env[k] = v;
  return env;
}

std::vector<std::string> SyncHome::SyncArgs(const std::string& plans, int64_t until,
                                            const std::vector<std::string>& extra) const {
  std::vector<std::string> args = {"sync", "--plans", plans, "--until",
                                   std::to_string(until > 0 ? until : chain_.tip())};
  args.insert(args.end(), extra.begin(), extra.end());
  for (const char* a : {"--", "start", "--peer"}) args.push_back(a);
  args.push_back(chain_.peer_url());
  args.push_back("--rpc-listen");
  args.push_back("");
  return args;
}

std::unique_ptr<Process> SyncHome::StartReplayer(const std::vector<std::string>& args,
                                                 const Env& extra_env) {
  std::vector<std::string> argv = {REPLAYER_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string base = dir_.path() + "/replayer" + std::to_string(++runs_);
  return std::make_unique<Process>(argv, EnvWith(extra_env), base + ".out", base + ".err");
}

ProcResult SyncHome::Replayer(const std::vector<std::string>& args, const Env& extra_env,
                              std::chrono::milliseconds timeout) {
  auto p = StartReplayer(args, extra_env);
  ProcResult r = p->Wait(timeout);
  if (r.timed_out) KillEverything();
  return r;
}

NodeStatus SyncHome::Status() const {
  NodeStatus s;
  ProcResult r = RunProgram({DemoChain::Binary("v3.0.0"), "status", "--home", home_},
                            EnvWith(), dir_.path(), 20s);
  if (r.exit_code != 0) {
    s.error = "status exited " + std::to_string(r.exit_code) + ": " + r.err;
    return s;
  }
  try {
    auto j = nlohmann::json::parse(r.out).at("sync_info");
    s.height = std::stoll(j.at("latest_block_height").get<std::string>());
    s.app_hash = LowerHex(j.at("latest_app_hash"));
  } catch (const std::exception& e) {
    s.error = std::string("cannot read status: ") + e.what() + "\n" + r.out;
  }
  return s;
}

JournalStatus SyncHome::Journal() {
  JournalStatus js;
  ProcResult r = Replayer({"status", "--json"});
  js.out = r.out;
  if (r.exit_code != 0) {
    js.error = "replayer status exited " + std::to_string(r.exit_code) + ": " + r.err;
    return js;
  }
  try {
    auto j = nlohmann::json::parse(r.out);
    for (const auto& a : j.at("applied")) js.applied.push_back(a.at("dir"));
    js.in_progress = !j.at("in_progress").is_null();
  } catch (const std::exception& e) {
    js.error = std::string("cannot read replayer status --json: ") + e.what() + "\n" + r.out;
  }
  return js;
}

std::string SyncHome::Current() const {
  std::error_code ec;
  auto target = fs::read_symlink(home_ + "/cosmovisor/current", ec);
  return ec ? "" : target.string();
}

bool SyncHome::Exists(const std::string& rel) const {
  std::error_code ec;
  return fs::exists(fs::symlink_status(home_ + "/" + rel, ec));
}

std::string SyncHome::Listing(const std::vector<std::string>& skip, bool folder_mtimes) const {
  std::vector<std::string> lines;
  std::error_code ec;
  fs::recursive_directory_iterator it(home_, fs::directory_options::none, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::string rel = it->path().lexically_relative(home_).string();
    bool skipped = std::any_of(skip.begin(), skip.end(), [&](const std::string& s) {
      return rel == s || rel.rfind(s + "/", 0) == 0;
    });
    if (skipped) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    struct stat st {};
    if (lstat(it->path().c_str(), &st) != 0) continue;
    std::string line = rel + " mode=" + std::to_string(st.st_mode);
    if (!S_ISDIR(st.st_mode)) line += " size=" + std::to_string(st.st_size);
    if (!S_ISDIR(st.st_mode) || folder_mtimes) {
      line += " mtime=" + std::to_string(st.st_mtim.tv_sec) + "." +
              std::to_string(st.st_mtim.tv_nsec);
    }
    if (S_ISLNK(st.st_mode)) line += " -> " + fs::read_symlink(it->path(), ec).string();
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::vector<std::string> SyncHome::UpgradeDirs() const {
  std::vector<std::string> dirs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(home_ + "/cosmovisor/upgrades", ec)) {
    dirs.push_back(e.path().filename().string());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

std::vector<pid_t> SyncHome::ProcessesUsingHome() const {
  std::vector<pid_t> pids;
  std::string needle = "DAEMON_HOME=" + home_;
  DIR* d = opendir("/proc");
  if (!d) return pids;
  while (dirent* e = readdir(d)) {
    pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0 || pid == getpid()) continue;
    // Zombies keep no environment: they are not running anything.
    if (EnvironNames(pid, needle)) pids.push_back(pid);
  }
  closedir(d);
  return pids;
}

void SyncHome::KillEverything() const {
  for (int round = 0; round < 3; ++round) {
    for (pid_t pid : ProcessesUsingHome()) kill(pid, SIGKILL);
    std::this_thread::sleep_for(20ms);
  }
}

}  // namespace e2e
