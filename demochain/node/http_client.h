// A minimal blocking HTTP GET client on libcurl, reusing one connection (keep-alive) across
// calls: used by a syncing node to fetch block ranges from its peer and by the `tx` and
// `status` commands. One instance per thread.
#pragma once

#include <string>

namespace demochain {

struct HttpResult {
  bool ok = false;  // transport succeeded (any HTTP status)
  long status = 0;
  std::string body;
  std::string error;  // transport error text when !ok
};

class HttpClient {
 public:
  explicit HttpClient(long timeout_ms = 30000);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpResult Get(const std::string& url);

 private:
  void* curl_;
  long timeout_ms_;
};

}  // namespace demochain
