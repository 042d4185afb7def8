#include "replayer/sync/metrics_server.h"

#include "binary-registry/http_server.h"

namespace replayer {

namespace http = boost::beast::http;

struct MetricsServer::Impl {
  std::string listen;
  Render render;
  registry::HttpServer server;

  Impl(std::string l, Render r)
      : listen(std::move(l)),
        render(std::move(r)),
        server([this](std::shared_ptr<registry::HttpExchange> x) { Respond(*x); },
               registry::HttpServerOptions{.server_name = "replayer",
                                           .max_request_bytes = 16 * 1024}) {}

  void Respond(registry::HttpExchange& x) {
    const auto& req = x.request();
    http::status status = http::status::ok;
    std::string type = "text/plain; charset=utf-8";
    std::string body;
    std::string target(req.target().substr(0, req.target().find('?')));
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      status = http::status::method_not_allowed;
      body = "GET or HEAD only\n";
    } else if (target == "/metrics") {
      type = "text/plain; version=0.0.4; charset=utf-8";
      body = render();
    } else if (target == "/") {
      body = "replayer metrics: GET /metrics\n";
    } else {
      status = http::status::not_found;
      body = "not found; try /metrics\n";
    }
    x.SendText(status, type, std::move(body));
  }
};

MetricsServer::MetricsServer(std::string listen, Render render)
    : impl_(std::make_unique<Impl>(std::move(listen), std::move(render))) {}

MetricsServer::~MetricsServer() { Stop(); }

base::Result<uint16_t> MetricsServer::Start() {
  auto bound = impl_->server.Start(impl_->listen);
  if (!bound.ok()) return bound.status().WithContext("--metrics");
  return *bound;
}

void MetricsServer::Stop() {
  if (impl_) impl_->server.Stop();
}

}  // namespace replayer
