#include "binary-registry/listen.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/socket_base.hpp>

#include <charconv>

namespace registry {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

base::Result<ListenAddress> ParseListenAddress(std::string_view listen) {
  size_t colon = listen.rfind(':');
  auto bad = [&] {
    return base::Status::InvalidArgument("listen address \"" + std::string(listen) +
                                         "\" is not IP:PORT (e.g. 127.0.0.1:8080)");
  };
  if (colon == std::string_view::npos) return bad();
  std::string host(listen.substr(0, colon));
  if (host == "localhost") host = "127.0.0.1";
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  std::string_view port_text = listen.substr(colon + 1);
  auto [p, perr] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  if (ec || port_text.empty() || perr != std::errc() || p != port_text.data() + port_text.size() ||
      port > 65535) {
    return bad();
  }
  return ListenAddress{host, static_cast<uint16_t>(port)};
}

base::Result<uint16_t> Listen(tcp::acceptor& acceptor, std::string_view listen) {
  ASSIGN_OR_RETURN(ListenAddress la, ParseListenAddress(listen));
  boost::system::error_code ec;
  tcp::endpoint ep(asio::ip::make_address(la.host, ec), la.port);
  if (!ec) acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return base::Status::Unavailable("cannot listen on " + std::string(listen) + ": " +
                                     ec.message());
  }
  return acceptor.local_endpoint().port();
}

}  // namespace registry
