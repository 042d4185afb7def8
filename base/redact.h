// base text for display: the one place that decides what of a string may be shown or stored.
//
// RedactUrlUserInfo hides the user-info part of every URL in a text (`https://user:secret@host/x`
// -> `https://***@host/x`): plan infos, registry sources, download errors and log lines carry
// URLs that operators wrote with credentials in them. EscapeControl makes control characters
// visible (`\n`, `\x1b`), so a name from a chain or a file cannot forge log lines, colour a
// terminal or cut a line short. Pure functions of their argument; header-only like the rest of
// base/, no OS or third-party dependencies.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace base {

inline std::string RedactUrlUserInfo(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;
  for (size_t p = text.find("://"); p != std::string_view::npos; p = text.find("://", p + 3)) {
    size_t s = p;  // a scheme: letters, digits, + - . before "://"
    while (s > 0 && (std::isalnum(static_cast<unsigned char>(text[s - 1])) || text[s - 1] == '+' ||
                     text[s - 1] == '-' || text[s - 1] == '.')) {
      --s;
    }
    if (s == p) continue;
    size_t auth = p + 3, end = auth;
    while (end < text.size() && std::string_view("/?#\"'<>\\ \t\r\n").find(text[end]) ==
                                    std::string_view::npos) {
      ++end;
    }
    size_t at = text.substr(auth, end - auth).rfind('@');
    if (at == std::string_view::npos) continue;
    at += auth;
    out.append(text.substr(copied, auth - copied));
    out += "***";
    copied = at;
  }
  out.append(text.substr(copied));
  return out;
}

inline std::string EscapeControl(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c >= 0x20 && c != 0x7f) {
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

// What log lines and printed errors show: credentials hidden, control characters escaped.
inline std::string ForDisplay(std::string_view text) {
  return EscapeControl(RedactUrlUserInfo(text));
}

}  // namespace base
