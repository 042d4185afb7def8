// The node's HTTP server (Boost.Beast) and signal handling, on one io_context run by one thread
// of its own, so the node thread can execute blocks while peers and supervisors query it.
// HTTP/1.1 keep-alive; every request is answered by Route(). Binds 127.0.0.1-style addresses
// given as host:port; port 0 picks a free port, reported by port(). SIGINT/SIGTERM call the
// on_signal callback on the io thread; the owner then stops the node loop and calls Stop().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "demochain/node/node.h"

namespace demochain {

class RpcServer {
 public:
  RpcServer(Node& node, LogFn log);
  ~RpcServer();
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  // Binds and listens; returns an error message or "". Not calling it = signals only.
  std::string Listen(const std::string& host_port);
  uint16_t port() const { return port_; }
  void Start(std::function<void()> on_signal);
  void Stop();  // idempotent; joins the io thread

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace demochain
