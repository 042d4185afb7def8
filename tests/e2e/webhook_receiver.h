// A webhook receiver for end-to-end tests: a real HTTP server (Boost.Beast) on 127.0.0.1 that
// records every request it reads, in arrival order, and answers as told: 200, a fixed status
// (500: a broken receiver), or never (a receiver that hangs: the connection stays open, silent,
// until the receiver is destroyed). One io_context thread; the destructor closes every
// connection and joins it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace e2e {

struct ReceivedPost {
  std::string method, target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

class WebhookReceiver {
 public:
  enum class Answer { kOk, kStatus500, kNever };
  explicit WebhookReceiver(Answer answer = Answer::kOk);
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  uint16_t port() const;
  // http://[userinfo@]127.0.0.1:<port><path>
  std::string Url(const std::string& path, const std::string& userinfo = "") const;
  std::vector<ReceivedPost> posts() const;
  int connections() const;  // accepted so far
  // Waits (at most `timeout`) until at least `n` requests were read; false on time-out.
  bool WaitForPosts(size_t n, std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A loopback port nothing listens on (bound, then closed): connections are refused.
uint16_t ClosedLoopbackPort();

// "sha256=<hex>" HMAC-SHA256 with OpenSSL, for checking X-Replayer-Signature.
std::string HmacSha256Header(const std::string& key, const std::string& body);

}  // namespace e2e
