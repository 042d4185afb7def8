// Fuzz target: the registry's hand-written parsers for untrusted input must never crash:
// minisign public keys and signatures (fetched from release hosts), HTTP Range headers (from
// mirror clients) and archive entry paths and symlink targets (from downloaded archives).
// Whatever SafeEntryPath accepts must be relative and free of "..". Listen addresses (from
// --listen and --metrics) parse or are refused, never crash.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "binary-registry/listen.h"
#include "binary-registry/minisign.h"
#include "binary-registry/mirror_server.h"
#include "binary-registry/unpack.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)registry::ParseMinisignPublicKey(text);
  (void)registry::ParseMinisignSignature(text);
  for (uint64_t file_size : {uint64_t{0}, uint64_t{1}, uint64_t{1000}}) {
    auto r = registry::ParseRangeHeader(text, file_size);
    if (r && r->start <= r->end && r->end >= file_size) std::abort();
  }
  if (auto la = registry::ParseListenAddress(text); la.ok() && la->host.empty()) std::abort();
  auto path = registry::SafeEntryPath(text);
  if (path.ok()) {
    const std::string& p = *path;
    if (!p.empty() && p.front() == '/') std::abort();
    if (p == ".." || p.rfind("../", 0) == 0 || p.find("/../") != std::string::npos) std::abort();
  }
  size_t nl = text.find('\n');
  if (nl != std::string_view::npos) {
    (void)registry::CheckSymlinkTarget(text.substr(0, nl), text.substr(nl + 1));
  }
  return 0;
}
