#include "upgrade-plans/node_log.h"

#include <algorithm>
#include <array>
#include <string>

namespace plans {
namespace {

constexpr size_t kMaxScan = 4096;  // only a line's beginning is looked at

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

std::optional<int64_t> DigitsAt(std::string_view s, size_t pos) {
  if (pos < s.size() && s[pos] == '"') ++pos;
  int64_t v = 0;
  size_t n = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    if (++n > 18) return std::nullopt;  // beyond any real height, and int64 safe
    v = v * 10 + (s[pos] - '0');
    ++pos;
  }
  if (n == 0 || v <= 0) return std::nullopt;
  return v;
}

// The value of the first `height=` (logfmt) or `"height":` (JSON) key with a word boundary
// before it.
std::optional<int64_t> HeightField(std::string_view s) {
  for (std::string_view key : {std::string_view("height="), std::string_view("\"height\":")}) {
    size_t from = 0;
    while (true) {
      size_t at = s.find(key, from);
      if (at == std::string_view::npos) break;
      from = at + 1;
      if (key[0] == 'h' && at > 0 && IsWordChar(s[at - 1])) continue;  // latest_height= etc.
      if (auto v = DigitsAt(s, at + key.size())) return v;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string StripAnsi(std::string_view line) {
  std::string out;
  out.reserve(std::min(line.size(), kMaxScan));
  for (size_t i = 0; i < line.size() && i < kMaxScan; ++i) {
    if (line[i] == '\x1b') {
      size_t j = i + 1;
      if (j < line.size() && line[j] == '[') {
        ++j;
        while (j < line.size() && !(line[j] >= '@' && line[j] <= '~')) ++j;
      }
      i = j;  // skips the final byte too
      continue;
    }
    out.push_back(line[i]);
  }
  return out;
}

std::optional<int64_t> ParseCommittedHeight(std::string_view line) {
  // Cheap rejection first: this runs for every line the node writes. Colour codes never split
  // the key itself.
  if (line.substr(0, kMaxScan).find("height") == std::string_view::npos) return std::nullopt;
  std::string s = StripAnsi(line);
  // Only lines written after the block is committed. CometBFT logs "finalizing commit of block
  // height=H" and "executed block height=H" before the app commits H: a real SDK 0.50 node that
  // refuses H (--halt-height H, or an upgrade plan at H) logs the first and never commits H.
  static constexpr std::array<std::string_view, 3> kMarkers = {"committed state", "committed block",
                                                               "indexed block"};
  bool marked = std::any_of(kMarkers.begin(), kMarkers.end(),
                            [&](std::string_view m) { return s.find(m) != std::string::npos; });
  if (!marked) return std::nullopt;
  return HeightField(s);
}

}  // namespace plans
