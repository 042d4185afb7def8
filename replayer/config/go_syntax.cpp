// Go's value syntaxes that Cosmovisor's variables use: time.ParseDuration, Duration.String and
// the strict boolean rule. Written by hand because no Debian package parses Go durations, and
// the exact accepted set matters for drop-in compatibility (declared in replayer/config.h).
#include <cstdint>
#include <string>
#include <string_view>

#include "replayer/config/config.h"

namespace replayer {
namespace {

constexpr uint64_t kSignBit = uint64_t{1} << 63;

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

base::Status InvalidDuration(std::string_view original) {
  return base::Status::InvalidArgument("time: invalid duration " + Quote(original));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Consumes leading digits into *value; false on overflow past 2^63.
bool ConsumeInt(std::string_view* s, uint64_t* value) {
  uint64_t x = 0;
  size_t i = 0;
  for (; i < s->size() && IsDigit((*s)[i]); ++i) {
    if (x > kSignBit / 10) return false;
    x = x * 10 + static_cast<uint64_t>((*s)[i] - '0');
    if (x > kSignBit) return false;
  }
  *value = x;
  s->remove_prefix(i);
  return true;
}

// Consumes the digits after '.', keeping as many as fit; `scale` is 10^(digits kept).
void ConsumeFraction(std::string_view* s, uint64_t* value, double* scale) {
  uint64_t x = 0;
  double sc = 1;
  bool overflow = false;
  size_t i = 0;
  for (; i < s->size() && IsDigit((*s)[i]); ++i) {
    if (overflow) continue;
    if (x > (kSignBit - 1) / 10) {
      overflow = true;
      continue;
    }
    uint64_t y = x * 10 + static_cast<uint64_t>((*s)[i] - '0');
    if (y > kSignBit) {
      overflow = true;
      continue;
    }
    x = y;
    sc *= 10;
  }
  *value = x;
  *scale = sc;
  s->remove_prefix(i);
}

uint64_t UnitNanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") return 1000;
  if (unit == "ms") return 1000 * 1000;
  if (unit == "s") return 1000 * 1000 * 1000;
  if (unit == "m") return uint64_t{60} * 1000 * 1000 * 1000;
  if (unit == "h") return uint64_t{3600} * 1000 * 1000 * 1000;
  return 0;
}

// Appends v / 10^prec with the fraction's trailing zeros (and a bare '.') removed.
void AppendFraction(std::string* out, uint64_t v, int prec) {
  std::string digits;
  bool printing = false;
  for (int i = 0; i < prec; ++i) {
    char d = static_cast<char>('0' + v % 10);
    printing = printing || d != '0';
    if (printing) digits.insert(digits.begin(), d);
    v /= 10;
  }
  *out += std::to_string(v);
  if (!digits.empty()) *out += "." + digits;
}

}  // namespace

base::Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view text) {
  const std::string_view original = text;
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return InvalidDuration(original);

  uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || IsDigit(s[0]))) return InvalidDuration(original);
    uint64_t whole = 0;
    size_t before = s.size();
    if (!ConsumeInt(&s, &whole)) return InvalidDuration(original);
    bool has_whole = s.size() != before;
    uint64_t frac = 0;
    double scale = 1;
    bool has_frac = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      before = s.size();
      ConsumeFraction(&s, &frac, &scale);
      has_frac = s.size() != before;
    }
    if (!has_whole && !has_frac) return InvalidDuration(original);

    size_t unit_len = 0;
    while (unit_len < s.size() && s[unit_len] != '.' && !IsDigit(s[unit_len])) ++unit_len;
    if (unit_len == 0) {
      std::string hint;
      if (s.empty() && original.find_first_not_of("+-0123456789") == std::string_view::npos) {
        hint = " (add a unit, e.g. " + Quote(std::string(original) + "ms") + " or " +
               Quote(std::string(original) + "s") + ")";
      }
      return base::Status::InvalidArgument("time: missing unit in duration " + Quote(original) +
                                           hint);
    }
    std::string_view unit = s.substr(0, unit_len);
    s.remove_prefix(unit_len);
    uint64_t unit_ns = UnitNanos(unit);
    if (unit_ns == 0) {
      return base::Status::InvalidArgument("time: unknown unit " + Quote(unit) + " in duration " +
                                           Quote(original));
    }
    if (whole > kSignBit / unit_ns) return InvalidDuration(original);
    uint64_t v = whole * unit_ns;
    if (frac > 0) {
      // Same float step as Go, so "1.1s" and friends round exactly as Go rounds them.
      v +=
          static_cast<uint64_t>(static_cast<double>(frac) * (static_cast<double>(unit_ns) / scale));
      if (v > kSignBit) return InvalidDuration(original);
    }
    total += v;
    if (total > kSignBit) return InvalidDuration(original);
  }
  if (negative) {
    // -2^63 is representable; computed without signed overflow.
    return std::chrono::nanoseconds(total == kSignBit ? INT64_MIN : -static_cast<int64_t>(total));
  }
  if (total > kSignBit - 1) return InvalidDuration(original);
  return std::chrono::nanoseconds(static_cast<int64_t>(total));
}

std::string FormatGoDuration(std::chrono::nanoseconds d) {
  const int64_t n = d.count();
  uint64_t u = n < 0 ? ~static_cast<uint64_t>(n) + 1 : static_cast<uint64_t>(n);
  std::string out = n < 0 ? "-" : "";
  if (u == 0) return "0s";
  if (u < 1000 * 1000 * 1000) {
    if (u < 1000) return out + std::to_string(u) + "ns";
    if (u < 1000 * 1000) {
      AppendFraction(&out, u, 3);
      return out + "\u00b5s";
    }
    AppendFraction(&out, u, 6);
    return out + "ms";
  }
  std::string seconds;
  AppendFraction(&seconds, u % (uint64_t{60} * 1000 * 1000 * 1000), 9);
  uint64_t minutes = u / (uint64_t{60} * 1000 * 1000 * 1000);
  if (minutes > 0) {
    uint64_t hours = minutes / 60;
    if (hours > 0) out += std::to_string(hours) + "h";
    out += std::to_string(minutes % 60) + "m";
  }
  return out + seconds + "s";
}

base::Result<bool> ParseGoBool(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lower == "true") return true;
  if (lower == "false") return false;
  return base::Status::InvalidArgument("must be a boolean (\"true\" or \"false\", any case), got " +
                                       Quote(text));
}

}  // namespace replayer
