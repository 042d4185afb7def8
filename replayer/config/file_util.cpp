#include "replayer/config/file_util.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace replayer {

void UniqueFd::Reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

base::Status ErrnoStatus(int err, std::string_view what, std::string_view path) {
  std::string msg;
  msg.append(what).append(" ").append(path).append(": ").append(std::strerror(err));
  switch (err) {
    case ENOENT:
      return base::Status::NotFound(std::move(msg));
    case EEXIST:
      return base::Status::AlreadyExists(std::move(msg));
    default:
      return base::Status::IoError(std::move(msg));
  }
}

std::string ParentDir(const std::string& path) {
  size_t end = path.size();
  while (end > 1 && path[end - 1] == '/') --end;  // ignore trailing slashes
  size_t slash = path.rfind('/', end - 1);
  if (slash == std::string::npos) return ".";
  while (slash > 0 && path[slash - 1] == '/') --slash;
  return slash == 0 ? "/" : path.substr(0, slash);
}

namespace {

base::Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return base::Status::Ok();
}

}  // namespace

base::Status WriteFileAtomic(const std::string& path, std::string_view contents, mode_t mode) {
  std::string tmpl = path + ".tmp-XXXXXX";
  UniqueFd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "cannot create a temporary file for", path);
  auto fail = [&](base::Status st) {
    fd.Reset();
    ::unlink(tmpl.c_str());
    return st;
  };
  if (::fchmod(fd.get(), mode) != 0) return fail(ErrnoStatus(errno, "cannot chmod", tmpl));
  if (auto st = WriteAll(fd.get(), contents, tmpl); !st.ok()) return fail(st);
  if (::fsync(fd.get()) != 0) return fail(ErrnoStatus(errno, "cannot fsync", tmpl));
  if (::close(fd.Release()) != 0) return fail(ErrnoStatus(errno, "cannot close", tmpl));
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    return fail(ErrnoStatus(errno, "cannot rename a temporary file onto", path));
  }
  return FsyncDir(ParentDir(path));
}

namespace {

std::string_view FileKind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

base::Result<std::string> ReadFile(const std::string& path, uint64_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "cannot open", path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, "cannot stat", path);
  if (!S_ISREG(st.st_mode)) {
    return base::Status::InvalidArgument(path + " is " + std::string(FileKind(st.st_mode)) +
                                         ", not a regular file; refused");
  }
  auto too_big = [&] {
    return base::Status::InvalidArgument(path + " is larger than the limit of " +
                                         std::to_string(max_bytes) + " bytes; refused");
  };
  if (static_cast<uint64_t>(st.st_size) > max_bytes) return too_big();
  std::string out;
  std::vector<char> buf(64 * 1024);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot read", path);
    }
    if (n == 0) break;
    out.append(buf.data(), static_cast<size_t>(n));
    if (out.size() > max_bytes) return too_big();
  }
  return out;
}

base::Status FsyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "cannot open directory", dir);
  if (::fsync(fd.get()) != 0) return ErrnoStatus(errno, "cannot fsync directory", dir);
  return base::Status::Ok();
}

base::Status MakeDirs(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return base::Status::Ok();
    return base::Status::InvalidArgument(dir + " exists and is not a directory");
  }
  if (errno != ENOENT) return ErrnoStatus(errno, "cannot stat", dir);
  std::string parent = ParentDir(dir);
  if (parent != dir) RETURN_IF_ERROR(MakeDirs(parent));
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoStatus(errno, "cannot create directory", dir);
  }
  return FsyncDir(parent);
}

base::Result<uint64_t> CopyFileData(int in_fd, int out_fd, std::string_view path) {
  constexpr size_t kChunk = 1u << 30;
  uint64_t total = 0;
  // 1. copy_file_range: in-kernel, and server-side or block-sharing on file systems that can.
  for (;;) {
    ssize_t n = ::copy_file_range(in_fd, nullptr, out_fd, nullptr, kChunk, 0);
    if (n > 0) {
      total += static_cast<uint64_t>(n);
      continue;
    }
    if (n == 0) return total;
    if (errno == EINTR) continue;
    bool unsupported = errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP ||
                       errno == EINVAL || errno == EBADF;
    if (!unsupported || total > 0) return ErrnoStatus(errno, "cannot copy", path);
    break;
  }
  // 2. sendfile: in-kernel too, works across file systems on every kernel we support.
  for (;;) {
    ssize_t n = ::sendfile(out_fd, in_fd, nullptr, kChunk);
    if (n > 0) {
      total += static_cast<uint64_t>(n);
      continue;
    }
    if (n == 0) return total;
    if (errno == EINTR) continue;
    if ((errno != EINVAL && errno != ENOSYS) || total > 0) {
      return ErrnoStatus(errno, "cannot copy", path);
    }
    break;
  }
  // 3. Plain read/write.
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(in_fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot read", path);
    }
    if (n == 0) return total;
    RETURN_IF_ERROR(
        WriteAll(out_fd, std::string_view(buf.data(), static_cast<size_t>(n)), std::string(path)));
    total += static_cast<uint64_t>(n);
  }
}

}  // namespace replayer
