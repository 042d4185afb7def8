// registry::HttpServer, the serving loop of the mirror and the metrics endpoint, over real
// loopback TCP with a blocking client that writes raw requests and reads until the server
// closes (every read bounded by a 10 s receive timeout).
#include "binary-registry/http_server.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <string>

namespace registry {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

// Connects to 127.0.0.1:port, sends `request` (may be empty), returns all it reads until EOF.
std::string Exchange(uint16_t port, const std::string& request) {
  asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  timeval tv{10, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  boost::system::error_code ec;
  if (!request.empty()) asio::write(s, asio::buffer(request), ec);  // may be cut off: read anyway
  std::string out;
  char buf[4096];
  for (int i = 0; i < 10000; ++i) {
    size_t n = s.read_some(asio::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

HttpServer::Handler Echo(std::atomic<int>& calls) {
  return [&calls](std::shared_ptr<HttpExchange> x) {
    ++calls;
    x->SendText(http::status::ok, "text/plain", "target " + std::string(x->request().target()));
  };
}

TEST(HttpServer, AnswersOneRequestPerConnectionWithTheHandlersResponse) {
  std::atomic<int> calls{0};
  HttpServer server(Echo(calls), HttpServerOptions{.server_name = "test-server"});
  auto port = server.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status().message();
  EXPECT_EQ(server.local_address(), "127.0.0.1");
  std::string get = Exchange(*port, "GET /a?b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(get.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << get;
  EXPECT_NE(get.find("Server: test-server\r\n"), std::string::npos) << get;
  EXPECT_NE(get.find("Connection: close\r\n"), std::string::npos) << get;
  EXPECT_NE(get.find("\r\n\r\ntarget /a?b"), std::string::npos) << get;
  // HEAD: the GET's Content-Length, no body.
  std::string head = Exchange(*port, "HEAD /abc HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(head.find("Content-Length: 11\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n") << head;
  EXPECT_EQ(calls, 2);
}

TEST(HttpServer, ClosesUnreadableAndOversizedRequestsUnanswered) {
  std::atomic<int> calls{0};
  HttpServer server(Echo(calls), HttpServerOptions{.server_name = "t", .max_request_bytes = 1024});
  auto port = server.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status().message();
  EXPECT_EQ(Exchange(*port, "NOT HTTP AT ALL\r\n\r\n"), "");
  EXPECT_EQ(Exchange(*port, "GET / HTTP/1.1\r\nX: " + std::string(4096, 'a') + "\r\n\r\n"), "");
  EXPECT_EQ(calls, 0);
  EXPECT_NE(Exchange(*port, "GET / HTTP/1.1\r\n\r\n").find("200 OK"), std::string::npos);
}

TEST(HttpServer, StopClosesOpenConnectionsAndTheListener) {
  std::atomic<int> calls{0};
  HttpServer server(Echo(calls), HttpServerOptions{.server_name = "t"});
  auto port = server.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status().message();
  asio::io_context io;
  tcp::socket idle(io);  // connected, never finishes its request
  idle.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), *port));
  timeval tv{10, 0};
  ::setsockopt(idle.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  asio::write(idle, asio::buffer(std::string("GET / HTTP/1.1\r\n")));
  server.Stop();
  EXPECT_FALSE(server.running());
  char c;
  boost::system::error_code ec;
  idle.read_some(asio::buffer(&c, 1), ec);
  // Closed by Stop (EOF once accepted, a reset while still in the backlog), not by the timeout.
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  tcp::socket late(io);
  late.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), *port), ec);
  EXPECT_TRUE(ec) << "the listener is still open after Stop";
  EXPECT_EQ(calls, 0);
}

TEST(HttpServer, ListenErrorsNameTheAddress) {
  std::atomic<int> calls{0};
  HttpServer server(Echo(calls), HttpServerOptions{});
  auto port = server.Start("localhost");
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message().find("\"localhost\""), std::string::npos)
      << port.status().message();
  EXPECT_FALSE(server.running());
}

}  // namespace
}  // namespace registry
