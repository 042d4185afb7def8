#include "binary-registry/downloader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "tests/binary-registry/test_server.h"
#include "tests/testing/temp_dir.h"

namespace registry {
namespace {

using registry_test::Reply;
using registry_test::Request;
using registry_test::TestServer;
namespace fs = std::filesystem;

DownloadOptions Fast() {
  DownloadOptions o;
  o.connect_timeout = std::chrono::milliseconds(2000);
  o.initial_backoff = std::chrono::milliseconds(20);
  o.max_backoff = std::chrono::milliseconds(100);
  o.max_attempts = 3;
  o.attempt_timeout = std::chrono::seconds(20);
  return o;
}

std::string Payload(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return s;
}

plans::Checksum Sha(const std::string& data) {
  return plans::Checksum{plans::HashAlgo::kSha256, registry_test::Sha256Hex(data)};
}

class DownloaderTest : public ::testing::Test {
 protected:
  testing_util::TempDir dir_{"replayer-dl"};
  std::string Dest() const { return dir_ / "out.bin"; }
};

TEST_F(DownloaderTest, HttpsWithThrowawayCaVerifiesAndHashes) {
  auto pki = registry_test::MakeTestPki(dir_.path());
  std::string body = Payload(300000);
  TestServer server([&](const Request&, int) { return Reply{200, body}; }, pki.server_cert,
                    pki.server_key);
  DownloadOptions o = Fast();
  o.ca_bundle = pki.ca_pem;
  Downloader d(o);
  auto r = d.Fetch({server.Url("/appd"), Sha(body), Dest()});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->sha256, registry_test::Sha256Hex(body));
  EXPECT_EQ(registry_test::ReadFile(Dest()), body);
  EXPECT_EQ(r->http_status, 200);
  EXPECT_FALSE(fs::exists(Dest() + ".partial"));
}

TEST_F(DownloaderTest, HttpsWithoutTheCaIsRefusedNotRetried) {
  auto pki = registry_test::MakeTestPki(dir_.path());
  TestServer server([&](const Request&, int) { return Reply{200, "x"}; }, pki.server_cert,
                    pki.server_key);
  Downloader d(Fast());
  auto r = d.Fetch({server.Url("/appd"), std::nullopt, Dest()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(server.Url("/appd")), std::string::npos);
  EXPECT_NE(r.status().message().find("curl 60"), std::string::npos) << r.status().message();
  EXPECT_EQ(server.requests(), 1);
  EXPECT_FALSE(fs::exists(Dest()));
}

// Nothing listens: retried like any transient error, unless the caller asks a node's own API
// (retry_refused_connection = false), where it fails at once and says so.
TEST_F(DownloaderTest, ARefusedConnectionFailsAtOnceWhenAskedTo) {
  std::string url;
  {
    TestServer gone([&](const Request&, int) { return Reply{200, "x"}; });
    url = gone.Url("/cosmos/upgrade/v1beta1/current_plan");
  }
  DownloadOptions o = Fast();
  o.allow_http_without_checksum = true;
  auto retried = Downloader(o).Fetch({url, std::nullopt, Dest()});
  ASSERT_FALSE(retried.ok());
  EXPECT_NE(retried.status().message().find("gave up after 3 attempts"), std::string::npos)
      << retried.status().message();
  o.retry_refused_connection = false;
  auto once = Downloader(o).Fetch({url, std::nullopt, Dest()});
  ASSERT_FALSE(once.ok());
  EXPECT_NE(once.status().message().find(url + ": nothing accepts connections there ("),
            std::string::npos) << once.status().message();
  EXPECT_NE(once.status().message().find("(curl 7)"), std::string::npos) << once.status().message();
  EXPECT_EQ(once.status().message().find("attempts"), std::string::npos) << once.status().message();
  EXPECT_FALSE(fs::exists(Dest()));
  EXPECT_FALSE(fs::exists(Dest() + ".partial"));
}

TEST_F(DownloaderTest, PlainHttpNeedsAChecksum) {
  TestServer server([&](const Request&, int) { return Reply{200, "abc"}; });
  Downloader d(Fast());
  auto r = d.Fetch({server.Url("/appd"), std::nullopt, Dest()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("plain http without a checksum"), std::string::npos);
  EXPECT_EQ(server.requests(), 0);
  auto ok = d.Fetch({server.Url("/appd"), Sha("abc"), Dest()});
  ASSERT_TRUE(ok.ok()) << ok.status().message();
}

TEST_F(DownloaderTest, NotFoundFailsAtOnceWithTheStatus) {
  TestServer server([&](const Request&, int) { return Reply{404, "nope"}; });
  Downloader d(Fast());
  auto r = d.Fetch({server.Url("/missing"), Sha("x"), Dest()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Status::Code::kNotFound);
  EXPECT_NE(r.status().message().find("HTTP 404"), std::string::npos);
  EXPECT_NE(r.status().message().find("/missing"), std::string::npos);
  EXPECT_EQ(server.requests(), 1);
}

TEST_F(DownloaderTest, ServerErrorsAreRetriedThenReported) {
  TestServer server([&](const Request&, int) { return Reply{500, "oops"}; });
  Downloader d(Fast());
  auto r = d.Fetch({server.Url("/appd"), Sha("x"), Dest()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("HTTP 500"), std::string::npos);
  EXPECT_NE(r.status().message().find("3 attempts"), std::string::npos) << r.status().message();
  EXPECT_EQ(server.requests(), 3);
}

TEST_F(DownloaderTest, ServerErrorThenSuccess) {
  std::string body = Payload(5000);
  TestServer server([&](const Request&, int n) { return n == 1 ? Reply{503, ""} : Reply{200, body}; });
  Downloader d(Fast());
  auto r = d.Fetch({server.Url("/appd"), Sha(body), Dest()});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->attempts, 2);
}

TEST_F(DownloaderTest, SlowServerHitsTheLowSpeedLimit) {
  std::string body = Payload(200000);
  TestServer server([&](const Request&, int) {
    Reply r{200, body};
    r.chunk_delay_ms = 400;
    return r;
  });
  DownloadOptions o = Fast();
  o.low_speed_bytes = 1000000;
  o.low_speed_time = std::chrono::seconds(1);
  o.max_attempts = 2;
  Downloader d(o);
  auto start = std::chrono::steady_clock::now();
  auto r = d.Fetch({server.Url("/slow"), Sha(body), Dest()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("curl 28"), std::string::npos) << r.status().message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
  EXPECT_FALSE(fs::exists(Dest()));
}

TEST_F(DownloaderTest, TruncatedBodyIsResumedWithARange) {
  std::string body = Payload(400000);
  TestServer server([&](const Request&, int n) {
    Reply r{200, body};
    if (n == 1) r.truncate_at = 150000;  // announces the full length, then hangs up
    return r;
  });
  Downloader d(Fast());
  auto r = d.Fetch({server.Url("/appd"), Sha(body), Dest()});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->resumed);
  EXPECT_EQ(registry_test::ReadFile(Dest()), body);
  auto seen = server.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].headers["range"], "bytes=150000-");
}

TEST_F(DownloaderTest, LeftoverPartialFromACrashIsResumed) {
  std::string body = Payload(100000);
  registry_test::WriteFile(Dest() + ".partial", body.substr(0, 60000));
  TestServer server([&](const Request&, int) { return Reply{200, body}; });
  Downloader d(Fast());
  auto r = d.Fetch({server.Url("/appd"), Sha(body), Dest()});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->resumed);
  EXPECT_EQ(server.seen().at(0).headers["range"], "bytes=60000-");
  EXPECT_EQ(registry_test::ReadFile(Dest()), body);
}

TEST_F(DownloaderTest, GarbagePartialIsNeverABlocker) {
  std::string body = Payload(50000);
  registry_test::WriteFile(Dest() + ".partial", std::string(20000, 'z'));  // not a prefix
  TestServer server([&](const Request&, int) { return Reply{200, body}; });
  Downloader d(Fast());
  auto r = d.Fetch({server.Url("/appd"), Sha(body), Dest()});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(registry_test::ReadFile(Dest()), body);
  EXPECT_EQ(server.requests(), 2);  // resumed, mismatched, restarted from scratch once
}

TEST_F(DownloaderTest, ServerIgnoringRangeRestartsCleanly) {
  std::string body = Payload(50000);
  registry_test::WriteFile(Dest() + ".partial", body.substr(0, 1000));
  TestServer server([&](const Request&, int) {
    Reply r{200, body};
    r.honor_range = false;
    return r;
  });
  Downloader d(Fast());
  auto r = d.Fetch({server.Url("/appd"), Sha(body), Dest()});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->resumed);
  EXPECT_EQ(registry_test::ReadFile(Dest()), body);
}

TEST_F(DownloaderTest, WrongLengthIsCaughtByTheChecksum) {
  std::string body = Payload(30000);
  TestServer server([&](const Request&, int) {
    Reply r{200, body};
    r.content_length = 20000;  // announces less than it sends
    return r;
  });
  Downloader d(Fast());
  auto r = d.Fetch({server.Url("/appd"), Sha(body), Dest()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Status::Code::kCorruption);
  EXPECT_NE(r.status().message().find("checksum mismatch"), std::string::npos);
  EXPECT_FALSE(fs::exists(Dest()));
  EXPECT_FALSE(fs::exists(Dest() + ".partial"));
}

TEST_F(DownloaderTest, WrongChecksumNamesExpectedAndActual) {
  std::string body = Payload(1000);
  TestServer server([&](const Request&, int) { return Reply{200, body}; });
  Downloader d(Fast());
  plans::Checksum wrong{plans::HashAlgo::kSha256, std::string(64, '0')};
  auto r = d.Fetch({server.Url("/appd"), wrong, Dest()});
  ASSERT_FALSE(r.ok());
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("expected sha256:" + std::string(64, '0')), std::string::npos) << m;
  EXPECT_NE(m.find("got sha256:" + registry_test::Sha256Hex(body)), std::string::npos) << m;
  EXPECT_FALSE(fs::exists(Dest()));
}

TEST_F(DownloaderTest, Sha512ChecksumIsVerified) {
  std::string body = "hello";
  TestServer server([&](const Request&, int) { return Reply{200, body}; });
  Downloader d(Fast());
  auto c = plans::ParseChecksum(
      "sha512:9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc"
      "6e14b8c5da0c4663475c2e5c3adef46f73bcdec043");
  ASSERT_TRUE(c.ok());
  auto r = d.Fetch({server.Url("/appd"), *c, Dest()});
  ASSERT_TRUE(r.ok()) << r.status().message();
}

TEST_F(DownloaderTest, MaximumSizeIsEnforced) {
  std::string body = Payload(100000);
  TestServer server([&](const Request&, int) { return Reply{200, body}; });
  DownloadOptions o = Fast();
  o.max_bytes = 50000;
  Downloader d(o);
  auto r = d.Fetch({server.Url("/appd"), Sha(body), Dest()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("larger than the limit"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(server.requests(), 1);
  EXPECT_FALSE(fs::exists(Dest() + ".partial"));
}

// Issue 10, item 5: a .partial left by an earlier attempt is removed too once the download
// turns out to be over the limit (it used to stay: up to 4 GiB in the store's tmp/).
TEST_F(DownloaderTest, OverTheLimitRemovesTheResumedPartial) {
  std::string body = Payload(100000);
  TestServer server([&](const Request&, int) { return Reply{200, body}; });
  registry_test::WriteFile(Dest() + ".partial", body.substr(0, 30000));
  DownloadOptions o = Fast();
  o.max_bytes = 50000;
  Downloader d(o);
  auto r = d.Fetch({server.Url("/appd"), Sha(body), Dest()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("larger than the limit"), std::string::npos)
      << r.status().message();
  EXPECT_FALSE(fs::exists(Dest() + ".partial"));
  EXPECT_FALSE(fs::exists(Dest()));
}

TEST_F(DownloaderTest, LocalPathsAndFileUrls) {
  std::string src = dir_ / "src.bin";
  registry_test::WriteFile(src, "local bytes");
  Downloader d(Fast());
  auto a = d.Fetch({src, Sha("local bytes"), Dest()});
  ASSERT_TRUE(a.ok()) << a.status().message();
  auto b = d.Fetch({"file://" + src, std::nullopt, dir_ / "b.bin"});
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(registry_test::ReadFile(dir_ / "b.bin"), "local bytes");
  auto missing = d.Fetch({dir_ / "nope", std::nullopt, dir_ / "c.bin"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), base::Status::Code::kNotFound);
}

TEST_F(DownloaderTest, FetchAllRunsInParallel) {
  std::vector<std::string> bodies;
  for (int i = 0; i < 6; ++i) bodies.push_back(Payload(20000 + static_cast<size_t>(i)));
  TestServer server([&](const Request& req, int) {
    size_t i = static_cast<size_t>(req.path.back() - '0');
    Reply r{200, bodies[i]};
    r.header_delay_ms = 300;
    return r;
  });
  DownloadOptions o = Fast();
  o.max_parallel = 6;
  Downloader d(o);
  std::vector<DownloadRequest> reqs;
  for (size_t i = 0; i < bodies.size(); ++i) {
    reqs.push_back({server.Url("/b" + std::to_string(i)), Sha(bodies[i]),
                    dir_ / ("p" + std::to_string(i))});
  }
  auto start = std::chrono::steady_clock::now();
  auto results = d.FetchAll(reqs);
  auto took = std::chrono::steady_clock::now() - start;
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status().message();
    EXPECT_EQ(registry_test::ReadFile(reqs[i].dest), bodies[i]);
  }
  EXPECT_LT(took, std::chrono::milliseconds(6 * 300));  // not sequential
}

TEST(ProgressBar, Formats) {
  std::string bar = FormatProgressBar(50 << 20, 100 << 20, 10 << 20, 80);
  EXPECT_NE(bar.find(" 50%"), std::string::npos) << bar;
  EXPECT_NE(bar.find("ETA 5s"), std::string::npos) << bar;
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
}

}  // namespace
}  // namespace registry
