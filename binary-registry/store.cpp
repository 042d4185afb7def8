#include "binary-registry/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <thread>

#include "base/redact.h"
#include "binary-registry/hashing.h"

namespace registry {
namespace {

namespace fs = std::filesystem;

bool IsSha256Hex(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

void SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

template <typename T>
void AddUnique(std::vector<T>& v, const T& x) {
  if (!x.empty() && std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

uint64_t TreeSize(const fs::path& p) {
  std::error_code ec;
  uint64_t total = 0;
  if (fs::is_regular_file(p, ec)) return fs::file_size(p, ec);
  for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

}  // namespace

Store::Store(std::string root, std::unique_ptr<state::Database> db)
    : root_(std::move(root)), db_(std::move(db)), index_(*db_) {}

base::Result<std::unique_ptr<Store>> Store::Open(const std::string& root,
                                                 std::chrono::milliseconds lock_wait) {
  std::error_code ec;
  for (const char* sub : {"sha256", "tmp"}) {
    fs::create_directories(fs::path(root) / sub, ec);
    if (ec) {
      return base::Status::IoError("create registry store " + (fs::path(root) / sub).string() +
                                   ": " + ec.message());
    }
  }
  auto deadline = std::chrono::steady_clock::now() + lock_wait;
  while (true) {
    auto db = state::Database::Open(root + "/index");
    if (db.ok()) return std::unique_ptr<Store>(new Store(root, std::move(db).value()));
    if (std::chrono::steady_clock::now() >= deadline) {
      return db.status().WithContext("open registry store " + root);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string Store::BlobDir(const std::string& sha256) const { return root_ + "/sha256/" + sha256; }
std::string Store::ArtifactPath(const std::string& sha256) const {
  return BlobDir(sha256) + "/artifact";
}
std::string Store::TmpDir() const { return root_ + "/tmp"; }

base::Result<state::RegistryEntry> Store::Ingest(const std::string& file, const std::string& sha256,
                                                 uint64_t size, const IngestInfo& info,
                                                 int64_t now_ms) {
  if (!IsSha256Hex(sha256)) return base::Status::InvalidArgument("bad sha256 \"" + sha256 + "\"");
  std::string dir = BlobDir(sha256);
  std::error_code ec;
  if (fs::exists(ArtifactPath(sha256), ec)) {
    fs::remove(file, ec);  // same content is already stored
  } else {
    std::string staging = dir + ".tmp-" + std::to_string(::getpid());
    fs::remove_all(staging, ec);
    fs::remove_all(dir, ec);  // a blob folder without its artefact is debris
    fs::create_directories(staging, ec);
    if (ec) return base::Status::IoError("create " + staging + ": " + ec.message());
    std::string target = staging + "/artifact";
    if (::rename(file.c_str(), target.c_str()) != 0) {
      return base::Status::IoError("move " + file + " into the store: " + std::strerror(errno));
    }
    ::chmod(target.c_str(), 0444);
    SyncDir(staging);
    if (::rename(staging.c_str(), dir.c_str()) != 0) {
      return base::Status::IoError("rename " + staging + ": " + std::strerror(errno));
    }
    SyncDir(root_ + "/sha256");
  }
  ASSIGN_OR_RETURN(auto existing, index_.Get(sha256));
  state::RegistryEntry e = existing.value_or(state::RegistryEntry{});
  e.sha256 = sha256;
  e.size = size;
  AddUnique(e.sources, base::RedactUrlUserInfo(info.source));
  if (info.declared && info.declared->algo != plans::HashAlgo::kSha256) {
    AddUnique(e.checksums, plans::FormatChecksum(*info.declared));
  }
  if (e.artifact_name.empty()) e.artifact_name = info.artifact_name;
  if (!info.platform.empty()) e.platform = info.platform;
  if (info.signature == state::SignatureStatus::kVerified) {
    e.signature = info.signature;
    e.signer_key_id = info.signer_key_id;
  }
  if (!info.version_output.empty()) e.version_output = info.version_output;
  if (e.added_ms == 0) e.added_ms = now_ms;
  e.verified_ms = now_ms;
  if (info.name.empty()) {
    RETURN_IF_ERROR(index_.Put(e));
  } else {
    RETURN_IF_ERROR(index_.PutAndName(e, info.name, e.platform.empty() ? "any" : e.platform));
  }
  return e;
}

base::Result<std::optional<state::RegistryEntry>> Store::Rehash(state::RegistryEntry entry,
                                                                int64_t now_ms) {
  std::string path = ArtifactPath(entry.sha256);
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::optional<state::RegistryEntry>();
  ASSIGN_OR_RETURN(std::string actual, HashFileHex(path, plans::HashAlgo::kSha256));
  if (actual != entry.sha256) {
    return base::Status::Corruption("registry store artefact " + path + " is damaged: expected sha256:" +
                                    entry.sha256 + ", got sha256:" + actual +
                                    " (run `replayer registry verify`, then `gc`)");
  }
  entry.verified_ms = now_ms;
  RETURN_IF_ERROR(index_.Put(entry));
  return std::optional<state::RegistryEntry>(std::move(entry));
}

base::Result<std::optional<state::RegistryEntry>> Store::FindVerified(
    const plans::Checksum& checksum, int64_t now_ms) {
  ASSIGN_OR_RETURN(auto sha, index_.FindByChecksum(plans::FormatChecksum(checksum)));
  if (!sha) return std::optional<state::RegistryEntry>();
  ASSIGN_OR_RETURN(auto entry, index_.Get(*sha));
  if (!entry) return std::optional<state::RegistryEntry>();
  return Rehash(std::move(*entry), now_ms);
}

base::Result<std::optional<state::RegistryEntry>> Store::FindByName(const std::string& name,
                                                                    const std::string& platform,
                                                                    int64_t now_ms) {
  ASSIGN_OR_RETURN(auto targets, index_.GetName(name));
  auto it = targets.find(platform);
  if (it == targets.end()) it = targets.find("any");
  if (it == targets.end()) return std::optional<state::RegistryEntry>();
  ASSIGN_OR_RETURN(auto entry, index_.Get(it->second));
  if (!entry) return std::optional<state::RegistryEntry>();
  return Rehash(std::move(*entry), now_ms);
}

base::Result<StoreVerifyReport> Store::VerifyAll(int64_t now_ms) {
  StoreVerifyReport report;
  ASSIGN_OR_RETURN(auto entries, index_.List());
  std::set<std::string> known;
  for (auto& e : entries) {
    known.insert(e.sha256);
    ++report.checked;
    std::string path = ArtifactPath(e.sha256);
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      report.damaged.push_back({e.sha256, "artifact missing (" + path + ")"});
      continue;
    }
    uint64_t size = fs::file_size(path, ec);
    auto actual = HashFileHex(path, plans::HashAlgo::kSha256);
    if (!actual.ok()) {
      report.damaged.push_back({e.sha256, actual.status().message()});
    } else if (*actual != e.sha256) {
      report.damaged.push_back({e.sha256, "content hashes to sha256:" + *actual});
    } else if (size != e.size) {
      report.damaged.push_back(
          {e.sha256, "size " + std::to_string(size) + ", index says " + std::to_string(e.size)});
    } else {
      e.verified_ms = now_ms;
      RETURN_IF_ERROR(index_.Put(e));
    }
  }
  std::error_code ec;
  for (const auto& d : fs::directory_iterator(root_ + "/sha256", ec)) {
    std::string n = d.path().filename().string();
    if (!known.count(n)) report.unindexed.push_back(n);
  }
  for (const auto& d : report.damaged) spdlog::warn("registry store damage: {}: {}", d.sha256, d.problem);
  return report;
}

base::Result<GcReport> Store::Gc(const GcOptions& options) {
  GcReport report;
  std::set<std::string> keep(options.keep.begin(), options.keep.end());
  ASSIGN_OR_RETURN(auto entries, index_.List());
  ASSIGN_OR_RETURN(auto names, index_.ListNames());
  std::set<std::string> named;
  for (const auto& [name, targets] : names) {
    for (const auto& [platform, sha] : targets) named.insert(sha);
  }
  std::set<std::string> indexed;
  auto remove_path = [&](const fs::path& p) {
    report.bytes_freed += TreeSize(p);
    report.removed.push_back(p.string());
    if (!options.dry_run) {
      std::error_code ec;
      fs::permissions(p, fs::perms::owner_all, fs::perm_options::add, ec);
      fs::remove_all(p, ec);
    }
  };
  for (const auto& e : entries) {
    std::error_code ec;
    bool present = fs::exists(ArtifactPath(e.sha256), ec);
    bool unnamed = options.remove_unnamed && !named.count(e.sha256);
    if (keep.count(e.sha256) || (present && !unnamed)) {
      indexed.insert(e.sha256);
      continue;
    }
    indexed.insert(e.sha256);  // handled here; the folder scan below skips it
    if (present) {
      remove_path(BlobDir(e.sha256));
    } else {
      report.removed.push_back("index entry " + e.sha256);
    }
    if (!options.dry_run) RETURN_IF_ERROR(index_.Remove(e.sha256));
  }
  std::error_code ec;
  for (const auto& d : fs::directory_iterator(root_ + "/sha256", ec)) {
    std::string n = d.path().filename().string();
    if (!indexed.count(n) && !keep.count(n)) remove_path(d.path());
  }
  for (const auto& d : fs::directory_iterator(TmpDir(), ec)) remove_path(d.path());
  return report;
}

}  // namespace registry
