// DAEMON_ALLOW_DOWNLOAD_BINARIES=true on the real chain: the plan's info (set with the real
// `tx upgrade software-upgrade --upgrade-info`) holds a binaries map pointing at a loopback
// `replayer registry serve` mirror with a checksum. Replayer fetches, verifies and switches; a
// wrong checksum installs nothing and leaves `current` and data/ byte-for-byte as they were.
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/sdkchain/sdkchain_fixture.h"
#include "tests/testing/temp_dir.h"

namespace {

using namespace std::chrono_literals;
using sdkchain::kUpgradeName;
namespace fs = std::filesystem;

using testing_util::ReadText;

// Every file under `dir` with its bytes, for byte-for-byte comparison.
std::map<std::string, std::string> TreeOf(const std::string& dir) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file()) out[fs::relative(it->path(), dir).string()] = ReadText(it->path());
  }
  return out;
}

// `replayer registry serve` on loopback over a registry holding release 2 under the plan name.
class Mirror {
 public:
  explicit Mirror(const std::string& dir) : dir_(dir) {
    fs::create_directories(dir_ + "/cosmovisor");
    env_ = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", dir_},
            {"DAEMON_HOME", dir_}, {"DAEMON_NAME", "simd"}};
    auto add = sdkchain::RunCmd({REPLAYER_BIN, "registry", "add", sdkchain::Simd053(), "--name",
                                 kUpgradeName},
                                env_, dir_ + "/scratch", 120s);
    if (add.exit_code != 0) throw std::runtime_error("registry add failed: " + add.all());
    pid_ = e2e::SpawnToFiles({REPLAYER_BIN, "registry", "serve", "--listen", "127.0.0.1:0"}, env_,
                             dir_ + "/serve.out", dir_ + "/serve.err");
    std::regex on(" on (http://[^ \n]+)");
    std::smatch m;
    for (int i = 0; i < 200; ++i) {
      std::string out = ReadText(dir_ + "/serve.out") + ReadText(dir_ + "/serve.err");
      if (std::regex_search(out, m, on)) {
        url_ = m[1];
        return;
      }
      std::this_thread::sleep_for(50ms);
    }
    throw std::runtime_error("the mirror did not report its address");
  }
  ~Mirror() {
    if (pid_ > 0) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  const std::string& url() const { return url_; }

 private:
  std::string dir_;
  sdkchain::Env env_;
  pid_t pid_ = -1;
  std::string url_;
};

class DownloadFromMirror : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = sdkchain::MissingBinaries();
    ASSERT_TRUE(missing.empty()) << missing;
  }
};

// The plan info: {"binaries": {...}} as the mirror publishes it for the plan name.
std::string PlanInfo(const Mirror& mirror, sdkchain::Localnet& net, bool corrupt_checksum) {
  std::string doc = sdkchain::RunCmd({"/usr/bin/curl", "-sf", mirror.url() + "/plans/" +
                                                                 kUpgradeName + ".json"},
                                     {{"PATH", "/usr/bin:/bin"}}, net.home() + "/../dl-scratch",
                                     10s)
                        .out;
  auto binaries = nlohmann::json::parse(doc).at("binaries");
  if (corrupt_checksum) {
    for (auto& [platform, url] : binaries.items()) {
      std::string u = url.get<std::string>();
      auto at = u.find("checksum=sha256:");
      if (at != std::string::npos) u = u.substr(0, at) + "checksum=sha256:" + std::string(64, 'e');
      url = u;
    }
  }
  return nlohmann::json{{"binaries", binaries}}.dump();
}

TEST_F(DownloadFromMirror, TheBinaryIsFetchedVerifiedAndSwitchedTo) {
  e2e::TestHome h;
  sdkchain::Localnet net(h);
  Mirror mirror(h.home() + "/../mirror");
  ASSERT_EQ(h.Run({"init", sdkchain::Simd050()}).exit_code, 0);
  pid_t run = h.Start({"run", "start", "--home", h.home()},
                      {{"DAEMON_ALLOW_DOWNLOAD_BINARIES", "true"}});
  ASSERT_GE(net.WaitHeight(2, 90s), 2);
  int64_t plan = net.Height() + 20;
  net.ProposeAndVote(kUpgradeName, plan, PlanInfo(mirror, net, false));
  int64_t seen = net.WaitHeight(plan + 3, 180s);
  kill(run, SIGTERM);
  e2e::RunResult r = h.Wait(run, 60s);
  std::string out = r.out + r.err;
  ASSERT_GE(seen, plan + 3) << out;
  EXPECT_EQ(h.Current(), std::string("upgrades/") + kUpgradeName);
  EXPECT_EQ(ReadText(h.home() + "/cosmovisor/upgrades/" + kUpgradeName + "/bin/simd"),
            ReadText(sdkchain::Simd053()));
  EXPECT_EQ(sdkchain::Count(out, std::string("applying upgrade \"") + kUpgradeName +
                                     "\" at height: " + std::to_string(plan)),
            1)
      << out;
}

TEST_F(DownloadFromMirror, AWrongChecksumInstallsNothingAndLeavesDataAsItWas) {
  e2e::TestHome h;
  sdkchain::Localnet net(h);
  Mirror mirror(h.home() + "/../mirror");
  ASSERT_EQ(h.Run({"init", sdkchain::Simd050()}).exit_code, 0);
  pid_t run = h.Start({"run", "start", "--home", h.home()},
                      {{"DAEMON_ALLOW_DOWNLOAD_BINARIES", "true"}});
  ASSERT_GE(net.WaitHeight(2, 90s), 2);
  int64_t plan = net.Height() + 20;
  net.ProposeAndVote(kUpgradeName, plan, PlanInfo(mirror, net, true));
  e2e::RunResult first = h.Wait(run, 180s);
  EXPECT_EQ(first.exit_code, 1) << first.out << first.err;
  EXPECT_NE(first.err.find("checksum mismatch"), std::string::npos) << first.err;
  EXPECT_EQ(h.Current(), "genesis");
  EXPECT_FALSE(fs::exists(h.home() + "/cosmovisor/upgrades/" + kUpgradeName + "/bin/simd"));

  // Run again: the same refusal before anything is launched; data/ and `current` untouched.
  auto before = TreeOf(h.home() + "/data");
  ASSERT_FALSE(before.empty());
  e2e::RunResult again = h.Run({"run", "start", "--home", h.home()},
                               {{"DAEMON_ALLOW_DOWNLOAD_BINARIES", "true"}}, 120s);
  EXPECT_EQ(again.exit_code, 1) << again.err;
  EXPECT_NE(again.err.find("checksum mismatch"), std::string::npos) << again.err;
  EXPECT_EQ(sdkchain::Count(again.out + again.err, "starting node"), 0) << again.out;
  EXPECT_EQ(h.Current(), "genesis");
  EXPECT_FALSE(fs::exists(h.home() + "/cosmovisor/upgrades/" + kUpgradeName + "/bin/simd"));
  EXPECT_TRUE(TreeOf(h.home() + "/data") == before) << "data/ changed on a refused download";
}

// `replayer prepare-upgrade` against the real simd's REST API while `replayer run` supervises
// the node: once the proposal passed, current_plan names the plan and its info; the binary is
// fetched from the mirror and verified into upgrades/<name>/bin/ ahead of the height, `current`
// stays; at the height `run` switches to it without downloading anything (downloads are off).
TEST_F(DownloadFromMirror, PrepareUpgradeFetchesThePlansBinaryFromTheRealRestAheadOfTheHeight) {
  e2e::TestHome h;
  sdkchain::Localnet net(h);
  Mirror mirror(h.home() + "/../mirror");
  ASSERT_EQ(h.Run({"init", sdkchain::Simd050()}).exit_code, 0);
  pid_t run = h.Start({"run", "start", "--home", h.home()});
  ASSERT_GE(net.WaitHeight(2, 90s), 2);
  std::string rest = "http://127.0.0.1:" + std::to_string(net.Port("API_PORT"));

  // Before any proposal: nothing scheduled, nothing done.
  auto none = h.Run({"prepare-upgrade", "--rest", rest}, {}, 60s);
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.out.find("no upgrade plan is scheduled"), std::string::npos) << none.out;

  // Room for proposing, voting (3 s) and preparing before the height on a loaded machine
  // (~300 ms blocks: 100 blocks is about 30 s; +40 was too little once in a parallel run).
  int64_t plan = net.Height() + 100;
  net.ProposeAndVote(kUpgradeName, plan, PlanInfo(mirror, net, false));
  // The plan appears in current_plan when the voting period (3 s) ends: wait for it, bounded.
  bool scheduled = false;
  for (int i = 0; i < 300 && !scheduled; ++i) {
    scheduled = net.RestGet("/cosmos/upgrade/v1beta1/current_plan").find(kUpgradeName) !=
                std::string::npos;
    if (!scheduled) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(scheduled) << net.RestGet("/cosmos/upgrade/v1beta1/current_plan");

  auto r = h.Run({"prepare-upgrade"}, {{"REPLAYER_REST_ADDRESS", rest}}, 120s);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(std::string("upcoming upgrade \"") + kUpgradeName + "\" at height " +
                       std::to_string(plan)),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("installed " + h.home() + "/cosmovisor/upgrades/" + kUpgradeName +
                       "/bin/simd from " + mirror.url()),
            std::string::npos) << r.out;
  EXPECT_EQ(ReadText(h.home() + "/cosmovisor/upgrades/" + kUpgradeName + "/bin/simd"),
            ReadText(sdkchain::Simd053()));
  EXPECT_EQ(h.Current(), "genesis");
  ASSERT_LT(net.Height(), plan) << "prepared after the height: the test proves nothing";

  int64_t seen = net.WaitHeight(plan + 3, 180s);
  kill(run, SIGTERM);
  e2e::RunResult done = h.Wait(run, 60s);
  ASSERT_GE(seen, plan + 3) << done.out << done.err;
  EXPECT_EQ(h.Current(), std::string("upgrades/") + kUpgradeName);
  EXPECT_EQ(sdkchain::Count(done.err, "installed "), 0) << "run downloaded again:\n" << done.err;
}

}  // namespace
