// registry::MirrorServer: serves the store over HTTP so a fleet (and the demo) fetch from one
// place.
//
//   GET /sha256/<hex>[/<file name>]  the artefact, with Range support (206/416) for resume
//   GET /plans/<name>.json           {"binaries":{"<os/arch>":"<url>?checksum=sha256:<hex>"}}
//                                    for every artefact bound to <name>: usable as plan info
//   GET /index.json                  every artefact and name
// HEAD works on all of them. Served by registry::HttpServer (http_server.h), the loop the sync
// metrics endpoint uses too: one thread owned by the server (Start spawns it, Stop closes the
// listener and open connections and joins it). The catalog (names and entries) comes from a
// loader called per plan/index request, so the server never holds the index's LevelDB lock for
// long. Binds only the address it is given.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <string>

#include "base/status.h"
#include "binary-registry/listen.h"
#include "state/registry_index.h"

namespace registry {

struct MirrorOptions {
  std::string listen = "127.0.0.1:0";  // "IP:PORT"; port 0 picks a free one
  // Base of the URLs written into plan-info documents ("http://mirror.example:8080"); empty
  // uses the request's Host header.
  std::string public_url;
  // A connection must deliver its whole request within read_timeout, and while the answer is
  // sent, make progress at least every idle_timeout; otherwise it is closed. At most
  // max_connections are open at once; one more is answered 503 and closed.
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds idle_timeout{30000};
  size_t max_connections = 256;
};

struct MirrorCatalog {
  std::map<std::string, state::NameTargets> names;
  std::map<std::string, state::RegistryEntry> entries;  // by sha256
};

class MirrorServer {
 public:
  using CatalogLoader = std::function<base::Result<MirrorCatalog>()>;
  MirrorServer(std::string store_root, CatalogLoader loader, MirrorOptions options);
  ~MirrorServer();  // Stop()
  MirrorServer(const MirrorServer&) = delete;
  MirrorServer& operator=(const MirrorServer&) = delete;

  // Binds and starts serving; returns the bound port.
  base::Result<uint16_t> Start();
  void Stop();
  uint16_t port() const { return port_; }

  struct Impl;  // opaque; public only so the .cpp's session type can name it

 private:
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

// What the mirror serves for a request line (method, and target with its query). Pure.
struct MirrorRoute {
  enum class Kind { kMethodNotAllowed, kNotFound, kArtifact, kPlan, kIndex };
  Kind kind = Kind::kNotFound;
  std::string sha256;  // kArtifact: lower-case hex
  std::string name;    // kPlan: the name, percent-decoded (never empty)
};
MirrorRoute RouteRequest(std::string_view method, std::string_view target);

// %XX (two hex digits) to the byte; anything else, a lone '%' included, stays as it is.
std::string PercentDecode(std::string_view s);
// Every byte but [A-Za-z0-9-_.~] as %XX. PercentDecode(PercentEncode(s)) == s.
std::string PercentEncode(std::string_view s);

// Parses one `bytes=` range against a file size. nullopt: no usable range header (serve all).
// {start, end} inclusive; start > end means unsatisfiable (416).
struct ByteRange {
  uint64_t start = 0, end = 0;
};
std::optional<ByteRange> ParseRangeHeader(std::string_view header, uint64_t size);

}  // namespace registry
