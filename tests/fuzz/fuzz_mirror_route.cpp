// Fuzz target: the mirror's request routing and percent-decoding must never crash on a request
// line ("GET /plans/v2.json HTTP/1.1"); an artefact route carries 64 lower-case hex digits, a
// plan name routes back to itself through PercentEncode, and decoding undoes encoding.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "binary-registry/mirror_server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view line = text.substr(0, text.find_first_of("\r\n"));
  size_t sp = line.find(' ');
  std::string_view method = line.substr(0, sp);
  std::string_view target = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  target = target.substr(0, target.find(' '));
  using Kind = registry::MirrorRoute::Kind;
  registry::MirrorRoute r = registry::RouteRequest(method, target);
  if (r.kind == Kind::kArtifact) {
    if (r.sha256.size() != 64) std::abort();
    for (char c : r.sha256) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) std::abort();
    }
  }
  if (r.kind == Kind::kPlan) {
    if (r.name.empty()) std::abort();
    auto again = registry::RouteRequest("HEAD", "/plans/" + registry::PercentEncode(r.name) + ".json");
    if (again.kind != Kind::kPlan || again.name != r.name) std::abort();
  }
  if (registry::PercentDecode(registry::PercentEncode(text)) != text) std::abort();
  (void)registry::PercentDecode(text);
  return 0;
}
