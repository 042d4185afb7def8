// replayer::MetricsServer: a Prometheus scrape endpoint (`replayer sync --metrics IP:PORT`).
//
//   GET /metrics   text/plain; version=0.0.4, the body `render` returns at that moment
//   GET /          a one-line pointer to /metrics
// Anything else is 404 (405 for other methods). Served by registry::HttpServer, the loop the
// registry mirror uses too: one thread the server owns (Start spawns it; Stop, also run by the
// destructor, closes and joins), one request per connection. `render` runs on that thread, so
// it must be thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"

namespace replayer {

class MetricsServer {
 public:
  using Render = std::function<std::string()>;
  MetricsServer(std::string listen, Render render);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  base::Result<uint16_t> Start();  // binds; the bound port
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace replayer
