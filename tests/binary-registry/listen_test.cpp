#include "binary-registry/listen.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace registry {
namespace {

TEST(ParseListenAddress, IpAndPort) {
  auto v4 = ParseListenAddress("127.0.0.1:8080");
  ASSERT_TRUE(v4.ok()) << v4.status().message();
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  auto any = ParseListenAddress("0.0.0.0:0");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->port, 0);
  auto local = ParseListenAddress("localhost:9");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->host, "127.0.0.1");
  auto v6 = ParseListenAddress("[::1]:65535");
  ASSERT_TRUE(v6.ok()) << v6.status().message();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 65535);
}

TEST(ParseListenAddress, RejectsWhatIsNotIpColonPort) {
  for (const char* bad :
       {"", ":", "8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
        "127.0.0.1:80x", "example.com:80", "[]:80", "127.0.0.1: 80", "1.2.3.4.5:80"}) {
    auto r = ParseListenAddress(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.status().Is(base::Status::Code::kInvalidArgument)) << bad;
    EXPECT_NE(r.status().message().find(std::string("\"") + bad + "\""), std::string::npos)
        << r.status().message();
  }
}

TEST(Listen, BindsLoopbackAndNamesTheAddressWhenTaken) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor first(io), second(io);
  auto port = Listen(first, "127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status().message();
  EXPECT_NE(*port, 0);
  EXPECT_TRUE(first.is_open());
  EXPECT_EQ(first.local_endpoint().address().to_string(), "127.0.0.1");

  std::string taken = "127.0.0.1:" + std::to_string(*port);
  auto again = Listen(second, taken);
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.status().Is(base::Status::Code::kUnavailable));
  EXPECT_NE(again.status().message().find(taken), std::string::npos) << again.status().message();
  EXPECT_FALSE(second.is_open());  // left closed, as documented

  auto bad = Listen(second, "nowhere");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().Is(base::Status::Code::kInvalidArgument));
}

}  // namespace
}  // namespace registry
