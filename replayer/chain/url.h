// Percent-encoding of one URL component (a path segment or a query value) for the REST queries
// Replayer builds (gov proposals' pagination keys, applied_plan/{name}). Pure.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace replayer {

// Keeps RFC 3986 unreserved characters; everything else becomes %XX.
inline std::string UrlEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

}  // namespace replayer
