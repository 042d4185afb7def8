#include "binary-registry/install.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "binary-registry/beneath.h"
#include "binary-registry/verify.h"

namespace registry {
namespace {

namespace fs = std::filesystem;

std::string StagingPrefix(const std::string& dir_name) {
  return ".replayer-staging-" + dir_name + "-";
}

base::Status SyncPath(const std::string& path, bool dir) {
  int fd = ::open(path.c_str(), (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return base::Status::IoError("open " + path + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return base::Status::IoError("fsync " + path + ": " + std::strerror(errno));
  return base::Status::Ok();
}

base::Status SyncTree(const std::string& root) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_symlink(ec)) continue;
    if (it->is_regular_file(ec)) RETURN_IF_ERROR(SyncPath(it->path().string(), false));
    if (it->is_directory(ec)) RETURN_IF_ERROR(SyncPath(it->path().string(), true));
  }
  if (ec) return base::Status::IoError("walk " + root + ": " + ec.message());
  return SyncPath(root, true);
}

// A regular file at upgrades/<dir>/bin/<daemon>, reached without a symlink.
bool HasInstalledBinary(const InstallRequest& r) {
  struct stat st {};
  return OpenRegularBeneath(r.upgrades_dir, r.dir_name + "/bin/" + r.daemon, &st, O_PATH).ok();
}

}  // namespace

void CleanStaging(const std::string& upgrades_dir, const std::string& dir_name) {
  std::error_code ec;
  std::string prefix = StagingPrefix(dir_name);
  for (const auto& e : fs::directory_iterator(upgrades_dir, ec)) {
    std::string n = e.path().filename().string();
    if (n.rfind(prefix, 0) == 0) {
      spdlog::info("removing leftover staging folder {}", e.path().string());
      fs::remove_all(e.path(), ec);
    }
  }
}

base::Result<std::string> CheckUnpacked(const std::string& binary, const std::string& lib_dir,
                                        const InstallRequest& request) {
  RETURN_IF_ERROR(CheckExecutableFormat(binary, request.platform));
  if (!request.expected_version && !request.probe_version) return std::string();
  ProbeOptions probe;
  probe.timeout = request.probe_timeout;
  std::error_code ec;
  if (fs::is_directory(lib_dir, ec)) probe.library_dir = lib_dir;
  ASSIGN_OR_RETURN(std::string output, ProbeVersion(binary, probe));
  if (request.expected_version) RETURN_IF_ERROR(CheckVersionOutput(output, *request.expected_version));
  return output;
}

base::Result<InstallResult> InstallArtifact(const InstallRequest& request) {
  std::error_code ec;
  fs::create_directories(request.upgrades_dir, ec);
  if (ec) return base::Status::IoError("create " + request.upgrades_dir + ": " + ec.message());
  CleanStaging(request.upgrades_dir, request.dir_name);
  InstallResult result;
  result.dir = request.upgrades_dir + "/" + request.dir_name;
  result.binary = result.dir + "/bin/" + request.daemon;
  std::string staging =
      request.upgrades_dir + "/" + StagingPrefix(request.dir_name) + std::to_string(::getpid());
  fs::create_directory(staging, ec);
  if (ec) return base::Status::IoError("create " + staging + ": " + ec.message());
  auto fail = [&](const base::Status& st) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    return st.WithContext("install " + request.dir_name);
  };
  auto unpacked = UnpackArtifact(request.artifact, staging, request.daemon, request.unpack);
  if (!unpacked.ok()) return fail(unpacked.status());
  result.libraries = unpacked->libraries;
  result.format = unpacked->format;
  auto checked = CheckUnpacked(unpacked->binary, staging + "/lib", request);
  if (!checked.ok()) return fail(checked.status());
  result.version_output = *checked;
  base::Status synced = SyncTree(staging);
  if (!synced.ok()) return fail(synced);

  if (fs::exists(result.dir, ec) || fs::is_symlink(result.dir, ec)) {
    if (HasInstalledBinary(request)) {
      spdlog::info("{} appeared while installing; keeping it", result.binary);
      fs::remove_all(staging, ec);
      result.already_present = true;
      return result;
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    std::string aside =
        request.upgrades_dir + "/.replayer-stale-" + request.dir_name + "-" + std::to_string(ms);
    spdlog::warn("{} exists without bin/{}; moving it aside to {}", result.dir, request.daemon,
                 aside);
    if (::rename(result.dir.c_str(), aside.c_str()) != 0) {
      return fail(base::Status::IoError("move aside " + result.dir + ": " + std::strerror(errno)));
    }
  }
  if (::rename(staging.c_str(), result.dir.c_str()) != 0) {
    return fail(base::Status::IoError("rename " + staging + " to " + result.dir + ": " +
                                      std::strerror(errno)));
  }
  RETURN_IF_ERROR(SyncPath(request.upgrades_dir, true));
  result.binary = result.dir + "/bin/" + request.daemon;
  return result;
}

}  // namespace registry
