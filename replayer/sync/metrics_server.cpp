#include "replayer/sync/metrics_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <thread>

#include "binary-registry/listen.h"

namespace replayer {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
struct Session;
}

struct MetricsServer::Impl {
  std::string listen;
  Render render;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::list<std::weak_ptr<Session>> sessions;
  bool running = false;

  void Accept();
};

namespace {

struct Session : std::enable_shared_from_this<Session> {
  MetricsServer::Impl& server;
  tcp::socket socket;
  beast::flat_buffer buffer{16 * 1024};
  http::request<http::empty_body> req;

  Session(MetricsServer::Impl& s, tcp::socket sock) : server(s), socket(std::move(sock)) {}

  void Start() {
    auto self = shared_from_this();
    http::async_read(socket, buffer, req, [self](beast::error_code ec, size_t) {
      if (ec) return self->Close();
      self->Respond();
    });
  }

  void Close() {
    beast::error_code ec;
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
  }

  void Respond() {
    http::status status = http::status::ok;
    std::string type = "text/plain; charset=utf-8";
    std::string body;
    std::string target(req.target().substr(0, req.target().find('?')));
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      status = http::status::method_not_allowed;
      body = "GET or HEAD only\n";
    } else if (target == "/metrics") {
      type = "text/plain; version=0.0.4; charset=utf-8";
      body = server.render();
    } else if (target == "/") {
      body = "replayer metrics: GET /metrics\n";
    } else {
      status = http::status::not_found;
      body = "not found; try /metrics\n";
    }
    auto res = std::make_shared<http::response<http::string_body>>(status, req.version());
    res->set(http::field::server, "replayer");
    res->set(http::field::content_type, type);
    res->keep_alive(false);
    bool head = req.method() == http::verb::head;
    res->body() = std::move(body);
    res->prepare_payload();
    if (head) res->body().clear();
    auto self = shared_from_this();
    http::async_write(socket, *res, [self, res](beast::error_code, size_t) { self->Close(); });
  }
};

}  // namespace

void MetricsServer::Impl::Accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) return;  // closed by Stop
    auto s = std::make_shared<Session>(*this, std::move(socket));
    sessions.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
    sessions.push_back(s);
    s->Start();
    Accept();
  });
}

MetricsServer::MetricsServer(std::string listen, Render render) : impl_(std::make_unique<Impl>()) {
  impl_->listen = std::move(listen);
  impl_->render = std::move(render);
}

MetricsServer::~MetricsServer() { Stop(); }

base::Result<uint16_t> MetricsServer::Start() {
  auto bound = registry::Listen(impl_->acceptor, impl_->listen);
  if (!bound.ok()) return bound.status().WithContext("--metrics");
  uint16_t port = *bound;
  impl_->Accept();
  impl_->running = true;
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
  return port;
}

void MetricsServer::Stop() {
  if (!impl_ || !impl_->running) return;
  asio::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    for (auto& w : impl->sessions) {
      if (auto s = w.lock()) s->Close();
    }
  });
  impl_->thread.join();
  impl_->running = false;
}

}  // namespace replayer
