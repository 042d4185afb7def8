// The real --halt-height of SDK v0.50 and v0.53 under `replayer sync`, and the coordinated
// halt-height switch of a validator under `replayer run` (v0.53.7 -> v0.53.8, see below).
//
// Under `replayer sync`: a schedule whose
// halt-height switch at F is marked "stop-before". The real node refuses F ("halt per
// configuration height F time 0", after CometBFT logged "finalizing commit of block height=F")
// and stays up; Replayer stops it, finds the last committed block at F-1 and starts the next
// segment, which commits F onwards. Before the committed-height fix Replayer took the
// "finalizing commit" line for a commit of F and aborted ("ran past the end of its segment").
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "tests/sdkchain/sdkchain_fixture.h"

namespace {

using namespace std::chrono_literals;

// A TCP port free on 127.0.0.1 right now.
int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

// Upper-case hex of a base64 string (ABCI info's app hash; block headers carry hex).
std::string HexOfBase64(const std::string& b64) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  int bits = 0;
  unsigned acc = 0;
  for (char c : b64) {
    size_t v = kAlphabet.find(c);
    if (v == std::string::npos) break;  // '=' padding
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string Sha256Of(const std::string& path) {
  sdkchain::Cmd c = sdkchain::RunCmd({"/usr/bin/sha256sum", path}, {{"PATH", "/usr/bin:/bin"}},
                                     "/tmp", 60s);
  return c.out.substr(0, 64);
}

class HaltHeight : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string missing = sdkchain::MissingBinaries();
    ASSERT_TRUE(missing.empty()) << missing;
  }
};

TEST_P(HaltHeight, StopBeforeSwitchOnTheRealBinary) {
  const std::string simd = GetParam() == "v0_50" ? sdkchain::Simd050() : sdkchain::Simd053();
  const std::string version = GetParam() == "v0_50" ? "v0.50.15" : "v0.53.8";
  e2e::TestHome h;
  sdkchain::Localnet net(h, simd);
  const int64_t f = 15;
  const std::string bin = "file://" + simd + "?checksum=sha256:" + Sha256Of(simd);
  const std::string plans = h.home() + "/../plans.json";
  {
    std::ofstream p(plans);
    p << R"({"format_version":1,"chain_id":"sdkchain-1","daemon_name":"simd","segments":[)"
      << R"({"first_height":1,"kind":"genesis","name":"genesis","version":")" << version
      << R"(","halt_semantics":"stop-before","binaries":{"linux/amd64":")" << bin << R"("}},)"
      << R"({"first_height":)" << f << R"(,"kind":"halt-height","name":"patch","version":")"
      << version << R"(","halt_semantics":"stop-before","binaries":{"linux/amd64":")" << bin
      << R"("}}]})";
  }
  e2e::RunResult r = h.Run({"sync", "--plans", plans, "--until", std::to_string(f + 4),
                            "--progress-interval", "0", "--", "start", "--home", h.home()},
                           {}, 240s);
  std::string all = r.out + r.err;
  ASSERT_EQ(r.exit_code, 0) << all;
  // The real node's refusal, and Replayer's reading of it.
  EXPECT_NE(all.find("halt per configuration height " + std::to_string(f) + " time 0"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("node halted at height " + std::to_string(f - 1) + "; segments[1]"),
            std::string::npos)
      << all;
  EXPECT_EQ(h.Current(), "upgrades/patch");
  EXPECT_NE(all.find("final height " + std::to_string(f + 4)), std::string::npos) << all;
}

// The operator's coordinated halt-height switch to a security release, under `replayer run`: the
// validator on SDK v0.53.7 with `halt-height = F` in app.toml, `replayer add-upgrade v053-patch
// <v0.53.8> --upgrade-height F`, and a COSMOVISOR_CUSTOM_PREUPGRADE script (localnet.sh
// halt-reset-script) that lifts the halt at that switch. v0.53.7 refuses F and stays up;
// Replayer's height gate sees `status` report F, switches, and v0.53.8 executes F onwards. Then a
// fresh full node replays that history with `replayer sync` (v0.53.7, halt-height switch at F to
// v0.53.8) and reaches the validator's app hash.
TEST(CoordinatedHalt, ValidatorUnderRunSwitchesToThePatchReleaseAndAFreshNodeReplaysIt) {
  std::string missing = sdkchain::MissingBinaries();
  ASSERT_TRUE(missing.empty()) << missing;
  e2e::TestHome val;
  sdkchain::Localnet net(val, sdkchain::Simd0537());
  const int64_t f = 15;
  // `simd status --home` takes its node address from $HOME/.simapp/config/client.toml first
  // (sdkchain/README.md): the validator's own, so that the height gate reaches its RPC port.
  const std::string cli = val.env()["HOME"] + "/.simapp/config";
  std::filesystem::create_directories(cli);
  std::filesystem::copy_file(val.home() + "/config/client.toml", cli + "/client.toml",
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(net.Script({"halt-height", val.home(), std::to_string(f)}, 30s).exit_code, 0);
  sdkchain::Cmd reset = net.Script({"halt-reset-script", val.home()}, 30s);
  ASSERT_EQ(reset.exit_code, 0) << reset.all();
  std::string script = reset.out.substr(0, reset.out.find('\n'));
  ASSERT_EQ(val.Run({"init", sdkchain::Simd0537()}).exit_code, 0);
  e2e::RunResult add =
      val.Run({"add-upgrade", "v053-patch", sdkchain::Simd053(), "--upgrade-height", std::to_string(f)});
  ASSERT_EQ(add.exit_code, 0) << add.out << add.err;
  pid_t run = val.Start({"run", "start", "--home", val.home()},
                        {{"COSMOVISOR_CUSTOM_PREUPGRADE", script}});
  int64_t seen = net.WaitHeight(f + 4, 180s);
  std::string abci = net.RpcGet("/abci_info");
  e2e::RunResult st = val.Run({"status", "--json"});

  // The fresh node, while the validator still serves blocks.
  e2e::TestHome full;
  sdkchain::Localnet fnet(full, net, sdkchain::Simd0537());
  const std::string plans = full.home() + "/../plans.json";
  {
    auto bin = [](const std::string& simd) {
      return "file://" + simd + "?checksum=sha256:" + Sha256Of(simd);
    };
    std::ofstream p(plans);
    p << R"({"format_version":1,"chain_id":"sdkchain-1","daemon_name":"simd","segments":[)"
      << R"({"first_height":1,"kind":"genesis","name":"genesis","version":"v0.53.7",)"
      << R"("halt_semantics":"stop-before","binaries":{"linux/amd64":")" << bin(sdkchain::Simd0537())
      << R"("}},{"first_height":)" << f << R"(,"kind":"halt-height","name":"v053-patch",)"
      << R"("version":"v0.53.8","halt_semantics":"stop-before","binaries":{"linux/amd64":")"
      << bin(sdkchain::Simd053()) << R"("}}]})";
  }
  e2e::RunResult sync = full.Run({"sync", "--plans", plans, "--until", std::to_string(f + 3),
                                  "--progress-interval", "0", "--", "start", "--home",
                                  full.home(), "--log_no_color"},
                                 {}, 240s);
  // The synced node's own app hash (ABCI info), started alone on v0.53.8 (no peers, no PEX, a
  // P2P port the validator never learnt) so that it stays where the sync left it: at F+3, or F+4
  // when CometBFT's handshake executes the block it stored when --halt-height F+4 refused it.
  std::filesystem::remove(full.home() + "/config/addrbook.json");
  const std::string fabci = "http://127.0.0.1:" + std::to_string(fnet.Port("RPC_PORT"));
  pid_t alone = e2e::SpawnToFiles(
      {sdkchain::Simd053(), "start", "--home", full.home(), "--p2p.persistent_peers", "",
       "--p2p.seeds", "", "--p2p.pex=false", "--p2p.laddr",
       "tcp://127.0.0.1:" + std::to_string(FreeLoopbackPort())},
      {{"PATH", "/usr/bin:/bin"}, {"HOME", full.env()["HOME"]}}, full.home() + "/../alone.out",
      full.home() + "/../alone.err");
  int64_t fh = 0;
  std::string mine;
  for (int i = 0; i < 600 && fh < f + 3; ++i) {
    std::string body = fnet.RpcGet("/abci_info");
    if (!body.empty()) {
      auto j = nlohmann::json::parse(body, nullptr, false);
      try {
        const auto& resp = j.at("result").at("response");
        fh = std::stoll(resp.value("last_block_height", std::string("0")));
        mine = resp.value("last_block_app_hash", std::string());
      } catch (const std::exception&) {
        // not up yet, or an answer without the fields: ask again
      }
    }
    if (fh < f + 3) std::this_thread::sleep_for(100ms);
  }
  kill(alone, SIGKILL);
  waitpid(alone, nullptr, 0);
  std::string header = net.RpcGet("/block?height=" + std::to_string(fh + 1));
  kill(run, SIGTERM);
  e2e::RunResult r = val.Wait(run, 60s);
  std::string all = r.out + r.err;

  ASSERT_GE(seen, f + 4) << "the validator did not pass the halt at " << f << "\n" << all;
  // v0.53.7's own refusal of F, Replayer's gate, the lifted halt, then v0.53.8 running.
  EXPECT_NE(all.find("halt per configuration height " + std::to_string(f) + " time 0"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("manual upgrade \"v053-patch\" at " + std::to_string(f) + " is due"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("halt-height " + std::to_string(f) + " lifted"), std::string::npos) << all;
  EXPECT_EQ(val.Current(), "upgrades/v053-patch");
  EXPECT_NE(abci.find("\"version\":\"v0.53.8\""), std::string::npos) << abci;
  ASSERT_EQ(st.exit_code, 0) << st.err;
  auto applied = nlohmann::json::parse(st.out).at("applied");
  ASSERT_EQ(applied.size(), 1u) << st.out;
  EXPECT_EQ(applied[0].at("name"), "v053-patch");
  EXPECT_EQ(applied[0].at("height").get<int64_t>(), f);

  std::string sall = sync.out + sync.err;
  ASSERT_EQ(sync.exit_code, 0) << sall;
  EXPECT_NE(sall.find("node halted at height " + std::to_string(f - 1) + "; segments[1] \"v053-patch\""),
            std::string::npos)
      << sall;
  EXPECT_EQ(full.Current(), "upgrades/v053-patch");
  EXPECT_TRUE(fh == f + 3 || fh == f + 4) << "the synced node reports height " << fh;
  ASSERT_FALSE(header.empty()) << "no block " << fh + 1 << " from the validator";
  std::string theirs = nlohmann::json::parse(header)["result"]["block"]["header"]["app_hash"];
  ASSERT_FALSE(mine.empty());
  EXPECT_EQ(HexOfBase64(mine), theirs) << "app hash at height " << fh;
}

INSTANTIATE_TEST_SUITE_P(Releases, HaltHeight, ::testing::Values("v0_50", "v0_53"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
