#include "binary-registry/mirror_server.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>

#include "binary-registry/http_server.h"
#include "upgrade-plans/plan_info.h"

namespace registry {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

bool IsSha256Hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    // Two hex digits exactly: from_chars alone would also take a sign ("%-1").
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      unsigned v = 0;
      std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      out.push_back(static_cast<char>(v));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string PercentEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

MirrorRoute RouteRequest(std::string_view method, std::string_view target) {
  using Kind = MirrorRoute::Kind;
  if (method != "GET" && method != "HEAD") return {Kind::kMethodNotAllowed, {}, {}};
  target = target.substr(0, target.find('?'));
  if (target.rfind("/sha256/", 0) == 0) {
    std::string_view rest = target.substr(8);
    std::string_view hex = rest.substr(0, rest.find('/'));
    if (!IsSha256Hex(hex)) return {Kind::kNotFound, {}, {}};
    return {Kind::kArtifact, std::string(hex), {}};
  }
  if (target.rfind("/plans/", 0) == 0 && target.size() > 12 &&
      target.compare(target.size() - 5, 5, ".json") == 0) {
    return {Kind::kPlan, {}, PercentDecode(target.substr(7, target.size() - 12))};
  }
  if (target == "/index.json") return {Kind::kIndex, {}, {}};
  return {Kind::kNotFound, {}, {}};
}

std::optional<ByteRange> ParseRangeHeader(std::string_view h, uint64_t size) {
  constexpr std::string_view kBytes = "bytes=";
  if (h.substr(0, kBytes.size()) != kBytes) return std::nullopt;
  h.remove_prefix(kBytes.size());
  if (h.find(',') != std::string_view::npos) return std::nullopt;  // multi-range: serve all
  size_t dash = h.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto num = [](std::string_view s, uint64_t& v) {
    return !s.empty() && std::from_chars(s.data(), s.data() + s.size(), v).ptr == s.data() + s.size();
  };
  uint64_t a = 0, b = 0;
  std::string_view left = h.substr(0, dash), right = h.substr(dash + 1);
  if (left.empty()) {  // suffix: last N bytes
    if (!num(right, b)) return std::nullopt;
    if (b == 0 || size == 0) return ByteRange{1, 0};
    b = std::min(b, size);
    return ByteRange{size - b, size - 1};
  }
  if (!num(left, a)) return std::nullopt;
  if (right.empty()) {
    b = size == 0 ? 0 : size - 1;
  } else if (!num(right, b) || b < a) {
    return std::nullopt;
  }
  if (a >= size) return ByteRange{1, 0};
  return ByteRange{a, std::min(b, size - 1)};
}

struct MirrorServer::Impl {
  std::string root;
  CatalogLoader loader;
  MirrorOptions options;
  HttpServer http;

  explicit Impl(const MirrorOptions& o);
};

// One request to the mirror: the routes, on the connection HttpServer read the request from.
struct Session : std::enable_shared_from_this<Session> {
  MirrorServer::Impl& server;
  std::shared_ptr<HttpExchange> exchange;
  tcp::socket& socket;
  const HttpExchange::Request& req;
  std::string header;
  int fd = -1;
  uint64_t offset = 0, remaining = 0;

  Session(MirrorServer::Impl& s, std::shared_ptr<HttpExchange> x)
      : server(s), exchange(std::move(x)), socket(exchange->socket()), req(exchange->request()) {}
  ~Session() {
    if (fd >= 0) ::close(fd);
  }

  void Close() { exchange->Close(); }

  bool head() const { return exchange->head(); }

  void SendText(http::status status, std::string content_type, std::string body) {
    exchange->SendText(status, content_type, std::move(body));
  }

  std::string BaseUrl() const {
    if (!server.options.public_url.empty()) return server.options.public_url;
    auto host = req[http::field::host];
    if (!host.empty() && host.find_first_of(" /\r\n") == std::string_view::npos) {
      return "http://" + std::string(host);
    }
    beast::error_code ec;
    auto ep = socket.local_endpoint(ec);
    return "http://" + ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  void Route() {
    MirrorRoute r = RouteRequest(std::string_view(req.method_string().data(), req.method_string().size()),
                                 std::string_view(req.target().data(), req.target().size()));
    switch (r.kind) {
      case MirrorRoute::Kind::kMethodNotAllowed:
        return SendText(http::status::method_not_allowed, "text/plain", "GET or HEAD only\n");
      case MirrorRoute::Kind::kArtifact:
        return SendFile(server.root + "/sha256/" + r.sha256 + "/artifact");
      case MirrorRoute::Kind::kPlan:
        return SendPlan(r.name);
      case MirrorRoute::Kind::kIndex:
        return SendIndex();
      case MirrorRoute::Kind::kNotFound:
        break;
    }
    SendText(http::status::not_found, "text/plain", "not found\n");
  }

  void SendPlan(const std::string& name) {
    auto catalog = server.loader();
    if (!catalog.ok()) {
      return SendText(http::status::service_unavailable, "text/plain",
                      catalog.status().message() + "\n");
    }
    auto it = catalog->names.find(name);
    if (it == catalog->names.end() || it->second.empty()) {
      return SendText(http::status::not_found, "text/plain", "no binaries named " + name + "\n");
    }
    plans::BinaryMap binaries;
    for (const auto& [platform, sha] : it->second) {
      std::string file = "artifact";
      if (auto e = catalog->entries.find(sha); e != catalog->entries.end() && !e->second.artifact_name.empty()) {
        file = e->second.artifact_name;
      }
      binaries[platform] = plans::BinarySpec{platform, BaseUrl() + "/sha256/" + sha + "/" + PercentEncode(file),
                                             plans::Checksum{plans::HashAlgo::kSha256, sha}};
    }
    SendText(http::status::ok, "application/json", plans::FormatPlanInfo(binaries) + "\n");
  }

  void SendIndex() {
    auto catalog = server.loader();
    if (!catalog.ok()) {
      return SendText(http::status::service_unavailable, "text/plain",
                      catalog.status().message() + "\n");
    }
    nlohmann::json j = {{"artifacts", nlohmann::json::array()}, {"names", nlohmann::json::object()}};
    for (const auto& [sha, e] : catalog->entries) {
      j["artifacts"].push_back({{"sha256", sha},
                                {"size", e.size},
                                {"platform", e.platform},
                                {"url", BaseUrl() + "/sha256/" + sha}});
    }
    for (const auto& [name, targets] : catalog->names) j["names"][name] = targets;
    SendText(http::status::ok, "application/json", j.dump() + "\n");
  }

  void SendFile(const std::string& path) {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0) {
      return SendText(http::status::not_found, "text/plain", "not found\n");
    }
    uint64_t size = static_cast<uint64_t>(st.st_size);
    std::string status = "200 OK";
    offset = 0;
    remaining = size;
    std::string extra;
    auto range_field = req[http::field::range];
    if (auto range = ParseRangeHeader(std::string_view(range_field.data(), range_field.size()), size)) {
      if (range->start > range->end) {
        ::close(fd);
        fd = -1;
        auto self = shared_from_this();
        header = "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" +
                 std::to_string(size) + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        asio::async_write(socket, asio::buffer(header),
                          [self](beast::error_code, size_t) { self->Close(); });
        return;
      }
      status = "206 Partial Content";
      offset = range->start;
      remaining = range->end - range->start + 1;
      extra = "Content-Range: bytes " + std::to_string(range->start) + "-" +
              std::to_string(range->end) + "/" + std::to_string(size) + "\r\n";
    }
    header = "HTTP/1.1 " + status + "\r\nServer: replayer-mirror\r\n" +
             "Content-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\n" + extra +
             "Content-Length: " + std::to_string(remaining) + "\r\nConnection: close\r\n\r\n";
    if (head()) remaining = 0;
    auto self = shared_from_this();
    asio::async_write(socket, asio::buffer(header), [self](beast::error_code ec, size_t) {
      if (ec) return self->Close();
      beast::error_code nb;
      self->socket.native_non_blocking(true, nb);
      if (nb) return self->Close();
      self->SendBody();
    });
  }

  // Streams the file with sendfile(2) (no copy through user space), waiting for the socket
  // whenever its buffer is full.
  void SendBody() {
    while (remaining > 0) {
      off_t off = static_cast<off_t>(offset);
      size_t want = static_cast<size_t>(std::min<uint64_t>(remaining, 1 << 30));
      ssize_t n = ::sendfile(socket.native_handle(), fd, &off, want);
      if (n > 0) {
        offset += static_cast<uint64_t>(n);
        remaining -= static_cast<uint64_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        auto self = shared_from_this();
        socket.async_wait(tcp::socket::wait_write, [self](beast::error_code ec) {
          if (ec) return self->Close();
          self->exchange->KeepAlive();  // the client took more: progress
          self->SendBody();
        });
        return;
      }
      break;  // error, or the file shrank: the client sees a short body
    }
    Close();
  }
};

MirrorServer::Impl::Impl(const MirrorOptions& o)
    : http([this](std::shared_ptr<HttpExchange> x) {
             std::make_shared<Session>(*this, std::move(x))->Route();
           },
           HttpServerOptions{.server_name = "replayer-mirror",
                             .read_timeout = o.read_timeout,
                             .idle_timeout = o.idle_timeout,
                             .max_connections = o.max_connections}) {}

MirrorServer::MirrorServer(std::string store_root, CatalogLoader loader, MirrorOptions options)
    : impl_(std::make_unique<Impl>(options)) {
  impl_->root = std::move(store_root);
  impl_->loader = std::move(loader);
  impl_->options = std::move(options);
}

MirrorServer::~MirrorServer() { Stop(); }

base::Result<uint16_t> MirrorServer::Start() {
  if (impl_->http.running()) return port_;
  auto port = impl_->http.Start(impl_->options.listen);
  if (!port.ok()) return port.status().WithContext("mirror");
  port_ = *port;
  spdlog::info("registry mirror serving {} on {}:{}", impl_->root, impl_->http.local_address(),
               port_);
  return port_;
}

void MirrorServer::Stop() {
  if (impl_) impl_->http.Stop();
}

}  // namespace registry
