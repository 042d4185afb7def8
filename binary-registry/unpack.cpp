#include "binary-registry/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <utility>
#include <vector>

#include "binary-registry/beneath.h"

namespace registry {
namespace {

namespace fs = std::filesystem;

struct ReadCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
using Reader = std::unique_ptr<archive, ReadCloser>;

std::string ArchiveError(archive* a) {
  const char* e = archive_error_string(a);
  return e ? e : "unknown libarchive error";
}

bool StartsWithExecutableMagic(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  unsigned char m[4] = {};
  ssize_t n = ::read(fd, m, sizeof m);
  ::close(fd);
  if (n >= 4 && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F') return true;
  return n >= 2 && m[0] == '#' && m[1] == '!';
}

// nullptr when libarchive cannot open it as anything; `error` (if given) then says why.
Reader OpenReader(const std::string& path, bool raw, std::string* error = nullptr) {
  Reader a(archive_read_new());
  archive_read_support_filter_all(a.get());
  if (raw) {
    archive_read_support_format_raw(a.get());
  } else {
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    archive_read_support_format_zip(a.get());
  }
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    if (error) *error = ArchiveError(a.get());
    return nullptr;
  }
  return a;
}

std::string FilterName(archive* a) {
  int n = archive_filter_count(a);
  for (int i = 0; i < n; ++i) {
    if (archive_filter_code(a, i) != ARCHIVE_FILTER_NONE) return archive_filter_name(a, i);
  }
  return "";
}

// Streams the current entry's data to `fd`, counting against the budget.
base::Status CopyData(archive* in, int fd, const std::string& what, uint64_t& budget_used,
                      uint64_t limit) {
  char buf[1 << 16];
  while (true) {
    la_ssize_t n = archive_read_data(in, buf, sizeof buf);
    if (n == 0) return base::Status::Ok();
    if (n < 0) return base::Status::Corruption(what + ": " + ArchiveError(in));
    budget_used += static_cast<uint64_t>(n);
    if (budget_used > limit) {
      return base::Status::InvalidArgument("archive unpacks to more than the limit of " +
                                           std::to_string(limit) + " bytes");
    }
    for (la_ssize_t off = 0; off < n;) {
      ssize_t w = ::write(fd, buf + off, static_cast<size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return base::Status::IoError("write " + what + ": " + std::strerror(errno));
      off += w;
    }
  }
}

base::Status WriteRaw(archive* in, int bin_dir, const std::string& daemon, uint64_t& used,
                      uint64_t limit) {
  int fd = ::openat(bin_dir, daemon.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    0755);
  const std::string what = "bin/" + daemon;
  if (fd < 0) return base::Status::IoError("create " + what + ": " + std::strerror(errno));
  base::Status st = CopyData(in, fd, what, used, limit);
  if (st.ok() && ::fsync(fd) != 0) st = base::Status::IoError("fsync " + what);
  ::close(fd);
  return st;
}

// "a/b/c" -> ("a/b", "c"); "c" -> ("", "c").
std::pair<std::string, std::string> SplitParent(const std::string& rel) {
  size_t slash = rel.rfind('/');
  if (slash == std::string::npos) return {"", rel};
  return {rel.substr(0, slash), rel.substr(slash + 1)};
}

base::Status Refuse(const std::string& name, const std::string& why) {
  return base::Status::InvalidArgument("archive entry \"" + name + "\" " + why + "; refused");
}

// Opens the directory `rel` beneath root without following any symlink, creating missing
// components (0755). An existing component that is a symlink or not a directory is refused.
base::Result<BeneathFd> OpenParent(int root, const std::string& rel, const std::string& name) {
  BeneathFd cur(OpenAt2Beneath(root, ".", O_PATH | O_DIRECTORY, false));
  if (!cur.valid() && errno == ENOSYS) {
    return base::Status::FailedPrecondition(
        "cannot unpack safely: this kernel has no openat2(2) (Linux >= 5.6 needed)");
  }
  size_t pos = 0;
  while (pos < rel.size()) {
    size_t slash = rel.find('/', pos);
    if (slash == std::string::npos) slash = rel.size();
    std::string part = rel.substr(pos, slash - pos);
    // One component at a time: mkdirat never resolves a link we did not check.
    if (::mkdirat(cur.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
      return base::Status::IoError("extract \"" + name + "\": mkdir " + rel.substr(0, slash) +
                                   ": " + std::strerror(errno));
    }
    BeneathFd next(OpenAt2Beneath(cur.get(), part, O_PATH | O_DIRECTORY, false));
    if (!next.valid()) {
      return Refuse(name, "lies under \"" + rel.substr(0, slash) +
                              "\", which is a symlink or not a directory");
    }
    cur = std::move(next);
    pos = slash + 1;
  }
  return cur;
}

// Removes what an earlier entry left at `base` (tar semantics: the later entry wins), except a
// directory, which a later directory entry keeps and anything else may not replace.
base::Status ClearSlot(int parent, const std::string& base, bool for_dir, const std::string& name) {
  struct stat st {};
  if (::fstatat(parent, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return base::Status::Ok();
  if (S_ISDIR(st.st_mode)) {
    if (for_dir) return base::Status::Ok();
    return Refuse(name, "would replace a directory");
  }
  if (::unlinkat(parent, base.c_str(), 0) != 0) {
    return base::Status::IoError("extract \"" + name + "\": " + std::strerror(errno));
  }
  return base::Status::Ok();
}

// Every symlink in the tree must resolve (through any chain of links) to a place beneath root;
// dangling links are kept. Checked after extraction, so later entries cannot change the answer.
base::Status CheckLinksBeneath(int root, const std::string& dir_rel, int depth) {
  if (depth > 64) return base::Status::InvalidArgument("archive nests directories too deeply");
  int dfd = OpenAt2Beneath(root, dir_rel.empty() ? "." : dir_rel, O_RDONLY | O_DIRECTORY, false);
  if (dfd < 0) return base::Status::IoError("walk " + dir_rel + ": " + std::strerror(errno));
  DIR* d = ::fdopendir(dfd);
  if (d == nullptr) {
    ::close(dfd);
    return base::Status::IoError("walk " + dir_rel + ": " + std::strerror(errno));
  }
  std::vector<std::pair<std::string, unsigned char>> children;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    struct stat st {};
    if (::fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    children.emplace_back(n, S_ISLNK(st.st_mode) ? DT_LNK : S_ISDIR(st.st_mode) ? DT_DIR : DT_REG);
  }
  ::closedir(d);
  for (const auto& [n, type] : children) {
    std::string rel = dir_rel.empty() ? n : dir_rel + "/" + n;
    if (type == DT_DIR) {
      RETURN_IF_ERROR(CheckLinksBeneath(root, rel, depth + 1));
    } else if (type == DT_LNK) {
      BeneathFd fd(OpenAt2Beneath(root, rel, O_PATH, true));
      if (!fd.valid() && errno != ENOENT) {
        return Refuse(rel, errno == EXDEV ? "is a symlink that leads outside the target"
                                          : std::string("is a symlink that cannot be resolved "
                                                        "beneath the target (") +
                                                std::strerror(errno) + ")");
      }
    }
  }
  return base::Status::Ok();
}

base::Status ExtractArchive(archive* in, int root, const UnpackOptions& opt, uint64_t& used) {
  uint64_t entries = 0, declared = 0;
  archive_entry* entry = nullptr;
  while (true) {
    int r = archive_read_next_header(in, &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return base::Status::Corruption("archive: " + ArchiveError(in));
    if (++entries > opt.max_entries) {
      return base::Status::InvalidArgument("archive has more than " +
                                           std::to_string(opt.max_entries) + " entries");
    }
    const char* raw_name = archive_entry_pathname(entry);
    std::string name = raw_name ? raw_name : "";
    auto rel = SafeEntryPath(name);
    if (!rel.ok()) return rel.status();
    if (rel->empty()) continue;  // "./"
    mode_t type = archive_entry_filetype(entry);
    const char* hardlink = archive_entry_hardlink(entry);
    std::string link_rel;
    if (hardlink) {
      auto lr = SafeEntryPath(hardlink);
      if (!lr.ok() || lr->empty()) {
        return base::Status::InvalidArgument("archive entry \"" + name +
                                             "\" is a hard link pointing outside the target (\"" +
                                             hardlink + "\")");
      }
      link_rel = *lr;
    } else if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(entry);
      RETURN_IF_ERROR(CheckSymlinkTarget(*rel, target ? target : ""));
    } else if (type != AE_IFREG && type != AE_IFDIR) {
      return base::Status::InvalidArgument("archive entry \"" + name +
                                           "\" is a device file, FIFO or socket; refused");
    }
    if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0) {
      declared += static_cast<uint64_t>(archive_entry_size(entry));
      if (declared > opt.max_total_bytes) {
        return base::Status::InvalidArgument("archive unpacks to more than the limit of " +
                                             std::to_string(opt.max_total_bytes) + " bytes");
      }
    }
    auto [parent_rel, base_name] = SplitParent(*rel);
    ASSIGN_OR_RETURN(BeneathFd parent, OpenParent(root, parent_rel, name));
    RETURN_IF_ERROR(ClearSlot(parent.get(), base_name, type == AE_IFDIR && !hardlink, name));
    if (hardlink) {
      auto [tp_rel, tbase] = SplitParent(link_rel);
      BeneathFd tp(OpenAt2Beneath(root, tp_rel.empty() ? "." : tp_rel, O_PATH | O_DIRECTORY,
                                  false));
      if (!tp.valid()) {
        return Refuse(name, "is a hard link through a symlink or to a missing file (\"" +
                                std::string(hardlink) + "\")");
      }
      // Without AT_SYMLINK_FOLLOW a link to a symlink links the symlink, which the final check
      // covers.
      if (::linkat(tp.get(), tbase.c_str(), parent.get(), base_name.c_str(), 0) != 0) {
        return Refuse(name, "is a hard link that cannot be made (\"" + std::string(hardlink) +
                                "\": " + std::strerror(errno) + ")");
      }
    } else if (type == AE_IFDIR) {
      if (::mkdirat(parent.get(), base_name.c_str(), 0755) != 0 && errno != EEXIST) {
        return base::Status::IoError("extract \"" + name + "\": " + std::strerror(errno));
      }
    } else if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(entry);
      if (::symlinkat(target, parent.get(), base_name.c_str()) != 0) {
        return base::Status::IoError("extract \"" + name + "\": " + std::strerror(errno));
      }
    } else {
      mode_t perm = (archive_entry_perm(entry) & 0755) | 0600;
      int fd = ::openat(parent.get(), base_name.c_str(),
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, perm);
      if (fd < 0) return base::Status::IoError("extract \"" + name + "\": " + std::strerror(errno));
      base::Status st = CopyData(in, fd, "archive entry \"" + name + "\"", used,
                                 opt.max_total_bytes);
      if (st.ok() && ::fchmod(fd, perm) != 0) {
        st = base::Status::IoError("chmod \"" + name + "\": " + std::strerror(errno));
      }
      ::close(fd);
      RETURN_IF_ERROR(st);
    }
  }
  return CheckLinksBeneath(root, "", 0);
}

std::string ListTop(const std::string& root) {
  std::string out;
  std::error_code ec;
  int n = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator() && n < 8; it.increment(ec), ++n) {
    out += (out.empty() ? "" : ", ") + fs::relative(it->path(), root, ec).string();
  }
  return out.empty() ? "nothing" : out;
}

}  // namespace

base::Result<std::string> SafeEntryPath(std::string_view name) {
  if (!name.empty() && name.front() == '/') {
    return base::Status::InvalidArgument("archive entry \"" + std::string(name) +
                                         "\" has an absolute path; refused");
  }
  std::string out;
  size_t pos = 0;
  while (pos <= name.size()) {
    size_t slash = name.find('/', pos);
    if (slash == std::string_view::npos) slash = name.size();
    std::string_view part = name.substr(pos, slash - pos);
    if (part == "..") {
      return base::Status::InvalidArgument("archive entry \"" + std::string(name) +
                                           "\" contains \"..\"; refused");
    }
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out += part;
    }
    pos = slash + 1;
  }
  return out;
}

base::Status CheckSymlinkTarget(std::string_view entry, std::string_view target) {
  auto refuse = [&](const char* why) {
    return base::Status::InvalidArgument("archive entry \"" + std::string(entry) +
                                         "\" is a symlink " + why + " (\"" + std::string(target) +
                                         "\"); refused");
  };
  if (target.empty()) return refuse("with an empty target");
  if (target.front() == '/') return refuse("to an absolute path");
  // Depth of the link's directory, then walk the target lexically.
  int depth = 0;
  for (char c : entry) depth += c == '/';
  size_t pos = 0;
  while (pos <= target.size()) {
    size_t slash = target.find('/', pos);
    if (slash == std::string_view::npos) slash = target.size();
    std::string_view part = target.substr(pos, slash - pos);
    if (part == "..") {
      if (--depth < 0) return refuse("pointing outside the target");
    } else if (!part.empty() && part != ".") {
      ++depth;
    }
    pos = slash + 1;
  }
  return base::Status::Ok();
}

base::Result<UnpackResult> UnpackArtifact(const std::string& artifact, const std::string& dest,
                                          const std::string& daemon,
                                          const UnpackOptions& options) {
  if (daemon.empty() || daemon.find('/') != std::string::npos || daemon == "." || daemon == "..") {
    return base::Status::InvalidArgument("daemon name \"" + daemon + "\" is not a file name");
  }
  std::error_code ec;
  std::string root = fs::canonical(dest, ec).string();
  if (ec) return base::Status::IoError("unpack into " + dest + ": " + ec.message());
  // Every entry is created relative to this fd and resolved beneath it (beneath.h).
  ASSIGN_OR_RETURN(BeneathFd root_fd, OpenDirectory(root));
  UnpackResult result;
  std::string binary = root + "/bin/" + daemon;
  uint64_t used = 0;

  auto write_raw = [&](archive* in, const std::string& format) -> base::Status {
    ASSIGN_OR_RETURN(BeneathFd bin_dir, OpenParent(root_fd.get(), "bin", "bin/" + daemon));
    result.format = format;
    return WriteRaw(in, bin_dir.get(), daemon, used, options.max_total_bytes);
  };

  bool done = false;
  if (StartsWithExecutableMagic(artifact)) {
    Reader in = OpenReader(artifact, /*raw=*/true);
    archive_entry* e = nullptr;
    if (!in || archive_read_next_header(in.get(), &e) != ARCHIVE_OK) {
      return base::Status::IoError("read " + artifact);
    }
    RETURN_IF_ERROR(write_raw(in.get(), "raw"));
    done = true;
  }
  if (!done) {
    Reader in = OpenReader(artifact, /*raw=*/false);
    archive_entry* first = nullptr;
    int first_rc = in ? archive_read_next_header(in.get(), &first) : ARCHIVE_FATAL;
    if (first_rc == ARCHIVE_EOF && archive_format(in.get()) != 0) {
      std::string filter = FilterName(in.get());
      return base::Status::InvalidArgument(
          artifact + " is an empty archive (" + std::string(archive_format_name(in.get())) +
          (filter.empty() ? "" : " (" + filter + ")") + "): it holds no files");
    }
    if (first_rc == ARCHIVE_OK || first_rc == ARCHIVE_WARN) {
      std::string filter = FilterName(in.get());
      result.format = std::string(archive_format_name(in.get()) ? archive_format_name(in.get())
                                                                : "archive") +
                      (filter.empty() ? "" : " (" + filter + ")");
      // Re-open so ExtractArchive sees the first header too.
      in = OpenReader(artifact, false);
      if (!in) return base::Status::IoError("read " + artifact);
      RETURN_IF_ERROR(ExtractArchive(in.get(), root_fd.get(), options, used));
      done = true;
    }
  }
  if (!done) {
    // Not tar or zip: maybe a compressed single executable (appd.gz, appd.xz).
    std::string why;
    Reader in = OpenReader(artifact, /*raw=*/true, &why);
    archive_entry* e = nullptr;
    if (!in || archive_read_next_header(in.get(), &e) != ARCHIVE_OK) {
      if (in) why = ArchiveError(in.get());
      return base::Status::InvalidArgument(
          artifact + " is neither an executable (ELF or #! script) nor an archive Replayer can "
                     "read (tar, zip, gzip/xz/bzip2 of either): " + why);
    }
    std::string filter = FilterName(in.get());
    if (filter.empty()) {
      return base::Status::InvalidArgument(
          artifact + " is neither an executable (ELF or #! script) nor an archive (tar, zip, "
                     "gzip/xz/bzip2 of either)");
    }
    RETURN_IF_ERROR(write_raw(in.get(), "raw (" + filter + ")"));
  }
  result.total_bytes = used;

  // Locate the executable: bin/<daemon>, else <daemon> at the root (moved into bin/). Either
  // must be a regular file reached without a symlink.
  struct stat st {};
  auto in_bin = OpenRegularBeneath(root, "bin/" + daemon, &st, O_PATH);
  if (in_bin.status().Is(base::Status::Code::kNotFound)) {
    auto at_root = OpenRegularBeneath(root, daemon, &st, O_PATH);
    if (at_root.status().Is(base::Status::Code::kNotFound)) {
      return base::Status::NotFound("archive holds no " + daemon + " or bin/" + daemon +
                                    " (found: " + ListTop(root) + ")");
    }
    if (!at_root.ok()) {
      return base::Status::InvalidArgument(daemon + " in the artefact is not a regular file (" +
                                           at_root.status().message() + ")");
    }
    ASSIGN_OR_RETURN(BeneathFd bin_dir, OpenParent(root_fd.get(), "bin", "bin/" + daemon));
    if (::renameat(root_fd.get(), daemon.c_str(), bin_dir.get(), daemon.c_str()) != 0) {
      return base::Status::IoError("move " + root + "/" + daemon + " into bin/: " +
                                   std::strerror(errno));
    }
  } else if (!in_bin.ok()) {
    return base::Status::InvalidArgument("bin/" + daemon + " in the artefact is not a regular " +
                                         "file inside it (" + in_bin.status().message() + ")");
  }
  auto exe = OpenRegularBeneath(root, "bin/" + daemon, &st, O_RDONLY | O_NONBLOCK);
  if (!exe.ok()) return exe.status();
  if (::fchmod(exe->get(), 0755) != 0) {
    return base::Status::IoError("chmod " + binary + ": " + std::strerror(errno));
  }
  result.binary = binary;
  std::string lib = root + "/lib";
  if (fs::is_directory(lib, ec)) {
    for (const auto& e : fs::directory_iterator(lib, ec)) {
      std::string n = e.path().filename().string();
      if (n.find(".so") != std::string::npos) result.libraries.push_back("lib/" + n);
    }
  }
  return result;
}

}  // namespace registry
