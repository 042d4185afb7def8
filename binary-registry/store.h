// registry::Store: the content-addressed store of artefacts and its index.
//
// Layout under the root (default `$DAEMON_HOME/cosmovisor/registry/`):
//   sha256/<hex>/artifact   the downloaded file, byte for byte (archive or raw), read-only
//   index/                  LevelDB, state::RegistryIndex (sources, checksums, names, ...)
//   tmp/                    in-flight downloads (`*.partial`, resumed on the next attempt)
// An artefact enters by Ingest, which renames an already verified file into place (so the store
// never holds a file whose name is not its hash) and then indexes it in one synced batch. A crash
// between the two leaves an unindexed blob that the next Ingest of the same content adopts and
// Gc removes. The index is a LevelDB with a lock: one process opens a store at a time; Open
// waits up to `lock_wait` for another holder to finish. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "state/database.h"
#include "state/registry_index.h"
#include "upgrade-plans/checksum.h"

namespace registry {

struct IngestInfo {
  std::string source;         // URL or path it came from
  std::string artifact_name;  // file name at the source
  std::optional<plans::Checksum> declared;  // a non-sha256 declared checksum to index
  std::string platform;
  std::string name;  // bind name -> sha256 for `platform` when not empty
  state::SignatureStatus signature = state::SignatureStatus::kNone;
  std::string signer_key_id;
  std::string version_output;
};

struct StoreDamage {
  std::string sha256;
  std::string problem;  // "artifact missing", "content hashes to <hex>", "size 10, index says 12"
};

struct StoreVerifyReport {
  size_t checked = 0;
  std::vector<StoreDamage> damaged;
  std::vector<std::string> unindexed;  // blob folders the index does not know
};

struct GcOptions {
  bool remove_unnamed = false;     // also drop artefacts no name refers to
  std::vector<std::string> keep;   // sha256 values never removed
  bool dry_run = false;
};

struct GcReport {
  std::vector<std::string> removed;  // what was (or, dry run, would be) removed, as paths
  uint64_t bytes_freed = 0;
};

class Store {
 public:
  static base::Result<std::unique_ptr<Store>> Open(
      const std::string& root, std::chrono::milliseconds lock_wait = std::chrono::seconds(5));

  const std::string& root() const { return root_; }
  std::string BlobDir(const std::string& sha256) const;
  std::string ArtifactPath(const std::string& sha256) const;
  std::string TmpDir() const;
  state::RegistryIndex& index() { return index_; }

  // Moves `file` (same filesystem, already hashed by the caller) into the store and indexes it,
  // merging sources and names with an existing entry.
  base::Result<state::RegistryEntry> Ingest(const std::string& file, const std::string& sha256,
                                            uint64_t size, const IngestInfo& info, int64_t now_ms);

  // The entry whose artefact has `checksum`, after re-hashing the stored file; nullopt when not
  // stored. A damaged artefact is reported as kCorruption (and left for `verify` to show).
  base::Result<std::optional<state::RegistryEntry>> FindVerified(const plans::Checksum& checksum,
                                                                 int64_t now_ms);
  // The entry bound to `name` for `platform` (falling back to "any"), re-hashed.
  base::Result<std::optional<state::RegistryEntry>> FindByName(const std::string& name,
                                                               const std::string& platform,
                                                               int64_t now_ms);

  // Re-hashes every artefact; records verified_ms on the good ones.
  base::Result<StoreVerifyReport> VerifyAll(int64_t now_ms);
  base::Result<GcReport> Gc(const GcOptions& options);

 private:
  Store(std::string root, std::unique_ptr<state::Database> db);
  base::Result<std::optional<state::RegistryEntry>> Rehash(state::RegistryEntry entry,
                                                           int64_t now_ms);
  std::string root_;
  std::unique_ptr<state::Database> db_;
  state::RegistryIndex index_;
};

}  // namespace registry
