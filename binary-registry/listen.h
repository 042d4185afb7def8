// registry::Listen: the listening socket every Replayer HTTP server opens the same way (the
// registry mirror, the sync metrics endpoint). Binds only the address it is given.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>

#include "base/status.h"

namespace registry {

// "IP:PORT" ("localhost" means 127.0.0.1, IPv6 in brackets); port 0 picks a free one.
struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};
base::Result<ListenAddress> ParseListenAddress(std::string_view listen);

// Opens `acceptor` on `listen` (see ParseListenAddress), with SO_REUSEADDR, and starts listening.
// Returns the bound port. On failure the acceptor is closed and the message names `listen`.
base::Result<uint16_t> Listen(boost::asio::ip::tcp::acceptor& acceptor, std::string_view listen);

}  // namespace registry
