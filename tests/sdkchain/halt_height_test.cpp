// The real --halt-height of SDK v0.50 and v0.53 under `replayer sync`: a schedule whose
// halt-height switch at F is marked "stop-before". The real node refuses F ("halt per
// configuration height F time 0", after CometBFT logged "finalizing commit of block height=F")
// and stays up; Replayer stops it, finds the last committed block at F-1 and starts the next
// segment, which commits F onwards. Before the committed-height fix Replayer took the
// "finalizing commit" line for a commit of F and aborted ("ran past the end of its segment").
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/sdkchain/sdkchain_fixture.h"

namespace {

using namespace std::chrono_literals;

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

INSTANTIATE_TEST_SUITE_P(Releases, HaltHeight, ::testing::Values("v0_50", "v0_53"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
