#include "replayer/upgrade/snapshot.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>  // FICLONE
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/clock.h"
#include "base/json_int.h"
#include "base/result_context.h"
#include "replayer/config/file_util.h"

namespace replayer {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPartialSuffix = ".partial";
constexpr std::string_view kPruningSuffix = ".pruning";
constexpr int kMarkerFormat = 1;

bool IsImmutableTable(std::string_view name) {
  // LevelDB writes `.ldb` (older versions `.sst`); Pebble and RocksDB write `.sst`. All of
  // them build a table in full, fsync it, and afterwards only read, rename never, delete.
  return name.ends_with(".ldb") || name.ends_with(".sst");
}

// errno values from FICLONE that mean "this file system (pair) cannot share blocks".
bool ReflinkUnsupported(int err) {
  return err == EOPNOTSUPP || err == ENOTTY || err == EXDEV || err == EINVAL || err == ENOSYS;
}

std::vector<std::string> ListNames(int dir_fd, const std::string& path, base::Status* st) {
  std::vector<std::string> names;
  int fd = ::dup(dir_fd);
  DIR* d = fd < 0 ? nullptr : ::fdopendir(fd);
  if (d == nullptr) {
    *st = ErrnoStatus(errno, "cannot list", path);
    if (fd >= 0) ::close(fd);
    return names;
  }
  ::rewinddir(d);
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    std::string_view n(e->d_name);
    if (n != "." && n != "..") names.emplace_back(n);
    errno = 0;
  }
  if (errno != 0) *st = ErrnoStatus(errno, "cannot list", path);
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// Copies one tree, file descriptor relative (no path re-resolution per file, and nothing in the
// source is followed: symlinks are recreated, not entered).
class TreeCopier {
 public:
  explicit TreeCopier(std::string src_root) : src_root_(std::move(src_root)) {}

  base::Status CopyDir(int src, int dst, const std::string& rel) {
    base::Status st;
    std::vector<std::string> names = ListNames(src, Path(rel), &st);
    RETURN_IF_ERROR(st);
    for (const std::string& name : names) {
      RETURN_IF_ERROR(CopyEntry(src, dst, name, rel.empty() ? name : rel + "/" + name));
    }
    return base::Status::Ok();
  }

  // Ownership (when permitted), mode and times, for files and directories. The fsync is left
  // to SyncAll; a file's writeback is started here so that it overlaps the rest of the walk.
  base::Status FinishInode(int fd, const struct stat& st, const std::string& rel) {
    if (::fchown(fd, st.st_uid, st.st_gid) != 0 && errno != EPERM) {
      return ErrnoStatus(errno, "cannot chown copy of", Path(rel));
    }
    if (::fchmod(fd, st.st_mode & 07777) != 0) {
      return ErrnoStatus(errno, "cannot chmod copy of", Path(rel));
    }
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (::futimens(fd, times) != 0) {
      return ErrnoStatus(errno, "cannot set times on copy of", Path(rel));
    }
    const bool dir = S_ISDIR(st.st_mode);
    if (!dir) ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);  // a hint; errors come later
    if (!rel.empty()) to_sync_.push_back({rel, dir});
    return base::Status::Ok();
  }

  // fsyncs every file and directory the walk created below `dst_root`: files first, then the
  // directories, children before parents. Batched at the end because on ext4 and XFS an fsync
  // commits the whole journal: the first one makes the metadata of all the others durable, so
  // the rest mostly wait for their own data, whose writeback FinishInode already started.
  base::Status SyncAll(int dst_root) {
    std::stable_partition(to_sync_.begin(), to_sync_.end(),
                          [](const Pending& p) { return !p.dir; });
    for (const Pending& p : to_sync_) {
      int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (p.dir ? O_DIRECTORY : 0);
      UniqueFd fd(::openat(dst_root, p.rel.c_str(), flags));
      if (!fd.valid()) return ErrnoStatus(errno, "cannot open snapshot copy of", Path(p.rel));
      if (::fsync(fd.get()) != 0) return ErrnoStatus(errno, "cannot fsync copy of", Path(p.rel));
    }
    to_sync_.clear();
    return base::Status::Ok();
  }

  SnapshotStats& stats() { return stats_; }

 private:
  std::string Path(const std::string& rel) const {
    return rel.empty() ? src_root_ : src_root_ + "/" + rel;
  }

  base::Status CopyEntry(int src, int dst, const std::string& name, const std::string& rel) {
    struct stat st;
    if (::fstatat(src, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus(errno, "cannot stat", Path(rel));
    }
    if (S_ISREG(st.st_mode)) return CopyRegular(src, dst, name, st, rel);
    if (S_ISDIR(st.st_mode)) {
      if (::mkdirat(dst, name.c_str(), 0700) != 0) {
        return ErrnoStatus(errno, "cannot create snapshot directory for", Path(rel));
      }
      UniqueFd s(::openat(src, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!s.valid()) return ErrnoStatus(errno, "cannot open directory", Path(rel));
      UniqueFd d(::openat(dst, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!d.valid()) return ErrnoStatus(errno, "cannot open snapshot directory for", Path(rel));
      RETURN_IF_ERROR(CopyDir(s.get(), d.get(), rel));
      RETURN_IF_ERROR(FinishInode(d.get(), st, rel));
      ++stats_.dirs;
      return base::Status::Ok();
    }
    if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlinkat(src, name.c_str(), target.data(), target.size());
      if (n < 0) return ErrnoStatus(errno, "cannot read symlink", Path(rel));
      if (static_cast<size_t>(n) >= target.size()) {
        return base::Status::IoError("symlink changed while copying: " + Path(rel));
      }
      target.resize(static_cast<size_t>(n));
      if (::symlinkat(target.c_str(), dst, name.c_str()) != 0) {
        return ErrnoStatus(errno, "cannot create snapshot symlink for", Path(rel));
      }
      const struct timespec times[2] = {st.st_atim, st.st_mtim};
      ::utimensat(dst, name.c_str(), times, AT_SYMLINK_NOFOLLOW);  // best effort
      ++stats_.symlinks;
      return base::Status::Ok();
    }
    ++stats_.skipped;  // socket, FIFO, device: no database keeps data in one
    return base::Status::Ok();
  }

  base::Status CopyRegular(int src, int dst, const std::string& name, const struct stat& st,
                           const std::string& rel) {
    ++stats_.files;
    stats_.bytes += static_cast<uint64_t>(st.st_size);
    const bool table = IsImmutableTable(name);
    UniqueFd in, out;
    if (reflink_ != Reflink::kNo) {
      RETURN_IF_ERROR(OpenPair(src, dst, name, rel, &in, &out));
      if (::ioctl(out.get(), FICLONE, in.get()) == 0) {
        reflink_ = Reflink::kYes;
        ++stats_.reflinked;
        return FinishInode(out.get(), st, rel);
      }
      if (reflink_ == Reflink::kUnknown && ReflinkUnsupported(errno)) reflink_ = Reflink::kNo;
      if (table && hardlink_ok_) {  // fall through to the hard link below
        in.Reset();
        out.Reset();
        if (::unlinkat(dst, name.c_str(), 0) != 0) {
          return ErrnoStatus(errno, "cannot remove failed reflink of", Path(rel));
        }
      }
    }
    if (table && hardlink_ok_) {
      if (::linkat(src, name.c_str(), dst, name.c_str(), 0) == 0) {
        ++stats_.hardlinked;
        return base::Status::Ok();
      }
      if (errno == EXDEV || errno == EPERM || errno == EOPNOTSUPP) {
        hardlink_ok_ = false;        // other file system, or links forbidden: copy from now on
      } else if (errno != EMLINK) {  // EMLINK: this inode is full of links; copy just it
        return ErrnoStatus(errno, "cannot hard-link", Path(rel));
      }
    }
    if (!out.valid()) RETURN_IF_ERROR(OpenPair(src, dst, name, rel, &in, &out));
    ASSIGN_OR_RETURN(uint64_t n, CopyFileData(in.get(), out.get(), Path(rel)));
    ++stats_.copied;
    stats_.bytes_copied += n;
    return FinishInode(out.get(), st, rel);
  }

  base::Status OpenPair(int src, int dst, const std::string& name, const std::string& rel,
                        UniqueFd* in, UniqueFd* out) {
    *in = UniqueFd(::openat(src, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!in->valid()) return ErrnoStatus(errno, "cannot open", Path(rel));
    *out = UniqueFd(::openat(dst, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out->valid()) return ErrnoStatus(errno, "cannot create snapshot copy of", Path(rel));
    return base::Status::Ok();
  }

  enum class Reflink { kUnknown, kYes, kNo };
  struct Pending {
    std::string rel;
    bool dir;
  };
  std::string src_root_;
  std::vector<Pending> to_sync_;  // copies and directories not yet fsynced (links need none)
  SnapshotStats stats_;
  Reflink reflink_ = Reflink::kUnknown;
  bool hardlink_ok_ = true;
};

base::Result<SnapshotInfo> ReadMarker(const std::string& dir) {
  const std::string path = dir + "/" + std::string(kSnapshotMarker);
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return base::WithContext(ParseSnapshotMarker(text, dir), path);
}

// Deletes a directory being pruned: everything but the marker, then the marker, then the
// directory, so that until the very end the next PruneSnapshots recognises it as ours.
base::Status DeleteMarkedDir(const std::string& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename() == kSnapshotMarker) continue;
    fs::remove_all(it->path(), ec);  // does not follow symlinks
    if (ec) break;
  }
  if (ec) return base::Status::IoError("cannot delete snapshot " + dir + ": " + ec.message());
  const std::string marker = dir + "/" + std::string(kSnapshotMarker);
  if (::unlink(marker.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, "cannot delete", marker);
  }
  if (::rmdir(dir.c_str()) != 0) return ErrnoStatus(errno, "cannot delete snapshot", dir);
  return FsyncDir(ParentDir(dir));
}

}  // namespace

std::string SnapshotOwner::Describe() const {
  std::time_t t = static_cast<std::time_t>(txn_started_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return "home " + home + ", upgrade \"" + upgrade + "\" at height " + std::to_string(height) +
         ", transaction " + std::to_string(txn_id) + " begun " + when;
}

base::Result<SnapshotInfo> ReadSnapshotMarker(const std::string& dir) { return ReadMarker(dir); }

std::string SnapshotName(std::string_view upgrade_dir, int64_t height) {
  return "data-backup-" + std::string(upgrade_dir) + "-" + std::to_string(height);
}

base::Result<SnapshotStats> TakeSnapshot(const std::string& data_dir, const std::string& dest,
                                         const std::optional<SnapshotOwner>& owner) {
  const auto start = std::chrono::steady_clock::now();
  struct stat dest_st;
  if (::lstat(dest.c_str(), &dest_st) == 0) {
    base::Result<SnapshotInfo> marker = ReadMarker(dest);
    if (marker.ok() && marker->owner == owner) return marker->stats;
    if (marker.ok()) {
      return base::Status::AlreadyExists(
          "snapshot destination " + dest + " already holds a snapshot of " +
          (marker->owner ? marker->owner->Describe() : marker->source + " (no owner recorded)") +
          ", not of " + (owner ? owner->Describe() : std::string("this data")));
    }
    return base::Status::AlreadyExists("snapshot destination " + dest +
                                       " exists and is not a complete Replayer snapshot (" +
                                       marker.status().message() + ")");
  }
  struct stat src_st;
  if (::stat(data_dir.c_str(), &src_st) != 0) {
    return ErrnoStatus(errno, "cannot snapshot", data_dir);
  }
  if (!S_ISDIR(src_st.st_mode)) {
    return base::Status::InvalidArgument("cannot snapshot " + data_dir + ": not a directory");
  }
  {
    std::error_code ec1, ec2;
    fs::path src_c = fs::canonical(data_dir, ec1);
    fs::path dest_c = fs::weakly_canonical(dest, ec2);
    if (!ec1 && !ec2) {
      fs::path rel = dest_c.lexically_relative(src_c);
      if (!rel.empty() && *rel.begin() != "..") {
        return base::Status::InvalidArgument("snapshot destination " + dest + " is inside " +
                                             data_dir);
      }
    }
  }

  const std::string parent = ParentDir(dest);
  RETURN_IF_ERROR(MakeDirs(parent));
  const std::string partial = dest + std::string(kPartialSuffix);
  {
    std::error_code ec;
    fs::remove_all(partial, ec);  // left by a crash; never a finished snapshot
    if (ec) return base::Status::IoError("cannot remove stale " + partial + ": " + ec.message());
  }
  if (::mkdir(partial.c_str(), 0700) != 0) return ErrnoStatus(errno, "cannot create", partial);

  UniqueFd src(::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!src.valid()) return ErrnoStatus(errno, "cannot open", data_dir);
  UniqueFd dst(::open(partial.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dst.valid()) return ErrnoStatus(errno, "cannot open", partial);

  TreeCopier copier(data_dir);
  RETURN_IF_ERROR(copier.CopyDir(src.get(), dst.get(), "").WithContext("snapshot of " + data_dir));
  RETURN_IF_ERROR(copier.SyncAll(dst.get()));
  SnapshotStats stats = copier.stats();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  RETURN_IF_ERROR(WriteFileAtomic(partial + "/" + std::string(kSnapshotMarker),
                                  FormatSnapshotMarker(base::UnixMillis(), data_dir, stats, owner)));
  RETURN_IF_ERROR(copier.FinishInode(dst.get(), src_st, ""));  // root mode and mtime
  if (::fsync(dst.get()) != 0) return ErrnoStatus(errno, "cannot fsync", partial);
  if (::rename(partial.c_str(), dest.c_str()) != 0) {
    return ErrnoStatus(errno, "cannot rename " + partial + " to", dest);
  }
  RETURN_IF_ERROR(FsyncDir(parent));
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

base::Result<std::vector<SnapshotInfo>> ListSnapshots(const std::string& backup_dir) {
  std::vector<SnapshotInfo> out;
  UniqueFd dir(::open(backup_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) {
    if (errno == ENOENT) return out;
    return ErrnoStatus(errno, "cannot open backup directory", backup_dir);
  }
  base::Status st;
  for (const std::string& name : ListNames(dir.get(), backup_dir, &st)) {
    if (name.ends_with(kPartialSuffix) || name.ends_with(kPruningSuffix)) continue;
    struct stat est;
    if (::fstatat(dir.get(), name.c_str(), &est, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (!S_ISDIR(est.st_mode)) continue;
    base::Result<SnapshotInfo> info = ReadMarker(backup_dir + "/" + name);
    if (!info.ok()) continue;  // not ours (or unreadable): never listed, never pruned
    info->name = name;
    out.push_back(std::move(info).value());
  }
  RETURN_IF_ERROR(st);
  std::sort(out.begin(), out.end(), [](const SnapshotInfo& a, const SnapshotInfo& b) {
    return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.name < b.name;
  });
  return out;
}

base::Status PruneSnapshots(const std::string& backup_dir, int keep) {
  if (keep < 0) {
    return base::Status::InvalidArgument("snapshots to keep must be 0 or more, got " +
                                         std::to_string(keep));
  }
  // Finish deletions a crash interrupted: `<name>.pruning` with our marker, or left empty.
  {
    UniqueFd dir(::open(backup_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) {
      if (errno == ENOENT) return base::Status::Ok();
      return ErrnoStatus(errno, "cannot open backup directory", backup_dir);
    }
    base::Status st;
    for (const std::string& name : ListNames(dir.get(), backup_dir, &st)) {
      if (!name.ends_with(kPruningSuffix)) continue;
      const std::string path = backup_dir + "/" + name;
      struct stat mst;
      const std::string marker = path + "/" + std::string(kSnapshotMarker);
      if (::lstat(marker.c_str(), &mst) == 0) {
        RETURN_IF_ERROR(DeleteMarkedDir(path));
      } else {
        ::rmdir(path.c_str());  // only succeeds when empty (crash after the marker went)
      }
    }
    RETURN_IF_ERROR(st);
  }
  ASSIGN_OR_RETURN(std::vector<SnapshotInfo> snaps, ListSnapshots(backup_dir));
  const size_t limit = static_cast<size_t>(keep);
  for (size_t i = 0; i + limit < snaps.size(); ++i) {
    const std::string pruning = snaps[i].path + std::string(kPruningSuffix);
    if (::rename(snaps[i].path.c_str(), pruning.c_str()) != 0) {
      return ErrnoStatus(errno, "cannot rename old snapshot " + snaps[i].path + " to", pruning);
    }
    RETURN_IF_ERROR(FsyncDir(backup_dir));
    RETURN_IF_ERROR(DeleteMarkedDir(pruning));
  }
  return base::Status::Ok();
}

base::Result<bool> ReflinkSupported(const std::string& dir) {
  std::string a = dir + "/.replayer-reflink-probe-XXXXXX";
  std::string b = a;
  UniqueFd fa(::mkostemp(a.data(), O_CLOEXEC));
  if (!fa.valid()) return ErrnoStatus(errno, "cannot create a probe file in", dir);
  UniqueFd fb(::mkostemp(b.data(), O_CLOEXEC));
  if (!fb.valid()) {
    int err = errno;
    ::unlink(a.c_str());
    return ErrnoStatus(err, "cannot create a probe file in", dir);
  }
  std::string block(4096, 'r');
  bool wrote = ::write(fa.get(), block.data(), block.size()) == static_cast<ssize_t>(block.size());
  bool ok = wrote && ::ioctl(fb.get(), FICLONE, fa.get()) == 0;
  ::unlink(a.c_str());
  ::unlink(b.c_str());
  if (!wrote) return base::Status::IoError("cannot write a probe file in " + dir);
  return ok;
}

std::string FormatSnapshotMarker(int64_t created_ms, const std::string& source,
                                 const SnapshotStats& s, const std::optional<SnapshotOwner>& owner) {
  nlohmann::json stats = {{"files", s.files},     {"reflinked", s.reflinked}, {"hardlinked", s.hardlinked},
                          {"copied", s.copied},   {"dirs", s.dirs},           {"symlinks", s.symlinks},
                          {"skipped", s.skipped}, {"bytes", s.bytes},         {"bytes_copied", s.bytes_copied},
                          {"seconds", s.seconds}};
  nlohmann::json marker = {
      {"format", kMarkerFormat}, {"created_ms", created_ms}, {"source", source}, {"stats", stats}};
  if (owner) {
    marker["owner"] = {{"home", owner->home},
                       {"upgrade", owner->upgrade},
                       {"height", owner->height},
                       {"txn_id", owner->txn_id},
                       {"txn_started_ms", owner->txn_started_ms}};
  }
  return marker.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

base::Result<SnapshotInfo> ParseSnapshotMarker(std::string_view text, const std::string& dir) {
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    std::optional<int> format;
    if (j.is_object() && j.contains("format")) format = base::JsonInt<int>(j["format"]);
    if (format != kMarkerFormat) return base::Status::Corruption("unknown snapshot marker format");
    SnapshotInfo info;
    info.path = dir;
    info.created_ms = base::JsonIntAt<int64_t>(j, "created_ms");
    info.source = j.at("source").get<std::string>();
    const nlohmann::json& s = j.at("stats");
    SnapshotStats& st = info.stats;
    st.files = base::JsonIntAt<uint64_t>(s, "files");
    st.reflinked = base::JsonIntAt<uint64_t>(s, "reflinked");
    st.hardlinked = base::JsonIntAt<uint64_t>(s, "hardlinked");
    st.copied = base::JsonIntAt<uint64_t>(s, "copied");
    st.dirs = base::JsonIntAt<uint64_t>(s, "dirs");
    st.symlinks = base::JsonIntAt<uint64_t>(s, "symlinks");
    st.skipped = base::JsonIntOr<uint64_t>(s, "skipped", 0);  // older markers have none
    st.bytes = base::JsonIntAt<uint64_t>(s, "bytes");
    st.bytes_copied = base::JsonIntAt<uint64_t>(s, "bytes_copied");
    st.seconds = s.at("seconds").get<double>();
    if (auto o = j.find("owner"); o != j.end()) {
      info.owner = SnapshotOwner{o->at("home").get<std::string>(), o->at("upgrade").get<std::string>(),
                                 base::JsonIntAt<int64_t>(*o, "height"),
                                 base::JsonIntAt<uint64_t>(*o, "txn_id"),
                                 base::JsonIntAt<int64_t>(*o, "txn_started_ms")};
    }
    return info;
  } catch (const nlohmann::json::exception& e) {
    return base::Status::Corruption(std::string("not a snapshot marker: ") + e.what());
  }
}

}  // namespace replayer
