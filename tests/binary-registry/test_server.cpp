#include "tests/binary-registry/test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace registry_test {

namespace {

struct Conn {
  int fd;
  SSL* ssl;
  bool Write(const char* p, size_t n) {
    while (n > 0) {
      long w = ssl ? SSL_write(ssl, p, static_cast<int>(n)) : ::send(fd, p, n, MSG_NOSIGNAL);
      if (w <= 0) return false;
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }
  long Read(char* p, size_t n) {
    return ssl ? SSL_read(ssl, p, static_cast<int>(n)) : ::recv(fd, p, n, 0);
  }
};

std::string Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 404: return "Not Found";
    case 416: return "Range Not Satisfiable";
    case 500: return "Internal Server Error";
    default: return "Status";
  }
}

}  // namespace

TestServer::TestServer(Handler handler, std::string cert_pem, std::string key_pem)
    : handler_(std::move(handler)), cert_(std::move(cert_pem)), key_(std::move(key_pem)) {
  if (!cert_.empty()) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate_chain_file(ctx, cert_.c_str());
    SSL_CTX_use_PrivateKey_file(ctx, key_.c_str(), SSL_FILETYPE_PEM);
    ssl_ctx_ = ctx;
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(listen_fd_, 64);
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TestServer::~TestServer() {
  stop_ = true;
  acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> l(mu_);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
  ::close(listen_fd_);
  if (ssl_ctx_) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
}

std::string TestServer::Url(const std::string& path) const {
  return std::string(ssl_ctx_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<Request> TestServer::seen() const {
  std::lock_guard<std::mutex> l(const_cast<std::mutex&>(mu_));
  return seen_;
}

void TestServer::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int number = ++count_;
    std::lock_guard<std::mutex> l(mu_);
    workers_.emplace_back([this, fd, number] { Serve(fd, number); });
  }
}

void TestServer::Serve(int fd, int number) {
  Conn c{fd, nullptr};
  if (ssl_ctx_) {
    c.ssl = SSL_new(static_cast<SSL_CTX*>(ssl_ctx_));
    SSL_set_fd(c.ssl, fd);
    if (SSL_accept(c.ssl) <= 0) {
      SSL_free(c.ssl);
      ::close(fd);
      return;
    }
  }
  std::string head;
  char buf[4096];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
    long n = c.Read(buf, sizeof buf);
    if (n <= 0) break;
    head.append(buf, static_cast<size_t>(n));
  }
  Request req;
  std::istringstream in(head);
  std::string line;
  std::getline(in, line);
  std::istringstream first(line);
  first >> req.method >> req.path;
  while (std::getline(in, line) && line != "\r") {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r ") + 1);
    req.headers[name] = value;
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    seen_.push_back(req);
  }
  Reply r = handler_(req, number);
  if (r.header_delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(r.header_delay_ms));
  std::string body = r.body;
  std::string extra;
  int status = r.status;
  auto range = req.headers.find("range");
  if (status == 200 && r.honor_range && range != req.headers.end() &&
      range->second.rfind("bytes=", 0) == 0) {
    size_t start = std::stoul(range->second.substr(6));
    if (start >= body.size()) {
      status = 416;
      extra = "Content-Range: bytes */" + std::to_string(r.body.size()) + "\r\n";
      body.clear();
    } else {
      status = 206;
      extra = "Content-Range: bytes " + std::to_string(start) + "-" +
              std::to_string(body.size() - 1) + "/" + std::to_string(body.size()) + "\r\n";
      body = body.substr(start);
    }
  }
  long announced = r.content_length >= 0 ? r.content_length : static_cast<long>(body.size());
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) + "\r\n" + extra +
                    "Content-Length: " + std::to_string(announced) + "\r\nConnection: close\r\n\r\n";
  bool ok = c.Write(out.data(), out.size());
  size_t limit = std::min(body.size(), r.truncate_at);
  for (size_t off = 0; ok && off < limit && !stop_;) {
    size_t n = std::min<size_t>(16384, limit - off);
    ok = c.Write(body.data() + off, n);
    off += n;
    if (r.chunk_delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(r.chunk_delay_ms));
  }
  if (c.ssl) {
    SSL_shutdown(c.ssl);
    SSL_free(c.ssl);
  }
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

int Shell(const std::string& command) {
  int rc = std::system(("(" + command + ") >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& content, int mode) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  ::chmod(path.c_str(), static_cast<mode_t>(mode));
}

std::string Sha256Hex(const std::string& data) {
  unsigned char d[32];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), d, &n, EVP_sha256(), nullptr);
  static const char* k = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += k[d[i] >> 4];
    out += k[d[i] & 15];
  }
  return out;
}

TestPki MakeTestPki(const std::string& dir) {
  TestPki p{dir + "/ca.pem", dir + "/server.pem", dir + "/server.key"};
  WriteFile(dir + "/ext.cnf", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  Shell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + dir +
      "/ca.key -out " + p.ca_pem + " -days 1 -subj /CN=replayer-test-ca");
  Shell("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " +
      p.server_key + " -out " + dir + "/server.csr -subj /CN=127.0.0.1");
  Shell("openssl x509 -req -in " + dir + "/server.csr -CA " + p.ca_pem + " -CAkey " + dir +
      "/ca.key -CAcreateserial -out " + p.server_cert + " -days 1 -extfile " + dir + "/ext.cnf");
  return p;
}

}  // namespace registry_test
