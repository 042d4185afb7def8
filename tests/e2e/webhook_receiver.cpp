#include "tests/e2e/webhook_receiver.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace e2e {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct WebhookReceiver::Impl {
  explicit Impl(Answer how) : answer(how), acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}) {}

  struct Session : std::enable_shared_from_this<Session> {
    Session(Impl& owner, tcp::socket s) : impl(owner), socket(std::move(s)) {}
    void Read() {
      req = {};
      http::async_read(socket, buffer, req,
                       [self = shared_from_this()](beast::error_code ec, size_t) {
                         if (!ec) self->OnRequest();
                       });
    }
    void OnRequest() {
      ReceivedPost p;
      p.method = std::string(req.method_string());
      p.target = std::string(req.target());
      for (const auto& f : req) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        p.headers[name] = std::string(f.value());
      }
      p.body = req.body();
      {
        std::lock_guard<std::mutex> l(impl.mu);
        impl.posts.push_back(std::move(p));
        impl.cv.notify_all();
      }
      if (impl.answer == Answer::kNever) {
        impl.held.push_back(shared_from_this());  // open and silent until the receiver stops
        return;
      }
      res = {};
      res.version(11);
      res.result(impl.answer == Answer::kOk ? http::status::ok : http::status::internal_server_error);
      res.set(http::field::content_type, "text/plain");
      res.body() = "ok";
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      http::async_write(socket, res, [self = shared_from_this()](beast::error_code ec, size_t) {
        if (!ec && self->res.keep_alive()) self->Read();
      });
    }
    Impl& impl;
    tcp::socket socket;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::response<http::string_body> res;
  };

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      {
        std::lock_guard<std::mutex> l(mu);
        ++accepted;
      }
      std::make_shared<Session>(*this, std::move(s))->Read();
      Accept();
    });
  }

  Answer answer;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::vector<std::shared_ptr<Session>> held;  // io thread only
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  std::vector<ReceivedPost> posts;
  int accepted = 0;
  std::thread thread;
};

WebhookReceiver::WebhookReceiver(Answer answer) : impl_(std::make_unique<Impl>(answer)) {
  impl_->Accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

WebhookReceiver::~WebhookReceiver() {
  impl_->io.stop();
  impl_->thread.join();
  // Sessions (and their sockets) go with the io_context's pending handlers and `held`.
}

uint16_t WebhookReceiver::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string WebhookReceiver::Url(const std::string& path, const std::string& userinfo) const {
  return "http://" + (userinfo.empty() ? "" : userinfo + "@") + "127.0.0.1:" +
         std::to_string(port()) + path;
}

std::vector<ReceivedPost> WebhookReceiver::posts() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->posts;
}

int WebhookReceiver::connections() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->accepted;
}

bool WebhookReceiver::WaitForPosts(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> l(impl_->mu);
  return impl_->cv.wait_for(l, timeout, [&] { return impl_->posts.size() >= n; });
}

uint16_t ClosedLoopbackPort() {
  asio::io_context io;
  tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  uint16_t port = a.local_endpoint().port();
  a.close();
  return port;
}

std::string HmacSha256Header(const std::string& key, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  static const char* hex = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[mac[i] >> 4];
    out += hex[mac[i] & 15];
  }
  return out;
}

}  // namespace e2e
