#include "tests/sdkchain/sdkchain_fixture.h"

#include <curl/curl.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/testing/temp_dir.h"

namespace sdkchain {
namespace fs = std::filesystem;

namespace {

using testing_util::ReadText;

size_t CurlAppend(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string HttpGet(const std::string& url) {
  std::string body;
  CURL* curl = curl_easy_init();
  if (!curl) return "";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CurlAppend);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 2000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup(curl);
  return rc == CURLE_OK && code == 200 ? body : "";
}

Env ScriptEnv(const std::string& scratch) {
  return {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", scratch}, {"LC_ALL", "C"}};
}

}  // namespace

std::string Simd050() { return std::string(SDKCHAIN_BIN_DIR) + "/simd-v0.50.15"; }
std::string Simd053() { return std::string(SDKCHAIN_BIN_DIR) + "/simd-v0.53.8"; }
std::string Simd0537() { return std::string(SDKCHAIN_BIN_DIR) + "/simd-v0.53.7"; }
std::string SimdEarlyHandler() {
  return std::string(SDKCHAIN_BIN_DIR) + "/simd-v0.50.15-early-handler";
}

std::string MissingBinaries() {
  std::string missing;
  for (const auto& b : {Simd050(), Simd0537(), Simd053(), SimdEarlyHandler()}) {
    if (access(b.c_str(), X_OK) != 0) missing += " " + b;
  }
  if (missing.empty()) return "";
  std::string why = ReadText(std::string(SDKCHAIN_BIN_DIR) + "/../NO_GO");
  return "sdkchain binaries missing:" + missing + ". " +
         (why.empty() ? "Build them with sdkchain/build.sh (Go >= 1.23), or configure with "
                        "-DREPLAYER_SDKCHAIN=OFF."
                      : why);
}

std::string Cosmovisor() { return std::string(SDKCHAIN_BIN_DIR) + "/cosmovisor-v1.5.0"; }

std::string MissingCosmovisor() {
  if (access(Cosmovisor().c_str(), X_OK) == 0) return "";
  std::string why = ReadText(std::string(SDKCHAIN_BIN_DIR) + "/../NO_GO");
  return "Cosmovisor missing: " + Cosmovisor() + ". " +
         (why.empty() ? "Build it with `sdkchain/build.sh cosmovisor` (Go >= 1.23; the CMake "
                        "target sdkchain_binaries does), or configure with -DREPLAYER_SDKCHAIN=OFF."
                      : why);
}

int Count(const std::string& haystack, const std::string& needle) {
  return e2e::CountOf(haystack, needle);
}

Cmd RunCmd(const std::vector<std::string>& argv, const Env& env, const std::string& scratch,
           std::chrono::seconds timeout) {
  static int counter = 0;
  fs::create_directories(scratch);
  std::string base = scratch + "/cmd" + std::to_string(++counter);
  pid_t pid = e2e::SpawnToFiles(argv, env, base + ".out", base + ".err");
  Cmd r;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      r.timed_out = true;
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadText(base + ".out");
  r.err = ReadText(base + ".err");
  return r;
}

Localnet::Localnet(e2e::TestHome& home, const std::string& simd)
    : home_(home.home()), scratch_(home.home() + "/../sdkchain-scratch"), simd_(simd) {
  // simd makes $HOME/.simapp for commands run without --home (Replayer's `pre-upgrade`,
  // `version`): keep it in the scratch folder, not in the test's working directory.
  fs::create_directories(scratch_);
  home.env()["HOME"] = scratch_;
  Cmd r = Script({"init", home_, simd_}, std::chrono::seconds(120));
  if (r.exit_code != 0) {
    throw std::runtime_error("localnet.sh init failed (exit " + std::to_string(r.exit_code) +
                             "): " + r.all());
  }
  ReadPorts();
}

Localnet::Localnet(e2e::TestHome& home, const Localnet& validator, const std::string& simd)
    : home_(home.home()), scratch_(home.home() + "/../sdkchain-scratch"), simd_(simd) {
  fs::create_directories(scratch_);
  home.env()["HOME"] = scratch_;
  Cmd r = Script({"join", home_, validator.home(), simd_}, std::chrono::seconds(120));
  if (r.exit_code != 0) {
    throw std::runtime_error("localnet.sh join failed (exit " + std::to_string(r.exit_code) +
                             "): " + r.all());
  }
  ReadPorts();
}

void Localnet::ReadPorts() {
  std::istringstream env(ReadText(home_ + "/sdkchain.env"));
  for (std::string line; std::getline(env, line);) {
    auto eq = line.find('=');
    if (eq == std::string::npos || line.find("_PORT") == std::string::npos) continue;
    ports_[line.substr(0, eq)] = std::stoi(line.substr(eq + 1));
  }
  if (ports_.size() != 4) throw std::runtime_error("sdkchain.env has no four ports");
}

int Localnet::Port(const std::string& key) const {
  auto it = ports_.find(key);
  return it == ports_.end() ? 0 : it->second;
}

Cmd Localnet::Script(const std::vector<std::string>& args, std::chrono::seconds timeout) const {
  std::vector<std::string> argv{"/bin/bash", SDKCHAIN_LOCALNET};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCmd(argv, ScriptEnv(scratch_), scratch_, timeout);
}

int64_t Localnet::Height() const {
  std::string body = HttpGet("http://127.0.0.1:" + std::to_string(Port("RPC_PORT")) + "/status");
  if (body.empty()) return 0;
  try {
    auto j = nlohmann::json::parse(body);
    return std::stoll(j.at("result").at("sync_info").at("latest_block_height").get<std::string>());
  } catch (const std::exception&) {
    return 0;
  }
}

int64_t Localnet::WaitHeight(int64_t h, std::chrono::seconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int64_t seen = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    seen = Height();
    if (seen >= h) return seen;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return seen;
}

std::string Localnet::ProposeAndVote(const std::string& name, int64_t height,
                                     const std::string& info) {
  Cmd p = Script({"propose", home_, simd_, name, std::to_string(height), info},
                 std::chrono::seconds(90));
  if (p.exit_code != 0) throw std::runtime_error("propose failed: " + p.all());
  std::string id = p.out;
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  // `propose` already carries the validator's yes vote in the proposal's own tx. A second,
  // separate `vote` tx was sent here before; on the loaded machine it sometimes reached the
  // mempool only when the chain was about to halt at the plan height, and was lost with the old
  // node ("not in a block within 30 s"), failing a test whose upgrade had gone through.
  return id;
}

std::string Localnet::RestGet(const std::string& path) const {
  return HttpGet("http://127.0.0.1:" + std::to_string(Port("API_PORT")) + path);
}

std::string Localnet::RpcGet(const std::string& path) const {
  return HttpGet("http://127.0.0.1:" + std::to_string(Port("RPC_PORT")) + path);
}

std::string Localnet::ProposalStatus(const std::string& id) const {
  std::string body = RestGet("/cosmos/gov/v1/proposals/" + id);
  if (body.empty()) return "";
  try {
    return nlohmann::json::parse(body).at("proposal").at("status").get<std::string>();
  } catch (const std::exception&) {
    return "";
  }
}

}  // namespace sdkchain
