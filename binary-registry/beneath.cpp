#include "binary-registry/beneath.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace registry {

BeneathFd::~BeneathFd() {
  if (fd_ >= 0) ::close(fd_);
}

BeneathFd& BeneathFd::operator=(BeneathFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

int OpenAt2Beneath(int dirfd, const std::string& rel, int flags, bool follow, mode_t mode) {
  open_how how {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (follow ? 0 : RESOLVE_NO_SYMLINKS);
  long fd;
  do {
    fd = ::syscall(SYS_openat2, dirfd, rel.c_str(), &how, sizeof how);
  } while (fd < 0 && (errno == EINTR || errno == EAGAIN) && !(flags & O_NONBLOCK));
  return static_cast<int>(fd);
}

base::Result<BeneathFd> OpenDirectory(const std::string& dir) {
  BeneathFd fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    std::string m = "open directory " + dir + ": " + std::strerror(errno);
    return errno == ENOENT ? base::Status::NotFound(m) : base::Status::IoError(m);
  }
  return fd;
}

base::Result<BeneathFd> OpenRegularBeneath(const std::string& dir, const std::string& rel,
                                           struct stat* st, int flags) {
  const std::string path = dir + "/" + rel;
  ASSIGN_OR_RETURN(BeneathFd root, OpenDirectory(dir));
  BeneathFd fd(OpenAt2Beneath(root.get(), rel, flags | O_NOFOLLOW, false));
  auto through_link = [&] {
    return base::Status::InvalidArgument(
        path + " is a symlink or is reached through one; Replayer only chmods and runs a "
               "regular file inside " + dir);
  };
  if (!fd.valid()) {
    int err = errno;
    if (err == ENOENT) return base::Status::NotFound("binary not found: " + path);
    if (err == ELOOP || err == EXDEV) return through_link();
    if (err == ENOSYS) {
      return base::Status::FailedPrecondition(
          "cannot check " + path + ": this kernel has no openat2(2) (Linux >= 5.6 needed)");
    }
    return base::Status::IoError("open " + path + ": " + std::strerror(err));
  }
  if (::fstat(fd.get(), st) != 0) {
    return base::Status::IoError("fstat " + path + ": " + std::strerror(errno));
  }
  if (S_ISLNK(st->st_mode)) return through_link();  // O_PATH | O_NOFOLLOW opens the link itself
  if (!S_ISREG(st->st_mode)) {
    return base::Status::InvalidArgument(path + " is not a regular file");
  }
  return fd;
}

base::Result<std::string> CheckInstalledBinary(const std::string& root, const std::string& rel,
                                               bool make_executable) {
  struct stat st {};
  ASSIGN_OR_RETURN(BeneathFd fd, OpenRegularBeneath(root, rel, &st,
                                                    make_executable ? O_RDONLY | O_NONBLOCK
                                                                    : O_PATH));
  const std::string path = root + "/" + rel;
  if (make_executable) {
    mode_t want = st.st_mode | S_IXUSR | ((st.st_mode & S_IRGRP) ? S_IXGRP : 0) |
                  ((st.st_mode & S_IROTH) ? S_IXOTH : 0);
    if (want != st.st_mode && ::fchmod(fd.get(), want & 07777) != 0) {
      return base::Status::IoError("chmod " + path + ": " + std::strerror(errno));
    }
  }
  return path;
}

}  // namespace registry
