// state::RegistryIndex: the durable index of the binary registry's content-addressed store.
//
// The store keeps each downloaded artefact under `sha256/<hex>/`; this index says what each one
// is: where it came from, its size, other declared checksums (sha512, md5...), the platform of
// the executable inside, the signature status, what `version` printed and when it was last
// verified. Names (upgrade plan names, or any label given at `registry add`) map per platform to
// a sha256. Every update that touches several keys is one synced batch, so a crash never leaves
// a name pointing at a half-written entry. This store knows nothing about files or hashing;
// callers pass the values and the time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "state/database.h"

namespace state {

enum class SignatureStatus : int {
  kNone = 0,      // no trusted keys configured, or no signature published
  kVerified = 1,  // a minisign signature by one of the trusted keys verified
};
std::string_view SignatureStatusName(SignatureStatus s);

struct RegistryEntry {
  std::string sha256;                  // lower-case hex of the artefact (the store key)
  uint64_t size = 0;                   // artefact bytes
  std::vector<std::string> sources;    // URLs or paths it was fetched from, oldest first
  std::vector<std::string> checksums;  // other declared checksums, "sha512:<hex>"
  std::string artifact_name;           // file name it had at its source ("gaiad.tar.gz")
  std::string platform;                // of the executable inside: "linux/amd64" or "any"
  SignatureStatus signature = SignatureStatus::kNone;
  std::string signer_key_id;           // minisign key id (hex) when verified
  std::string version_output;          // what `<binary> version` printed, if probed
  int64_t added_ms = 0;
  int64_t verified_ms = 0;             // last time its hash was checked against the store
  bool operator==(const RegistryEntry&) const = default;
};

// platform -> sha256
using NameTargets = std::map<std::string, std::string>;

class RegistryIndex {
 public:
  explicit RegistryIndex(Database& db) : db_(db) {}

  base::Result<std::optional<RegistryEntry>> Get(std::string_view sha256) const;
  // Writes the entry and its alternate-checksum keys in one batch (replaces an older entry).
  base::Status Put(const RegistryEntry& entry);
  // Entry and name binding in one batch.
  base::Status PutAndName(const RegistryEntry& entry, std::string_view name,
                          std::string_view platform);
  // The sha256 of the artefact declared with `checksum` ("sha256:<hex>", "sha512:<hex>", ...),
  // if indexed.
  base::Result<std::optional<std::string>> FindByChecksum(std::string_view checksum) const;

  base::Status SetName(std::string_view name, std::string_view platform, std::string_view sha256);
  base::Result<NameTargets> GetName(std::string_view name) const;  // empty when unknown

  base::Result<std::vector<RegistryEntry>> List() const;  // sha256 order
  base::Result<std::vector<std::pair<std::string, NameTargets>>> ListNames() const;

  // Deletes the entry, its alternate checksums and every name binding to it, in one batch.
  base::Status Remove(std::string_view sha256);

 private:
  Database& db_;
};

}  // namespace state
