// `replayer prepare-upgrade` end to end against a loopback REST server (the registry tests'
// TestServer): the plan's binary fetched and verified into upgrades/<name>/bin/, no plan, a bad
// answer, a checksum that does not match (nothing installed), the address from flag or env.
#include <gtest/gtest.h>
#include <sys/utsname.h>

#include "tests/binary-registry/test_server.h"
#include "tests/e2e/harness.h"

namespace e2e {
namespace {

using registry_test::Reply;
using registry_test::Request;
using registry_test::TestServer;

std::string HostPlatformKey() {
  struct utsname u {};
  uname(&u);
  std::string m = u.machine;
  return "linux/" + std::string(m == "x86_64" ? "amd64" : m == "aarch64" ? "arm64" : m);
}

struct Chain {
  std::string plan;  // the current_plan answer
  std::string binary;
  int plan_status = 200;
};

std::unique_ptr<TestServer> Serve(Chain& chain) {
  return std::make_unique<TestServer>([&chain](const Request& r, int) {
    if (r.path == "/cosmos/upgrade/v1beta1/current_plan") return Reply{chain.plan_status, chain.plan};
    if (r.path.rfind("/bin/v2", 0) == 0) return Reply{200, chain.binary};
    return Reply{404, "{\"code\":5,\"message\":\"not found\"}"};
  });
}

std::string PlanJson(const TestServer& s, const std::string& checksum) {
  std::string info = "{\\\"binaries\\\":{\\\"" + HostPlatformKey() + "\\\":\\\"" + s.Url("/bin/v2") +
                     "?checksum=sha256:" + checksum + "\\\"}}";
  return "{\"plan\":{\"name\":\"v2\",\"time\":\"0001-01-01T00:00:00Z\",\"height\":\"40\","
         "\"info\":\"" + info + "\",\"upgraded_client_state\":null}}";
}

TEST(PrepareUpgrade, FetchesAndVerifiesThePlansBinaryAheadOfTheHeight) {
  TestHome h;
  h.InitGenesis(NodeSpec{"v1"});
  std::string src = h.home() + "/../v2-src";
  h.WriteNode(src, NodeSpec{"v2"});
  Chain chain;
  chain.binary = registry_test::ReadFile(src);
  auto server = Serve(chain);
  std::string rest = "http://127.0.0.1:" + std::to_string(server->port());

  // A checksum that does not match: refused, the URL named, nothing installed.
  chain.plan = PlanJson(*server, std::string(64, '0'));
  auto bad = h.Run({"prepare-upgrade", "--rest", rest});
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_NE(bad.err.find("/bin/v2"), std::string::npos) << bad.err;
  EXPECT_FALSE(h.Exists("cosmovisor/upgrades/v2/bin/simd"));

  chain.plan = PlanJson(*server, registry_test::Sha256Hex(chain.binary));
  auto r = h.Run({"prepare-upgrade", "--rest", rest});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("upcoming upgrade \"v2\" at height 40"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("installed " + h.home() + "/cosmovisor/upgrades/v2/bin/simd"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(registry_test::ReadFile(h.home() + "/cosmovisor/upgrades/v2/bin/simd"), chain.binary);
  EXPECT_EQ(h.Current(), "genesis");  // no switch
  EXPECT_FALSE(h.Exists("data/upgrade-info.json"));
  // Again (address from the environment this time): already there, nothing downloaded.
  int before = server->requests();
  auto again = h.Run({"prepare-upgrade"}, {{"REPLAYER_REST_ADDRESS", rest}});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already in place"), std::string::npos) << again.out;
  EXPECT_EQ(server->requests(), before + 1) << "only current_plan was asked";
}

TEST(PrepareUpgrade, NoPlanAndBadAnswers) {
  TestHome h;
  h.InitGenesis(NodeSpec{"v1"});
  Chain chain;
  chain.plan = "{\"plan\":null}";
  auto server = Serve(chain);
  std::string rest = "http://127.0.0.1:" + std::to_string(server->port());
  auto none = h.Run({"prepare-upgrade", "--rest", rest});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.out.find("no upgrade plan is scheduled"), std::string::npos) << none.out;

  chain.plan = "<html>gateway</html>";
  auto html = h.Run({"prepare-upgrade", "--rest", rest});
  EXPECT_EQ(html.exit_code, 1);
  EXPECT_NE(html.err.find(rest + "/cosmos/upgrade/v1beta1/current_plan"), std::string::npos)
      << html.err;

  chain.plan = "{}";
  chain.plan_status = 500;
  auto failed = h.Run({"prepare-upgrade", "--rest", rest});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("current_plan"), std::string::npos) << failed.err;

  // A plan without a binary for this machine: refused, nothing installed.
  chain.plan_status = 200;
  chain.plan = "{\"plan\":{\"name\":\"v2\",\"height\":\"40\",\"info\":\"\"}}";
  auto no_info = h.Run({"prepare-upgrade", "--rest", rest});
  EXPECT_EQ(no_info.exit_code, 1) << no_info.out;
  EXPECT_NE(no_info.err.find("upgrade \"v2\""), std::string::npos) << no_info.err;
  EXPECT_FALSE(h.Exists("cosmovisor/upgrades/v2/bin/simd"));

  server.reset();  // nothing listens there any more
  auto down = h.Run({"prepare-upgrade", "--rest", rest});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("127.0.0.1"), std::string::npos) << down.err;
  // Refused at once, said so, not retried five times with back-off (~8 s).
  EXPECT_NE(down.err.find(rest + "/cosmos/upgrade/v1beta1/current_plan: nothing accepts connections there"),
            std::string::npos) << down.err;
  EXPECT_EQ(CountOf(down.err, "retrying"), 0) << down.err;
}

}  // namespace
}  // namespace e2e
