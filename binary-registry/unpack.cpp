#include "binary-registry/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

namespace registry {
namespace {

namespace fs = std::filesystem;

struct ReadCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteCloser {
  void operator()(archive* a) const { archive_write_free(a); }
};
using Reader = std::unique_ptr<archive, ReadCloser>;
using Writer = std::unique_ptr<archive, WriteCloser>;

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

Reader OpenReader(const std::string& path, bool raw) {
  Reader a(archive_read_new());
  archive_read_support_filter_all(a.get());
  if (raw) {
    archive_read_support_format_raw(a.get());
  } else {
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    archive_read_support_format_zip(a.get());
  }
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) return nullptr;
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

base::Status WriteRaw(archive* in, const std::string& target, uint64_t& used, uint64_t limit) {
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
  if (fd < 0) return base::Status::IoError("create " + target + ": " + std::strerror(errno));
  base::Status st = CopyData(in, fd, target, used, limit);
  if (st.ok() && ::fsync(fd) != 0) st = base::Status::IoError("fsync " + target);
  ::close(fd);
  return st;
}

base::Status ExtractArchive(archive* in, const std::string& root, const UnpackOptions& opt,
                            uint64_t& used) {
  Writer out(archive_write_disk_new());
  archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                ARCHIVE_EXTRACT_SECURE_NODOTDOT);
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
    if (hardlink) {
      auto link_rel = SafeEntryPath(hardlink);
      if (!link_rel.ok() || link_rel->empty()) {
        return base::Status::InvalidArgument("archive entry \"" + name +
                                             "\" is a hard link pointing outside the target (\"" +
                                             hardlink + "\")");
      }
      archive_entry_set_hardlink(entry, (root + "/" + *link_rel).c_str());
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
    archive_entry_set_pathname(entry, (root + "/" + *rel).c_str());
    mode_t perm = archive_entry_perm(entry);
    archive_entry_set_perm(entry, type == AE_IFDIR ? 0755 : (perm & 0755) | 0600);
    if (archive_write_header(out.get(), entry) < ARCHIVE_WARN) {
      return base::Status::InvalidArgument("archive entry \"" + name +
                                           "\" cannot be extracted safely: " +
                                           ArchiveError(out.get()));
    }
    if (type == AE_IFREG && !hardlink) {
      char buf[1 << 16];
      while (true) {
        la_ssize_t n = archive_read_data(in, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) return base::Status::Corruption("archive entry \"" + name + "\": " +
                                                   ArchiveError(in));
        used += static_cast<uint64_t>(n);
        if (used > opt.max_total_bytes) {
          return base::Status::InvalidArgument("archive unpacks to more than the limit of " +
                                               std::to_string(opt.max_total_bytes) + " bytes");
        }
        if (archive_write_data(out.get(), buf, static_cast<size_t>(n)) < 0) {
          return base::Status::IoError("extract \"" + name + "\": " + ArchiveError(out.get()));
        }
      }
    }
    if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN) {
      return base::Status::IoError("extract \"" + name + "\": " + ArchiveError(out.get()));
    }
  }
  if (archive_write_close(out.get()) < ARCHIVE_WARN) {
    return base::Status::IoError("extract: " + ArchiveError(out.get()));
  }
  return base::Status::Ok();
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
  std::string root = fs::canonical(dest, ec).string();  // no symlinks above the entries
  if (ec) return base::Status::IoError("unpack into " + dest + ": " + ec.message());
  UnpackResult result;
  std::string bin_dir = root + "/bin";
  std::string binary = bin_dir + "/" + daemon;
  uint64_t used = 0;

  auto write_raw = [&](archive* in, const std::string& format) -> base::Status {
    fs::create_directories(bin_dir, ec);
    if (ec) return base::Status::IoError("create " + bin_dir + ": " + ec.message());
    result.format = format;
    return WriteRaw(in, binary, used, options.max_total_bytes);
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
    if (first_rc == ARCHIVE_OK || first_rc == ARCHIVE_WARN) {
      std::string filter = FilterName(in.get());
      result.format = std::string(archive_format_name(in.get()) ? archive_format_name(in.get())
                                                                : "archive") +
                      (filter.empty() ? "" : " (" + filter + ")");
      // Re-open so ExtractArchive sees the first header too.
      in = OpenReader(artifact, false);
      if (!in) return base::Status::IoError("read " + artifact);
      RETURN_IF_ERROR(ExtractArchive(in.get(), root, options, used));
      done = true;
    }
  }
  if (!done) {
    // Not tar or zip: maybe a compressed single executable (appd.gz, appd.xz).
    Reader in = OpenReader(artifact, /*raw=*/true);
    archive_entry* e = nullptr;
    if (!in || archive_read_next_header(in.get(), &e) != ARCHIVE_OK) {
      return base::Status::IoError("read " + artifact);
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

  // Locate the executable: bin/<daemon>, else <daemon> at the root (moved into bin/).
  struct stat st {};
  if (::lstat(binary.c_str(), &st) != 0) {
    std::string at_root = root + "/" + daemon;
    if (::lstat(at_root.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      fs::create_directories(bin_dir, ec);
      if (ec || ::rename(at_root.c_str(), binary.c_str()) != 0) {
        return base::Status::IoError("move " + at_root + " into bin/");
      }
    } else {
      return base::Status::NotFound("archive holds no " + daemon + " or bin/" + daemon +
                                    " (found: " + ListTop(root) + ")");
    }
  }
  if (::lstat(binary.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return base::Status::InvalidArgument("bin/" + daemon + " in the artefact is not a regular file");
  }
  if (::chmod(binary.c_str(), (st.st_mode & 0755) | 0755) != 0) {
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
