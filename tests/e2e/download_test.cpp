// End to end: DAEMON_ALLOW_DOWNLOAD_BINARIES=true, the real `replayer run` fetches the next
// binary from the plan's info (a file:// URL with its checksum), verifies and installs it, then
// switches. A wrong checksum installs nothing and leaves `current` and the data as they were.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>

#include "tests/e2e/harness.h"

namespace e2e {
namespace {

std::string Sha256Of(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(("sha256sum " + path).c_str(), "r"), pclose);
  char buf[65] = {};
  if (!p || std::fread(buf, 1, 64, p.get()) != 64) return "";
  return buf;
}

// The plan's info: a URL to a plan-info document (with its own checksum) listing the v2 binary
// with its checksum (or `checksum_override`). `tag` keeps documents apart.
std::string PlanInfo(TestHome& h, const std::string& checksum_override, const std::string& tag) {
  std::string v2 = h.home() + "/../dl-v2";
  h.WriteNode(v2, NodeSpec{"v2"});
  std::string sum = checksum_override.empty() ? Sha256Of(v2) : checksum_override;
  EXPECT_EQ(sum.size(), 64u);
  std::string doc = h.home() + "/../v2-info-" + tag + ".json";
  {
    FILE* f = std::fopen(doc.c_str(), "w");
    std::fprintf(f, "{\"binaries\":{\"linux/amd64\":\"file://%s?checksum=sha256:%s\"}}",
                 v2.c_str(), sum.c_str());
    std::fclose(f);
  }
  return "file://" + doc + "?checksum=sha256:" + Sha256Of(doc);
}

void SetUpDownload(TestHome& h, const std::string& checksum_override) {
  std::string info = PlanInfo(h, checksum_override, "node");
  h.InitGenesis(NodeSpec{"v1", "v2", 4});
  std::string path = h.home() + "/cosmovisor/genesis/bin/simd";
  std::string script = h.ReadFile("cosmovisor/genesis/bin/simd");
  size_t p = script.find("from $VERSION\\\"}");
  ASSERT_NE(p, std::string::npos);
  script.replace(p, std::string("from $VERSION").size(), info);
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs(script.c_str(), f);
  std::fclose(f);
}

TEST(Download, MissingBinaryIsFetchedVerifiedAndInstalled) {
  TestHome h;
  SetUpDownload(h, "");
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "6"},
                                    {"UNSAFE_SKIP_BACKUP", "true"},
                                    {"DAEMON_ALLOW_DOWNLOAD_BINARIES", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(h.CountInLog("v2 start"), 1) << h.NodeLog();
  EXPECT_EQ(h.Height(), 6);
}

TEST(Download, WrongChecksumInstallsNothing) {
  TestHome h;
  SetUpDownload(h, std::string(64, 'e'));
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "6"},
                                    {"UNSAFE_SKIP_BACKUP", "true"},
                                    {"DAEMON_ALLOW_DOWNLOAD_BINARIES", "true"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("checksum mismatch"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(std::string(64, 'e')), std::string::npos) << r.err;
  EXPECT_EQ(h.Current(), "genesis");
  EXPECT_FALSE(h.Exists("cosmovisor/upgrades/v2/bin/simd"));
  EXPECT_EQ(h.Height(), 3);
}

// After a checksum failure the error says how to recover; a corrected upgrade-info.json (same
// name and height, new info) is used on the next run, as binary-ready has not completed.
TEST(Download, CorrectedPlanInfoIsUsedAfterAChecksumFailure) {
  TestHome h;
  SetUpDownload(h, std::string(64, 'e'));
  std::map<std::string, std::string> env{{"STOP_AT", "6"},
                                         {"UNSAFE_SKIP_BACKUP", "true"},
                                         {"DAEMON_ALLOW_DOWNLOAD_BINARIES", "true"}};
  auto failed = h.Run({"run", "start"}, env);
  ASSERT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_NE(failed.err.find("to recover: place a verified binary at " + h.home() +
                            "/cosmovisor/upgrades/v2/bin/simd"),
            std::string::npos)
      << failed.err;
  EXPECT_NE(failed.err.find("correct the plan's info in " + h.home() + "/data/upgrade-info.json"),
            std::string::npos)
      << failed.err;
  std::string fixed = PlanInfo(h, "", "fixed");
  {
    FILE* f = std::fopen((h.home() + "/data/upgrade-info.json").c_str(), "w");
    std::fprintf(f, "{\"name\":\"v2\",\"height\":4,\"info\":\"%s\"}", fixed.c_str());
    std::fclose(f);
  }
  auto r = h.Run({"run", "start"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("new info"), std::string::npos) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(h.Height(), 6);
  EXPECT_NE(h.ReadFile("cosmovisor/upgrades/v2/upgrade-info.json").find("v2-info-fixed"),
            std::string::npos);
}

}  // namespace
}  // namespace e2e
