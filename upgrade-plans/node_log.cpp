#include "upgrade-plans/node_log.h"

#include <algorithm>
#include <array>
#include <string>

#include <nlohmann/json.hpp>

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

namespace {

std::string Bounded(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) s.pop_back();
  if (s.size() > kMaxNodeErrorLine) {
    s.resize(kMaxNodeErrorLine - 3);
    // Never cut a UTF-8 sequence in two.
    while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
    if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xC0) s.pop_back();
    s += "...";
  }
  return s;
}

// `text` without a logfmt ` stack=...` and what follows (Go stack traces of CONSENSUS FAILURE).
std::string WithoutStack(std::string text) {
  if (size_t at = text.find(" stack="); at != std::string::npos) text.resize(at);
  return text;
}

std::optional<std::string> JsonErrorLine(const std::string& s) {
  auto j = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  auto level = j.find("level");
  if (level == j.end() || !level->is_string()) return std::nullopt;
  const std::string& l = level->get_ref<const std::string&>();
  if (l != "error" && l != "fatal" && l != "panic") return std::nullopt;
  std::string out = "ERR";
  for (const char* key : {"message", "msg", "err", "error"}) {
    auto v = j.find(key);
    if (v == j.end()) continue;
    std::string text = v->is_string() ? v->get<std::string>() : v->dump();
    bool is_message = key[0] == 'm';
    out += " " + (is_message ? text : std::string(key) + "=" + text);
  }
  return Bounded(StripAnsi(out));  // an escaped ESC in a JSON string is decoded above
}

// The quoted text between `open` and the next '"' in `line`, "" if none.
std::string QuotedAfter(const std::string& line, std::string_view open) {
  size_t at = line.find(open);
  if (at == std::string::npos) return "";
  at += open.size();
  size_t end = line.find('"', at);
  return end == std::string::npos ? "" : line.substr(at, end - at);
}

}  // namespace

std::optional<std::string> ParseNodeErrorLine(std::string_view line) {
  // Cheap rejection first: every error line has one of these within its first bytes.
  std::string_view head = line.substr(0, 256);
  if (head.find("ERR") == std::string_view::npos && head.find("error") == std::string_view::npos &&
      head.find("E[") == std::string_view::npos && head.find("panic") == std::string_view::npos &&
      head.find("Error") == std::string_view::npos && head.find("FTL") == std::string_view::npos) {
    return std::nullopt;
  }
  std::string s = StripAnsi(line);
  size_t b = s.find_first_not_of(' ');
  if (b == std::string::npos) return std::nullopt;
  s.erase(0, b);
  if (s[0] == '{') return JsonErrorLine(s);
  if (s.rfind("panic: ", 0) == 0 || s.rfind("Error: ", 0) == 0) return Bounded(WithoutStack(s));
  // The command's error as simd's main prints it (after cobra's usage text) before it exits 1:
  // Go's lower-case error chain, e.g. "error during handshake: error on replay: ...".
  if (s.rfind("error", 0) == 0 && s.size() > 5 && (s[5] == ' ' || s[5] == ':')) {
    size_t colon = s.find(": ");
    if (colon != std::string::npos && colon < 80) return Bounded(WithoutStack(s));
  }
  if (s.rfind("E[", 0) == 0) {  // CometBFT's legacy format: E[2022-01-01|10:00:00.000] message
    size_t close = s.find("] ");
    if (close == std::string::npos) return std::nullopt;
    return Bounded("ERR " + WithoutStack(s.substr(close + 2)));
  }
  // Console lines: an optional time stamp (one token), then the level.
  for (int skip = 0; skip < 2; ++skip) {
    size_t sp = s.find(' ');
    std::string_view level = std::string_view(s).substr(0, sp);
    if (level == "ERR" || level == "ERROR" || level == "FTL" || level == "PNC") {
      return Bounded(WithoutStack(s));
    }
    if (sp == std::string::npos || skip == 1) break;
    s.erase(0, sp + 1);
    size_t nb = s.find_first_not_of(' ');
    if (nb == std::string::npos) break;
    s.erase(0, nb);
  }
  return std::nullopt;
}

std::optional<std::string> ExplainEarlyBinary(const std::deque<std::string>& errors,
                                              std::string_view label_view) {
  const std::string label(label_view);
  for (const auto& e : errors) {
    if (std::string name = QuotedAfter(e, "BINARY UPDATED BEFORE TRIGGER! UPGRADE \"");
        !name.empty() && name.back() != '\\') {
      return "x/upgrade refuses its binary, which already has the handler of upgrade \"" + name +
             "\" that the chain has planned but not executed yet (BINARY UPDATED BEFORE "
             "TRIGGER): " + label + " has that upgrade's binary before the plan height, the wrong "
             "binary for these heights";
    }
  }
  for (const auto& e : errors) {
    constexpr std::string_view kStore = "version of store ";
    size_t at = e.find(kStore);
    if (at == std::string::npos || e.find("StoreUpgrades") == std::string::npos) continue;
    at += kStore.size();
    size_t end = e.find(" mismatch root store's version", at);
    if (end == std::string::npos || end == at) continue;
    return "its binary has a store \"" + e.substr(at, end - at) + "\" that the node's data " +
           "does not, one an upgrade adds at its plan (StoreUpgrades): " + label + " has a later " +
           "release's binary before that upgrade's plan height, the wrong binary for these heights";
  }
  return std::nullopt;
}

}  // namespace plans
