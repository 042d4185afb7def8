// registry::Install: puts a verified artefact into Cosmovisor's layout, atomically.
//
// The artefact is unpacked into a staging folder beside the target
// (`upgrades/.replayer-staging-<dir>-<pid>`, same filesystem), its executable is checked (ELF for
// this platform or a script, optional version probe), every file is fsynced, and only then is the
// staging folder renamed to `upgrades/<dir>`. A crash therefore leaves either no `upgrades/<dir>`
// or a complete, verified one; staging leftovers are deleted by the next install. A leftover
// `upgrades/<dir>` without `bin/<daemon>` (Cosmovisor's half-download, a `nobin` folder) does not
// block: it is moved aside to `upgrades/.replayer-stale-<dir>-<ms>` when the new one is ready. On
// any error nothing outside the staging folder has changed.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "binary-registry/unpack.h"

namespace registry {

struct InstallRequest {
  std::string upgrades_dir;  // <DAEMON_HOME>/cosmovisor/upgrades
  std::string dir_name;      // folder name under upgrades/ (plans::UpgradeDirName)
  std::string daemon;        // DAEMON_NAME
  std::string artifact;      // verified artefact (raw or archive)
  std::string platform;      // "linux/amd64" or "any"
  UnpackOptions unpack;
  std::optional<std::string> expected_version;  // probe and compare when set
  bool probe_version = false;                   // probe and record even without expectation
  std::chrono::milliseconds probe_timeout{10000};
};

struct InstallResult {
  std::string dir;     // upgrades/<dir>
  std::string binary;  // upgrades/<dir>/bin/<daemon>
  std::vector<std::string> libraries;
  std::string format;
  std::string version_output;  // empty unless probed
  bool already_present = false;  // another installer finished first; nothing was replaced
};

base::Result<InstallResult> InstallArtifact(const InstallRequest& request);

// Checks an unpacked tree (staging or final) and probes its version; used by install and add.
base::Result<std::string> CheckUnpacked(const std::string& binary, const std::string& lib_dir,
                                        const InstallRequest& request);

// Removes `upgrades/.replayer-staging-<dir>-*` left by crashed installs.
void CleanStaging(const std::string& upgrades_dir, const std::string& dir_name);

}  // namespace registry
