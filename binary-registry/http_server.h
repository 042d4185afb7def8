// registry::HttpServer: the one HTTP serving loop of Replayer's servers (the registry mirror,
// the sync metrics endpoint); what they serve is theirs, the loop is this.
//
// Owns an io_context, the listening socket (opened by registry::Listen, so it binds only the
// address it is given) and the one thread that runs them (Start spawns it; Stop, also run by the
// destructor, closes the listener and every open connection and joins it). Each connection
// carries one request (Beast), handed to the handler as an HttpExchange on that thread; the
// handler answers it (SendText, or the socket itself for streaming) and the connection closes
// once the answer is written. A connection whose request cannot be read is closed unanswered.
// Nothing here knows a URL, a file or a metric.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "base/status.h"

namespace registry {

struct HttpServerOptions {
  std::string server_name;     // the Server header of SendText's responses
  size_t max_request_bytes = 0;  // bound on one buffered request; 0: only Beast's parser limits
  // A connection must deliver its whole request within read_timeout, and while it is answered,
  // make progress at least every idle_timeout (SendText's write; streaming handlers call
  // KeepAlive on progress); otherwise it is closed. At most max_connections are open at once:
  // one more is answered 503 without being read. Idle or half-sent connections cannot pile up.
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds idle_timeout{30000};
  size_t max_connections = 256;
};

// One connection and its one request. Keep the shared_ptr alive (capture it) across your own
// asynchronous writes; the connection closes when the last reference goes or Close is called.
class HttpExchange : public std::enable_shared_from_this<HttpExchange> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  HttpExchange(boost::asio::ip::tcp::socket socket, const HttpServerOptions& options);
  HttpExchange(const HttpExchange&) = delete;
  HttpExchange& operator=(const HttpExchange&) = delete;

  const Request& request() const { return request_; }
  bool head() const { return request_.method() == boost::beast::http::verb::head; }
  boost::asio::ip::tcp::socket& socket() { return socket_; }

  // Writes a whole response (Connection: close; for HEAD the Content-Length without the body),
  // then closes the connection.
  void SendText(boost::beast::http::status status, std::string_view content_type,
                std::string body);
  // Shuts down and closes the connection (idempotent).
  void Close();
  // The answer made progress (a streaming handler wrote more): the idle timeout starts again.
  void KeepAlive() { Arm(options_.idle_timeout); }

 private:
  friend class HttpServer;
  template <typename Handler>
  void Read(Handler on_request);
  void Reject();  // over max_connections: 503, then close
  // (Re)arms the deadline; its handler holds a weak reference only.
  void Arm(std::chrono::milliseconds timeout);

  boost::asio::ip::tcp::socket socket_;
  const HttpServerOptions& options_;
  boost::beast::flat_buffer buffer_;
  Request request_;
  boost::asio::steady_timer deadline_;
  std::string reject_;
};

class HttpServer {
 public:
  using Handler = std::function<void(std::shared_ptr<HttpExchange>)>;
  HttpServer(Handler handler, HttpServerOptions options);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds `listen` ("IP:PORT", see ParseListenAddress) and starts serving; the bound port. The
  // error is Listen's (it names the address); callers add their context.
  base::Result<uint16_t> Start(std::string_view listen);
  void Stop();
  bool running() const { return running_; }
  std::string local_address() const;  // the bound IP, for log lines

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool running_ = false;
};

}  // namespace registry
