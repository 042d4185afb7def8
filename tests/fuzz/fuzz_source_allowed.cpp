// Fuzz target: the download source policy must never crash on a URL; https and file URLs are
// always allowed, plain http only with a checksum (or the explicit opt-out), and a refusal
// names the URL. The URL is also taken through SplitChecksumFromUrl as the downloader does.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "binary-registry/downloader.h"
#include "upgrade-plans/checksum.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string url(reinterpret_cast<const char*>(data), size);
  const std::string scheme = plans::UrlScheme(url);
  for (bool allow_http : {false, true}) {
    registry::DownloadOptions options;
    options.allow_http_without_checksum = allow_http;
    for (bool has_checksum : {false, true}) {
      base::Status st = registry::CheckSourceAllowed(url, has_checksum, options);
      if ((scheme == "https" || scheme == "file" || scheme.empty()) && !st.ok()) std::abort();
      if (scheme == "http" && st.ok() != (has_checksum || allow_http)) std::abort();
      if (!st.ok() && st.message().find(url) == std::string::npos) std::abort();
    }
    if (auto split = plans::SplitChecksumFromUrl(url); split.ok()) {
      (void)registry::CheckSourceAllowed(split->url, split->checksum.has_value(), options);
    }
  }
  return 0;
}
