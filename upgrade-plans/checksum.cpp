#include "upgrade-plans/checksum.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace plans {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c); });
}

// Percent-decoding for the query value (`sha256%3A<hex>` appears when a URL was escaped).
std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() &&
        std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string Shorten(std::string_view s) {
  if (s.size() <= 80) return std::string(s);
  return std::string(s.substr(0, 77)) + "...";
}

}  // namespace

std::string_view HashAlgoName(HashAlgo algo) {
  switch (algo) {
    case HashAlgo::kMd5: return "md5";
    case HashAlgo::kSha1: return "sha1";
    case HashAlgo::kSha256: return "sha256";
    case HashAlgo::kSha512: return "sha512";
  }
  return "unknown";
}

size_t HashHexLength(HashAlgo algo) {
  switch (algo) {
    case HashAlgo::kMd5: return 32;
    case HashAlgo::kSha1: return 40;
    case HashAlgo::kSha256: return 64;
    case HashAlgo::kSha512: return 128;
  }
  return 0;
}

bool IsWeak(HashAlgo algo) { return algo == HashAlgo::kMd5 || algo == HashAlgo::kSha1; }

std::string FormatChecksum(const Checksum& checksum) {
  return std::string(HashAlgoName(checksum.algo)) + ":" + checksum.hex;
}

base::Result<Checksum> ParseChecksum(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  if (text.empty()) return base::Status::InvalidArgument("checksum is empty");
  std::optional<HashAlgo> algo;
  std::string_view hex = text;
  if (auto colon = text.find(':'); colon != std::string_view::npos) {
    std::string name = Lower(text.substr(0, colon));
    hex = text.substr(colon + 1);
    if (name == "md5") {
      algo = HashAlgo::kMd5;
    } else if (name == "sha1") {
      algo = HashAlgo::kSha1;
    } else if (name == "sha256") {
      algo = HashAlgo::kSha256;
    } else if (name == "sha512") {
      algo = HashAlgo::kSha512;
    } else if (name == "file") {
      return base::Status::InvalidArgument(
          "checksum \"" + Shorten(text) +
          "\": checksums from a remote sums file (file:<url>) are not supported; give the hex "
          "digest");
    } else {
      return base::Status::InvalidArgument("checksum \"" + Shorten(text) +
                                           "\": unknown algorithm \"" + Shorten(name) +
                                           "\" (use sha256, sha512, sha1 or md5)");
    }
  }
  if (!IsHex(hex)) {
    return base::Status::InvalidArgument("checksum \"" + Shorten(text) + "\" is not hexadecimal");
  }
  if (!algo) {
    switch (hex.size()) {
      case 32: algo = HashAlgo::kMd5; break;
      case 40: algo = HashAlgo::kSha1; break;
      case 64: algo = HashAlgo::kSha256; break;
      case 128: algo = HashAlgo::kSha512; break;
      default:
        return base::Status::InvalidArgument(
            "checksum \"" + Shorten(text) + "\": " + std::to_string(hex.size()) +
            " hex digits match no algorithm (64 for sha256, 128 for sha512)");
    }
  }
  if (hex.size() != HashHexLength(*algo)) {
    return base::Status::InvalidArgument(
        "checksum \"" + Shorten(text) + "\": " + std::string(HashAlgoName(*algo)) + " needs " +
        std::to_string(HashHexLength(*algo)) + " hex digits, got " + std::to_string(hex.size()));
  }
  return Checksum{*algo, Lower(hex)};
}

base::Result<UrlWithChecksum> SplitChecksumFromUrl(std::string_view url) {
  UrlWithChecksum out;
  // RFC 3986 (and Go's url.Parse, which go-getter uses): the fragment starts at the first '#',
  // and only a '?' before it starts the query; "a#x?checksum=..." carries no checksum.
  size_t h = url.find('#');
  std::string_view fragment = h == std::string_view::npos ? std::string_view() : url.substr(h);
  std::string_view before = url.substr(0, h);
  size_t q = before.find('?');
  if (q == std::string_view::npos) {
    out.url = std::string(url);
    return out;
  }
  std::string_view base = before.substr(0, q);
  std::string_view query = before.substr(q + 1);
  std::vector<std::string_view> kept;
  while (true) {
    size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    std::string_view key = param.substr(0, param.find('='));
    if (key == "checksum") {
      if (out.checksum) {
        return base::Status::InvalidArgument("URL " + Shorten(url) +
                                             " has more than one checksum parameter");
      }
      std::string value =
          param.size() > key.size() ? PercentDecode(param.substr(key.size() + 1)) : std::string();
      auto parsed = ParseChecksum(value);
      if (!parsed.ok()) return parsed.status().WithContext("URL " + Shorten(url));
      out.checksum = std::move(parsed).value();
    } else if (!param.empty()) {
      kept.push_back(param);
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  out.url = std::string(base);
  for (size_t i = 0; i < kept.size(); ++i) {
    out.url += (i == 0 ? "?" : "&");
    out.url += kept[i];
  }
  out.url += fragment;
  return out;
}

std::string UrlScheme(std::string_view url) {
  size_t colon = url.find("://");
  if (colon == std::string_view::npos || colon == 0) return "";
  std::string_view scheme = url.substr(0, colon);
  if (!std::all_of(scheme.begin(), scheme.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '+' || c == '-' || c == '.';
      })) {
    return "";
  }
  return Lower(scheme);
}

}  // namespace plans
