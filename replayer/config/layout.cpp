#include "replayer/config/layout.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <vector>


namespace replayer {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTempLinkPrefix = "current.tmp-";
constexpr std::string_view kUpgradeInfoName = "upgrade-info.json";

std::string StripTrailingSlashes(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::string OctalMode(mode_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// `abs` relative to `base` if it lies strictly inside it (both lexically normal).
std::optional<std::string> RelativeInside(const fs::path& abs, const fs::path& base) {
  fs::path rel = abs.lexically_relative(base);
  if (rel.empty() || rel == ".") return std::nullopt;
  if (*rel.begin() == "..") return std::nullopt;
  return StripTrailingSlashes(rel.generic_string());
}

// Resolves symlinks in the parent of `p` but not in its last component, without throwing.
std::optional<fs::path> CanonicalParent(const fs::path& p) {
  std::error_code ec;
  fs::path parent = fs::weakly_canonical(p.parent_path(), ec);
  if (ec) return std::nullopt;
  return (parent / p.filename()).lexically_normal();
}

base::Result<std::string> ReadLink(const std::string& path) {
  std::vector<char> buf(256);
  for (;;) {
    ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
    if (n < 0) return ErrnoStatus(errno, "cannot read symlink", path);
    if (static_cast<size_t>(n) < buf.size()) return std::string(buf.data(), static_cast<size_t>(n));
    buf.resize(buf.size() * 2);
  }
}

// Removes `current.tmp-*` symlinks left by a run that crashed between symlink(2) and rename(2).
void RemoveStaleTempLinks(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = ::readdir(d)) {
    std::string_view name(e->d_name);
    if (!name.starts_with(kTempLinkPrefix)) continue;
    struct stat st;
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
      ::unlinkat(::dirfd(d), e->d_name, 0);
    }
  }
  ::closedir(d);
}

}  // namespace

Layout::Layout(std::string home, std::string daemon_name)
    : home_(StripTrailingSlashes(std::move(home))), daemon_name_(std::move(daemon_name)) {}

std::string Layout::CosmovisorDir() const { return home_ + "/cosmovisor"; }
std::string Layout::GenesisDir() const { return CosmovisorDir() + "/genesis"; }
std::string Layout::UpgradesDir() const { return CosmovisorDir() + "/upgrades"; }
std::string Layout::UpgradeDir(std::string_view dir_name) const {
  return UpgradesDir() + "/" + std::string(dir_name);
}
std::string Layout::CurrentLink() const { return CosmovisorDir() + "/current"; }
std::string Layout::DataDir() const { return home_ + "/data"; }
std::string Layout::UpgradeInfoFile() const {
  return DataDir() + "/" + std::string(kUpgradeInfoName);
}
std::string Layout::StateDir() const { return CosmovisorDir() + "/.replayer"; }

std::string Layout::TargetDir(std::string_view rel_target) const {
  return CosmovisorDir() + "/" + std::string(rel_target);
}
std::string Layout::TargetBinary(std::string_view rel_target) const {
  return TargetDir(rel_target) + "/bin/" + daemon_name_;
}
std::string Layout::UpgradeTarget(std::string_view dir_name) {
  return "upgrades/" + std::string(dir_name);
}

base::Result<std::string> Layout::NormaliseTarget(std::string_view rel_target) const {
  if (rel_target.empty()) return base::Status::InvalidArgument("empty target directory name");
  if (rel_target.front() == '/') {
    return base::Status::InvalidArgument("target must be relative to " + CosmovisorDir() +
                                         ", got " + std::string(rel_target));
  }
  fs::path p = fs::path(std::string(rel_target)).lexically_normal();
  std::string s = StripTrailingSlashes(p.generic_string());
  if (s.empty() || s == "." || *p.begin() == "..") {
    return base::Status::InvalidArgument("target " + std::string(rel_target) + " is not inside " +
                                         CosmovisorDir());
  }
  return s;
}

base::Result<std::string> Layout::ReadCurrent() const {
  const std::string link = CurrentLink();
  struct stat st;
  if (::lstat(link.c_str(), &st) != 0) {
    if (errno == ENOENT) return base::Status::NotFound("no `current` symlink at " + link);
    return ErrnoStatus(errno, "cannot stat", link);
  }
  if (!S_ISLNK(st.st_mode)) {
    return base::Status::InvalidArgument(link + " is not a symlink");
  }
  ASSIGN_OR_RETURN(std::string text, ReadLink(link));
  if (text.empty()) return base::Status::InvalidArgument(link + " is an empty symlink");

  std::error_code ec;
  fs::path base = fs::absolute(fs::path(CosmovisorDir()), ec).lexically_normal();
  if (ec) return base::Status::IoError("cannot resolve " + CosmovisorDir() + ": " + ec.message());
  const fs::path target(text);
  const fs::path abs = (target.is_absolute() ? target : base / target).lexically_normal();
  std::optional<std::string> rel = RelativeInside(abs, base);
  if (!rel && target.is_absolute()) {
    // An old absolute link may name $home through another path (a symlinked /home, a moved
    // volume); compare with symlinks resolved, except in the link's own last component.
    auto cabs = CanonicalParent(abs);
    auto cbase = CanonicalParent(base);
    if (cabs && cbase) rel = RelativeInside(*cabs, *cbase);
  }
  if (!rel) {
    return base::Status::InvalidArgument(link + " points outside " + CosmovisorDir() + ": " + text);
  }
  return *rel;
}

base::Status Layout::SwitchCurrent(std::string_view rel_target) const {
  ASSIGN_OR_RETURN(std::string rel, NormaliseTarget(rel_target));
  const std::string dir = TargetDir(rel);
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return base::Status::NotFound("cannot point `current` at " + rel + ": " + dir +
                                  " is not an existing directory");
  }
  const std::string cdir = CosmovisorDir();
  RemoveStaleTempLinks(cdir);
  const std::string tmp = cdir + "/" + std::string(kTempLinkPrefix) + std::to_string(::getpid());
  if (::symlink(rel.c_str(), tmp.c_str()) != 0) {
    return ErrnoStatus(errno, "cannot create symlink", tmp);
  }
  if (::rename(tmp.c_str(), CurrentLink().c_str()) != 0) {
    base::Status st2 = ErrnoStatus(errno, "cannot rename " + tmp + " onto", CurrentLink());
    ::unlink(tmp.c_str());
    return st2;
  }
  return FsyncDir(cdir);
}

base::Result<std::optional<plans::UpgradeInfo>> Layout::ReadTargetUpgradeInfo(
    std::string_view rel_target) const {
  const std::string path = TargetDir(rel_target) + "/" + std::string(kUpgradeInfoName);
  base::Result<std::string> text = ReadFile(path);
  if (!text.ok()) {
    if (text.status().Is(base::Status::Code::kNotFound)) {
      return std::optional<plans::UpgradeInfo>();
    }
    return text.status();
  }
  base::Result<plans::UpgradeInfo> info = plans::ParseUpgradeInfo(*text);
  if (!info.ok()) return base::Status::Corruption(path + ": " + info.status().message());
  return std::optional<plans::UpgradeInfo>(std::move(info).value());
}

base::Status Layout::WriteTargetUpgradeInfo(std::string_view rel_target,
                                            const plans::UpgradeInfo& info) const {
  ASSIGN_OR_RETURN(std::string rel, NormaliseTarget(rel_target));
  return WriteFileAtomic(TargetDir(rel) + "/" + std::string(kUpgradeInfoName),
                         plans::FormatUpgradeInfo(info));
}

base::Status Layout::CheckExecutable(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    struct stat lst;
    if (err == ENOENT && ::lstat(path.c_str(), &lst) == 0) {
      return base::Status::NotFound("binary " + path + " is a dangling symlink");
    }
    if (err == ENOENT) return base::Status::NotFound("binary not found: " + path);
    return ErrnoStatus(err, "cannot stat binary", path);
  }
  if (!S_ISREG(st.st_mode)) {
    return base::Status::InvalidArgument("binary " + path + " is not a regular file");
  }
  if ((st.st_mode & 0111) == 0) {
    return base::Status::FailedPrecondition("binary " + path + " is not executable (mode " +
                                            OctalMode(st.st_mode) + ")");
  }
  if (::access(path.c_str(), X_OK) != 0) {
    return base::Status::FailedPrecondition(
        "binary " + path + " is not executable by uid " + std::to_string(::geteuid()) + " (mode " +
        OctalMode(st.st_mode) + ", owner uid " + std::to_string(st.st_uid) + ")");
  }
  return base::Status::Ok();
}

base::Result<std::string> Layout::CheckTargetBinary(std::string_view rel_target) const {
  ASSIGN_OR_RETURN(std::string rel, NormaliseTarget(rel_target));
  const std::string path = TargetBinary(rel);
  // One component at a time from cosmovisor/, none of them a symlink (rel has no ".."), the same
  // guarantee as registry's openat2 RESOLVE_NO_SYMLINKS without this room depending on it.
  UniqueFd cur(::open(CosmovisorDir().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!cur.valid()) return ErrnoStatus(errno, "cannot open", CosmovisorDir());
  const std::string walk = rel + "/bin/" + daemon_name_;
  for (size_t pos = 0; pos < walk.size();) {
    size_t slash = walk.find('/', pos);
    if (slash == std::string::npos) slash = walk.size();
    const std::string part = walk.substr(pos, slash - pos);
    UniqueFd next(::openat(cur.get(), part.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    struct stat st {};
    if (!next.valid()) {
      if (errno == ENOENT) return base::Status::NotFound("binary not found: " + path);
      return ErrnoStatus(errno, "cannot open", CosmovisorDir() + "/" + walk.substr(0, slash));
    }
    if (::fstat(next.get(), &st) != 0) return ErrnoStatus(errno, "cannot stat", path);
    if (S_ISLNK(st.st_mode)) {
      return base::Status::InvalidArgument(
          path + " is a symlink or is reached through one (" + CosmovisorDir() + "/" +
          walk.substr(0, slash) + "); Replayer only runs a regular file inside its folder");
    }
    cur = std::move(next);
    pos = slash + 1;
  }
  RETURN_IF_ERROR(CheckExecutable(path));
  return path;
}

base::Status Layout::InstallBinary(const std::string& src, std::string_view rel_target,
                                   bool force) const {
  ASSIGN_OR_RETURN(std::string rel, NormaliseTarget(rel_target));
  struct stat st;
  if (::stat(src.c_str(), &st) != 0) {
    if (errno == ENOENT) return base::Status::NotFound("source binary not found: " + src);
    return ErrnoStatus(errno, "cannot stat source binary", src);
  }
  if (!S_ISREG(st.st_mode)) {
    return base::Status::InvalidArgument("source binary " + src + " is not a regular file");
  }
  const std::string dest = TargetBinary(rel);
  if (::lstat(dest.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      return base::Status::InvalidArgument("cannot install binary: " + dest + " is a directory");
    }
    if (!force) return base::Status::AlreadyExists("binary already installed at " + dest);
  }
  const std::string bin_dir = ParentDir(dest);
  RETURN_IF_ERROR(MakeDirs(bin_dir));

  UniqueFd in(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return ErrnoStatus(errno, "cannot open source binary", src);
  const std::string tmp = bin_dir + "/." + daemon_name_ + ".tmp-" + std::to_string(::getpid());
  ::unlink(tmp.c_str());  // a leftover from a crashed run with the same pid
  UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700));
  if (!out.valid()) return ErrnoStatus(errno, "cannot create", tmp);
  auto fail = [&](base::Status s) {
    out.Reset();
    ::unlink(tmp.c_str());
    return s;
  };
  base::Result<uint64_t> copied = CopyFileData(in.get(), out.get(), src);
  if (!copied.ok()) return fail(copied.status());
  if (::fchmod(out.get(), 0755) != 0) return fail(ErrnoStatus(errno, "cannot chmod", tmp));
  if (::fsync(out.get()) != 0) return fail(ErrnoStatus(errno, "cannot fsync", tmp));
  if (::close(out.Release()) != 0) return fail(ErrnoStatus(errno, "cannot close", tmp));
  if (::rename(tmp.c_str(), dest.c_str()) != 0) {
    return fail(ErrnoStatus(errno, "cannot rename " + tmp + " onto", dest));
  }
  return FsyncDir(bin_dir);
}

}  // namespace replayer
