#include "demochain/node/rpc_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "demochain/node/rest_views.h"

namespace demochain {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Node& node) : stream_(std::move(socket)), node_(node) {}
  void Run() { Read(); }

 private:
  void Read() {
    request_ = {};
    stream_.expires_after(std::chrono::seconds(120));
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->Respond();
                     });
  }

  void Respond() {
    HttpReply reply =
        Route(node_, std::string(request_.method_string()), std::string(request_.target()));
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(reply.status), request_.version());
    res->set(http::field::server, "demochaind");
    res->set(http::field::content_type, reply.content_type);
    res->keep_alive(request_.keep_alive());
    res->body() = std::move(reply.body);
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec || !res->keep_alive()) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  Node& node_;
};

}  // namespace

struct RpcServer::Impl {
  explicit Impl(Node& n) : node(n), acceptor(io), signals(io, SIGINT, SIGTERM) {}

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // acceptor closed
      std::make_shared<Session>(std::move(socket), node)->Run();
      Accept();
    });
  }

  void WaitSignal(std::function<void()> on_signal) {
    signals.async_wait([this, on_signal](beast::error_code ec, int) {
      if (ec) return;
      on_signal();
      WaitSignal(on_signal);
    });
  }

  Node& node;
  asio::io_context io{1};
  tcp::acceptor acceptor;
  asio::signal_set signals;
  std::thread thread;
  bool listening = false;
};

RpcServer::RpcServer(Node& node, LogFn) : impl_(std::make_unique<Impl>(node)) {}

RpcServer::~RpcServer() { Stop(); }

std::string RpcServer::Listen(const std::string& host_port) {
  size_t colon = host_port.rfind(':');
  if (colon == std::string::npos) return "--rpc-listen must be host:port, got " + host_port;
  std::string host = host_port.substr(0, colon);
  if (host.rfind("tcp://", 0) == 0) host = host.substr(6);
  try {
    unsigned long port_number = std::stoul(host_port.substr(colon + 1));
    if (port_number > 65535) return "bad port in " + host_port;
    tcp::endpoint ep(asio::ip::make_address(host), static_cast<uint16_t>(port_number));
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen(asio::socket_base::max_listen_connections);
    port_ = impl_->acceptor.local_endpoint().port();
    impl_->listening = true;
  } catch (const std::exception& e) {
    return "rpc listen on " + host_port + ": " + e.what();
  }
  return "";
}

void RpcServer::Start(std::function<void()> on_signal) {
  if (impl_->listening) impl_->Accept();
  impl_->WaitSignal(std::move(on_signal));
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

void RpcServer::Stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  asio::post(impl_->io, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->signals.cancel(ec);
    impl_->io.stop();
  });
  impl_->thread.join();
}

}  // namespace demochain
