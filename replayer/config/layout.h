// replayer::Layout: the Cosmovisor folder layout under $DAEMON_HOME, and the only code that
// reads or moves the `current` symlink and installs binaries into it.
//
//   $home/cosmovisor/genesis/bin/<daemon>          the first binary
//   $home/cosmovisor/upgrades/<dir>/bin/<daemon>   one per upgrade (<dir> from UpgradeDirName)
//   $home/cosmovisor/upgrades/<dir>/upgrade-info.json   the plan that activated <dir>
//   $home/cosmovisor/current -> genesis | upgrades/<dir>   (relative, as Cosmovisor >= 1.7)
//   $home/cosmovisor/.replayer/                    Replayer's own state (journal)
//   $home/data/upgrade-info.json                   written by the node at the upgrade height
//
// A "target" is a directory named relative to cosmovisor/ ("genesis", "upgrades/<dir>"), which
// is exactly what `current` stores. Contract: every change on disk made here is atomic and
// durable (temp + fsync + rename + fsync dir), so a crash leaves either the old or the new state,
// and `current` never disappears; unlike Cosmovisor, nothing here silently re-creates `current`
// pointing at genesis. Layout is a value (two strings), holds no file descriptors and is safe to
// copy and to share between threads; concurrent SwitchCurrent calls are not coordinated.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "replayer/config/file_util.h"  // WriteFileAtomic, ReadFile, FsyncDir live there
#include "upgrade-plans/upgrade_info.h"

namespace replayer {

class Layout {
 public:
  Layout(std::string home, std::string daemon_name);

  const std::string& home() const { return home_; }
  const std::string& daemon_name() const { return daemon_name_; }

  std::string CosmovisorDir() const;                        // $home/cosmovisor
  std::string GenesisDir() const;                           // $home/cosmovisor/genesis
  std::string UpgradesDir() const;                          // $home/cosmovisor/upgrades
  std::string UpgradeDir(std::string_view dir_name) const;  // upgrades/<dir_name>
  std::string CurrentLink() const;                          // $home/cosmovisor/current
  std::string DataDir() const;                              // $home/data
  std::string UpgradeInfoFile() const;                      // $home/data/upgrade-info.json
  std::string StateDir() const;                             // $home/cosmovisor/.replayer

  static constexpr std::string_view kGenesisTarget = "genesis";
  // "genesis" or "upgrades/<dir>" (relative to CosmovisorDir) -> absolute dir, and its binary.
  std::string TargetDir(std::string_view rel_target) const;
  std::string TargetBinary(std::string_view rel_target) const;  // <dir>/bin/<daemon_name>
  static std::string UpgradeTarget(std::string_view dir_name);  // "upgrades/<dir>"

  // What `current` points to, as a relative target ("genesis", "upgrades/x"). Accepts old
  // absolute links (Cosmovisor < 1.7) by mapping them back to the relative form if they point
  // inside CosmovisorDir (also when $home was reached through another symlinked path).
  // NotFound if `current` is missing; InvalidArgument (naming the path) if it is not a symlink
  // or points outside. The target itself need not exist.
  base::Result<std::string> ReadCurrent() const;

  // Points `current` at rel_target atomically: create a relative symlink `current.tmp-<pid>`
  // then rename(2) over `current`, then fsync the directory. Never a moment without `current`.
  // Requires rel_target to be relative, inside CosmovisorDir (no escaping ".."), and to name an
  // existing directory (NotFound otherwise; `current` is then left as it was). Leftover
  // `current.tmp-*` links from crashed runs are removed.
  base::Status SwitchCurrent(std::string_view rel_target) const;

  // The upgrade-info.json copy stored in a target dir (Cosmovisor writes it at switch time);
  // nullopt when absent. A present but unparsable copy is Corruption naming the file.
  base::Result<std::optional<plans::UpgradeInfo>> ReadTargetUpgradeInfo(
      std::string_view rel_target) const;
  base::Status WriteTargetUpgradeInfo(std::string_view rel_target,
                                      const plans::UpgradeInfo& info) const;

  // Clear errors naming the path: missing (NotFound), not a regular file (InvalidArgument),
  // not executable: no x bit at all, or none we may use (FailedPrecondition). Follows symlinks.
  static base::Status CheckExecutable(const std::string& path);

  // The binary Replayer runs for a target: <target>/bin/<daemon> must be a regular file reached
  // from cosmovisor/ without any symlink (the file itself included), and
  // executable as CheckExecutable says. Returns its path. Used before every launch, pre-upgrade
  // and version probe, so a link planted by an archive or by hand is never run.
  base::Result<std::string> CheckTargetBinary(std::string_view rel_target) const;

  // Copies `src` to <target dir>/bin/<daemon_name> with mode 0755 via a temp file + fsync +
  // rename (creating the directories). AlreadyExists (naming the path) if present and !force.
  // Source missing -> NotFound naming it; source not a regular file -> InvalidArgument.
  base::Status InstallBinary(const std::string& src, std::string_view rel_target, bool force) const;

 private:
  // Lexically validated, normalised form of a relative target, or InvalidArgument.
  base::Result<std::string> NormaliseTarget(std::string_view rel_target) const;

  std::string home_;
  std::string daemon_name_;
};

}  // namespace replayer
