// replayer file utilities: the few crash-safe file operations the layout, the upgrade
// transaction and the snapshot share.
//
// Every function here either completes durably or leaves the previous state in place: new
// contents go to a temporary file in the same directory, are fsynced, renamed over the target,
// and the directory is fsynced. Errors are Status values whose message names the path and the
// OS reason (NotFound for ENOENT, AlreadyExists for EEXIST, IoError otherwise). Nothing here
// throws, reads the environment or keeps global state. Not thread-safe with respect to two
// writers of the same path (the last rename wins, which is still never a torn file).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace replayer {

// Owns one file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.Release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = o.Release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset();

 private:
  int fd_ = -1;
};

// "<what> <path>: <strerror(err)>" with a code derived from errno.
base::Status ErrnoStatus(int err, std::string_view what, std::string_view path);

// Writes a file atomically: temp in the same dir, write, fsync, rename, fsync dir. The file
// gets exactly `mode` (not filtered by the umask).
base::Status WriteFileAtomic(const std::string& path, std::string_view contents,
                             mode_t mode = 0644);

// Files Replayer reads from the operator or the node (data/upgrade-info.json, `-c`, `--plans`,
// markers) are small; 4 MiB is far above any real one.
inline constexpr uint64_t kMaxReadFileBytes = uint64_t{4} << 20;

// The whole contents of a regular file of at most `max_bytes`. Opened O_NONBLOCK and checked
// with fstat before anything is read, so a FIFO, /dev/zero, a directory or a huge file is
// refused at once (InvalidArgument naming the path and what it is) instead of hanging or eating
// memory; a file that grows past the limit while being read is refused too. NotFound when
// missing. Symlinks are followed (the operator's own, e.g. a config kept elsewhere).
base::Result<std::string> ReadFile(const std::string& path, uint64_t max_bytes = kMaxReadFileBytes);

// fsync(2) on a directory, so entries created, renamed or removed in it survive a crash.
base::Status FsyncDir(const std::string& dir);

// Creates `dir` and any missing parents (mode 0755) and fsyncs each parent that gained an
// entry. OK if `dir` already exists as a directory; an error naming the path otherwise.
base::Status MakeDirs(const std::string& dir);

// Copies everything from the current offset of `in_fd` to its end into `out_fd`:
// copy_file_range(2), falling back to sendfile(2) and then read/write where the kernel or file
// system refuses. Returns the number of bytes copied. `path` is only used in error messages.
base::Result<uint64_t> CopyFileData(int in_fd, int out_fd, std::string_view path);

// The parent directory of `path` ("." for a bare name), without a trailing slash.
std::string ParentDir(const std::string& path);

}  // namespace replayer
