// registry beneath: opening paths strictly beneath a directory, never through a symlink.
//
// Every path an archive names, and every installed binary Replayer chmods or runs, is resolved
// by the kernel relative to a directory fd with openat2(2) RESOLVE_BENEATH (no `..` above it, no
// absolute paths, no /proc magic links), and where a link must not be followed at all with
// RESOLVE_NO_SYMLINKS. Links above that directory (a symlinked $DAEMON_HOME) are the operator's
// and are followed. openat2 is called through syscall(2) (glibc 2.36 has no wrapper); where the
// kernel lacks it (Linux < 5.6, ENOSYS) the call fails closed with a message saying so. Nothing
// here creates, moves or deletes files; callers own what they open (BeneathFd closes).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>

#include <string>

#include "base/status.h"

namespace registry {

// Owns one file descriptor. Move-only.
class BeneathFd {
 public:
  BeneathFd() = default;
  explicit BeneathFd(int fd) : fd_(fd) {}
  ~BeneathFd();
  BeneathFd(BeneathFd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  BeneathFd& operator=(BeneathFd&& o) noexcept;
  BeneathFd(const BeneathFd&) = delete;
  BeneathFd& operator=(const BeneathFd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// openat2(dirfd, rel, flags | O_CLOEXEC, mode) with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
// plus RESOLVE_NO_SYMLINKS when !follow. Returns the fd or -1 with errno set (EXDEV: escapes,
// ELOOP: a symlink on the way, ENOSYS: no openat2).
int OpenAt2Beneath(int dirfd, const std::string& rel, int flags, bool follow, mode_t mode = 0);

// Opens `dir` itself (following links above it) as an O_PATH directory fd; NotFound if missing.
base::Result<BeneathFd> OpenDirectory(const std::string& dir);

// The regular file `<dir>/<rel>`, reached from `dir` without any symlink (the file itself
// included) and without leaving `dir`, opened O_RDONLY | O_NONBLOCK; `st` receives its fstat.
// NotFound when missing; InvalidArgument naming the path when it is a symlink, is reached
// through one, or is not a regular file. `flags`: O_PATH to only look.
base::Result<BeneathFd> OpenRegularBeneath(const std::string& dir, const std::string& rel,
                                           struct stat* st, int flags = O_RDONLY | O_NONBLOCK);

// An installed binary `<root>/<rel>` (rel such as "v2/bin/appd" under upgrades/) must be a
// regular file reached from `root` without any symlink: checked as OpenRegularBeneath does, then
// optionally made executable (u+x, and g+x / o+x where readable) through the fd, never through a
// path. Returns the path that was checked.
base::Result<std::string> CheckInstalledBinary(const std::string& root, const std::string& rel,
                                               bool make_executable);

}  // namespace registry
