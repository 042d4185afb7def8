// registry::Hasher: streaming message digests over OpenSSL EVP, the only hashing in Replayer.
//
// The downloader feeds every received block to a MultiHasher (always SHA-256, the store key,
// plus the algorithm a plan declared if it differs), so an artefact is hashed in the same pass
// that writes it. Not thread-safe; one hasher per transfer. Never throws: OpenSSL failures
// surface as a Status from Finish.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "upgrade-plans/checksum.h"

namespace registry {

class Hasher {
 public:
  explicit Hasher(plans::HashAlgo algo);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;

  void Update(const void* data, size_t size);
  // Lower-case hex of the digest; the hasher is reset and can be reused.
  base::Result<std::string> FinishHex();
  void Reset();
  plans::HashAlgo algo() const { return algo_; }

 private:
  struct Ctx;
  plans::HashAlgo algo_;
  std::unique_ptr<Ctx> ctx_;
  bool failed_ = false;
};

// SHA-256 always, plus `extra` when it names another algorithm.
class MultiHasher {
 public:
  explicit MultiHasher(std::optional<plans::HashAlgo> extra = std::nullopt);
  void Update(const void* data, size_t size);
  void Reset();
  struct Digests {
    std::string sha256;
    std::optional<plans::Checksum> extra;  // set when an extra algorithm was requested
  };
  base::Result<Digests> Finish();

 private:
  Hasher sha256_;
  std::optional<Hasher> extra_;
};

// Hashes a whole file (reads in 1 MiB blocks).
base::Result<std::string> HashFileHex(const std::string& path, plans::HashAlgo algo);
// Feeds the first `limit` bytes of a file (all when limit is UINT64_MAX) into `hasher`.
base::Status HashFilePrefix(const std::string& path, uint64_t limit, MultiHasher& hasher);

}  // namespace registry
