// The metrics endpoint over real HTTP on 127.0.0.1, read with the registry's libcurl client.
#include "replayer/sync/metrics_server.h"

#include <gtest/gtest.h>

#include <atomic>

#include "binary-registry/downloader.h"

namespace replayer {
namespace {

registry::DownloadOptions Plain() {
  registry::DownloadOptions o;
  o.allow_http_without_checksum = true;
  o.max_attempts = 1;
  return o;
}

TEST(MetricsServer, ServesWhatRenderReturnsAtEachScrape) {
  std::atomic<int> scrapes{0};
  MetricsServer server("127.0.0.1:0", [&] {
    return "replayer_sync_height " + std::to_string(++scrapes) + "\n";
  });
  auto port = server.Start();
  ASSERT_TRUE(port.ok()) << port.status().message();
  ASSERT_NE(*port, 0);
  std::string base = "http://127.0.0.1:" + std::to_string(*port);
  registry::Downloader http(Plain());
  auto first = http.FetchText(base + "/metrics", std::nullopt);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(*first, "replayer_sync_height 1\n");
  auto second = http.FetchText(base + "/metrics?x=1", std::nullopt);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(*second, "replayer_sync_height 2\n");
  auto missing = http.FetchText(base + "/nope", std::nullopt);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("404"), std::string::npos)
      << missing.status().message();
  server.Stop();
  EXPECT_FALSE(http.FetchText(base + "/metrics", std::nullopt).ok());
}

TEST(MetricsServer, BadListenAddressIsAClearError) {
  MetricsServer server("localhost", [] { return std::string(); });
  auto port = server.Start();
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message().find("IP:PORT"), std::string::npos);
}

TEST(MetricsServer, PortInUseIsAClearError) {
  MetricsServer first("127.0.0.1:0", [] { return std::string(); });
  auto port = first.Start();
  ASSERT_TRUE(port.ok());
  MetricsServer second("127.0.0.1:" + std::to_string(*port), [] { return std::string(); });
  auto again = second.Start();
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("--metrics"), std::string::npos);
}

}  // namespace
}  // namespace replayer
