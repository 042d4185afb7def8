#include "binary-registry/http_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <limits>
#include <list>
#include <thread>

#include "binary-registry/listen.h"

namespace registry {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

HttpExchange::HttpExchange(tcp::socket socket, const HttpServerOptions& options)
    : socket_(std::move(socket)),
      options_(options),
      buffer_(options.max_request_bytes > 0 ? options.max_request_bytes
                                            : (std::numeric_limits<size_t>::max)()),
      deadline_(socket_.get_executor()) {}

void HttpExchange::Arm(std::chrono::milliseconds timeout) {
  deadline_.expires_after(timeout);
  std::weak_ptr<HttpExchange> weak = weak_from_this();
  deadline_.async_wait([weak](beast::error_code ec) {
    if (ec) return;  // re-armed or cancelled
    if (auto self = weak.lock()) self->Close();
  });
}

template <typename Handler>
void HttpExchange::Read(Handler on_request) {
  auto self = shared_from_this();
  Arm(options_.read_timeout);  // the whole request, however slowly it trickles in
  http::async_read(socket_, buffer_, request_,
                   [self, on_request = std::move(on_request)](beast::error_code ec, size_t) {
                     if (ec) return self->Close();
                     self->Arm(self->options_.idle_timeout);
                     on_request(self);
                   });
}

void HttpExchange::Reject() {
  auto self = shared_from_this();
  Arm(options_.idle_timeout);
  reject_ = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  asio::async_write(socket_, asio::buffer(reject_),
                    [self](beast::error_code, size_t) { self->Close(); });
}

void HttpExchange::SendText(http::status status, std::string_view content_type, std::string body) {
  auto res = std::make_shared<http::response<http::string_body>>(status, request_.version());
  res->set(http::field::server, options_.server_name);
  res->set(http::field::content_type, beast::string_view(content_type.data(), content_type.size()));
  res->keep_alive(false);
  res->body() = std::move(body);
  res->prepare_payload();
  if (head()) res->body().clear();
  auto self = shared_from_this();
  http::async_write(socket_, *res, [self, res](beast::error_code, size_t) { self->Close(); });
}

void HttpExchange::Close() {
  beast::error_code ec;
  deadline_.cancel();
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  socket_.close(ec);
}

struct HttpServer::Impl {
  Handler handler;
  HttpServerOptions options;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::list<std::weak_ptr<HttpExchange>> exchanges;

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed by Stop
      auto x = std::make_shared<HttpExchange>(std::move(socket), options);
      exchanges.remove_if([](const std::weak_ptr<HttpExchange>& w) { return w.expired(); });
      if (exchanges.size() >= options.max_connections) {
        x->Reject();  // not tracked: it writes one short line and closes
      } else {
        exchanges.push_back(x);
        x->Read([this](std::shared_ptr<HttpExchange> y) { handler(std::move(y)); });
      }
      Accept();
    });
  }
};

HttpServer::HttpServer(Handler handler, HttpServerOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->options = std::move(options);
}

HttpServer::~HttpServer() { Stop(); }

base::Result<uint16_t> HttpServer::Start(std::string_view listen) {
  ASSIGN_OR_RETURN(uint16_t port, Listen(impl_->acceptor, listen));
  impl_->Accept();
  running_ = true;
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
  return port;
}

void HttpServer::Stop() {
  if (!impl_ || !running_) return;
  asio::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    for (auto& w : impl->exchanges) {
      if (auto x = w.lock()) x->Close();
    }
  });
  impl_->thread.join();
  running_ = false;
}

std::string HttpServer::local_address() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? std::string() : ep.address().to_string();
}

}  // namespace registry
