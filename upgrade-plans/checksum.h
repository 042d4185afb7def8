// plans::Checksum: the checksum vocabulary of plan binaries (pure parsing, no I/O, no hashing).
//
// Real plans carry checksums go-getter style: `?checksum=sha256:<hex>` in the URL, another
// algorithm prefix (`sha512:`, `sha1:`, `md5:`), or bare hex whose length decides the algorithm.
// A checksum always covers the downloaded artefact (the archive, not the binary inside it).
// md5 and sha1 are accepted because old plans use them, but marked weak so callers can warn;
// `checksum=file:<url>` (a remote sums file) is rejected with a clear message. This header never
// computes a hash: binary-registry does that with OpenSSL.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace plans {

enum class HashAlgo { kMd5, kSha1, kSha256, kSha512 };

// "md5", "sha1", "sha256", "sha512".
std::string_view HashAlgoName(HashAlgo algo);
// Length in hex digits of a digest of `algo` (32, 40, 64, 128).
size_t HashHexLength(HashAlgo algo);
// md5 and sha1: accepted, but callers should warn.
bool IsWeak(HashAlgo algo);

struct Checksum {
  HashAlgo algo = HashAlgo::kSha256;
  std::string hex;  // lower-case, exactly HashHexLength(algo) digits
  bool weak() const { return IsWeak(algo); }
  bool operator==(const Checksum&) const = default;
};

// "sha256:<hex>" (the form used everywhere in Replayer's own output).
std::string FormatChecksum(const Checksum& checksum);

// Parses "<algo>:<hex>" (algo case-insensitive) or bare hex (length picks the algorithm).
// Hex is accepted in either case and returned lower-case. kInvalidArgument names the problem.
base::Result<Checksum> ParseChecksum(std::string_view text);

// A URL split into the address to fetch and the checksum carried in its query string.
struct UrlWithChecksum {
  std::string url;  // the URL without the `checksum` query parameter (other parameters kept)
  std::optional<Checksum> checksum;
  bool operator==(const UrlWithChecksum&) const = default;
};

// Removes a `checksum=` query parameter from `url` and parses it. A URL without one is fine
// (checksum empty); a malformed one is kInvalidArgument naming the URL.
base::Result<UrlWithChecksum> SplitChecksumFromUrl(std::string_view url);

// Lower-case scheme of a URL ("https", "http", "file"), or "" for a plain path.
std::string UrlScheme(std::string_view url);

}  // namespace plans
