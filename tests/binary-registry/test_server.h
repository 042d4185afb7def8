// A scripted HTTP(S) server for registry tests: binds 127.0.0.1 on a free port, answers each
// request with whatever the handler returns, and can misbehave on purpose (truncate the body,
// announce a wrong length, send slowly, honour or ignore Range). One thread per connection; the
// destructor stops accepting and joins everything. TLS when given a certificate and key (PEM).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace registry_test {

struct Request {
  std::string method, path;
  std::map<std::string, std::string> headers;  // lower-case names
};

struct Reply {
  int status = 200;
  std::string body;
  bool honor_range = true;     // answer "Range: bytes=N-" with 206
  size_t truncate_at = SIZE_MAX;  // close the connection after this many body bytes
  long content_length = -1;    // announce this instead of the real length
  int chunk_delay_ms = 0;      // pause between 16 KiB chunks
  int header_delay_ms = 0;     // pause before answering at all
};

class TestServer {
 public:
  using Handler = std::function<Reply(const Request&, int request_number)>;
  explicit TestServer(Handler handler, std::string cert_pem = "", std::string key_pem = "");
  ~TestServer();
  uint16_t port() const { return port_; }
  std::string Url(const std::string& path) const;
  int requests() const { return count_.load(); }
  std::vector<Request> seen() const;

 private:
  void AcceptLoop();
  void Serve(int fd, int number);
  Handler handler_;
  std::string cert_, key_;
  void* ssl_ctx_ = nullptr;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> count_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
  std::vector<Request> seen_;
};

// Throwaway CA and a server certificate for 127.0.0.1, made with the openssl CLI.
struct TestPki {
  std::string ca_pem, server_cert, server_key;  // paths
};
TestPki MakeTestPki(const std::string& dir);

// Runs a shell command for test setup; returns its exit status.
int Shell(const std::string& command);
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content, int mode = 0644);
std::string Sha256Hex(const std::string& data);

}  // namespace registry_test
