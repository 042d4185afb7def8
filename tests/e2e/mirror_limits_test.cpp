// End to end: the real `replayer registry serve` closes connections that send nothing or only
// half a request within --read-timeout, and answers 503 beyond --max-connections, with real
// sockets on loopback (issue 10, item 7: 1,000 idle connections used to stay open for ever).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/e2e/harness.h"

namespace e2e {
namespace {

using Clock = std::chrono::steady_clock;

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{8, 0};  // bound every read in the test
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Everything the server sends until it closes (or 8 s pass: then "TIMEOUT").
std::string ReadUntilClosed(int fd) {
  std::string got;
  char buf[4096];
  while (true) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) return got;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? got + "TIMEOUT" : got;
    got.append(buf, static_cast<size_t>(n));
  }
}

class MirrorLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = h_.home() + "/../serve.out";
    pid_ = SpawnToFiles({REPLAYER_BIN, "registry", "serve", "--listen", "127.0.0.1:0",
                         "--read-timeout", "1", "--idle-timeout", "1", "--max-connections", "3"},
                        h_.env(), out_, h_.home() + "/../serve.err");
    std::regex on(" on http://127\\.0\\.0\\.1:([0-9]+)");
    for (auto until = Clock::now() + std::chrono::seconds(10); Clock::now() < until && !port_;) {
      std::ifstream in(out_);
      std::stringstream ss;
      ss << in.rdbuf();
      std::smatch m;
      std::string text = ss.str();
      if (std::regex_search(text, m, on)) port_ = std::stoi(m[1]);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_NE(port_, 0) << "the mirror did not report its port";
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 100 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
  }
  TestHome h_;
  std::string out_;
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST_F(MirrorLimits, IdleAndHalfSentConnectionsAreClosedAndTheCapHolds) {
  int idle = Connect(port_);
  int half = Connect(port_);
  int slow = Connect(port_);
  ASSERT_GE(idle, 0);
  ASSERT_GE(half, 0);
  ASSERT_GE(slow, 0);
  const std::string partial = "GET /index.json HTTP/1.1\r\nHost: 127.0.0.1\r\n";  // no end
  ASSERT_EQ(::send(half, partial.data(), partial.size(), 0), static_cast<ssize_t>(partial.size()));
  ASSERT_EQ(::send(slow, "G", 1, 0), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  // Three are open: a fourth is refused at once.
  int extra = Connect(port_);
  ASSERT_GE(extra, 0);
  std::string refused = ReadUntilClosed(extra);
  EXPECT_EQ(refused.rfind("HTTP/1.1 503", 0), 0u) << refused;
  ::close(extra);

  // The request trickles in one byte at a time: the read timeout counts the whole request.
  auto start = Clock::now();
  for (char c : std::string("ET /index.json")) {
    if (::send(slow, &c, 1, MSG_NOSIGNAL) != 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  for (int fd : {idle, half, slow}) {
    std::string got = ReadUntilClosed(fd);
    EXPECT_EQ(got, "") << "the server answered or kept the connection open: " << got;
    ::close(fd);
  }
  auto waited = Clock::now() - start;
  EXPECT_LT(waited, std::chrono::seconds(6));

  // Once they are gone, a whole request is served.
  int ok = Connect(port_);
  ASSERT_GE(ok, 0);
  const std::string get = "GET /index.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  ASSERT_EQ(::send(ok, get.data(), get.size(), 0), static_cast<ssize_t>(get.size()));
  std::string answer = ReadUntilClosed(ok);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  ::close(ok);
}

}  // namespace
}  // namespace e2e
