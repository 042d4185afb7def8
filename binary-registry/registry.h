// registry: the entry points the CLI and the supervisor call (one function per command).
//
// Options are plain structs filled by the application (flags, environment, config.toml); this
// library never reads argv or the environment. EnsureUpgradeBinary is the supervisor's call at a
// switch: it resolves the plan's binary (plan info, a URL to plan info, or a binary added to the
// registry under the plan's name), reuses the store when the checksum is already there, otherwise
// downloads (resuming, retrying), verifies (checksum, optional minisign signature, ELF/script,
// optional version), stores and installs `cosmovisor/upgrades/<dir>/bin/<daemon>` atomically.
// On error it returns a message naming exactly what failed (URL, HTTP status, expected and actual
// checksum) and has changed nothing under upgrades/ and nothing of `current` or the data.
// Add/List/Verify/Gc/StartMirror back the `replayer registry` commands. Each call opens the store
// (a LevelDB lock: one process at a time, waiting a few seconds for a holder) and closes it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "binary-registry/downloader.h"
#include "binary-registry/mirror_server.h"
#include "binary-registry/progress.h"
#include "binary-registry/store.h"
#include "binary-registry/unpack.h"
#include "state/registry_index.h"

namespace registry {

// `$DAEMON_HOME/cosmovisor/registry`
std::string DefaultStoreRoot(const std::string& daemon_home);

struct RegistrySettings {
  std::string store_root;         // required; see DefaultStoreRoot
  bool must_have_checksum = true;  // DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM (Replayer default: true)
  // Trusted minisign public keys: the content of a `.pub` file or its base64 line. When any are
  // set, `<artefact URL>.minisig` is fetched and must verify if it exists.
  std::vector<std::string> trusted_keys;
  bool require_signature = false;  // with trusted keys: a missing .minisig is an error
  std::string platform;            // empty = plans::HostPlatform()
  DownloadOptions download;        // timeouts, retries, CA bundle (download.ca_bundle), limits
  UnpackOptions unpack;
  bool probe_version = false;      // run `<binary> version` and record it even when not expected
  std::chrono::milliseconds probe_timeout{10000};
  std::chrono::milliseconds lock_wait{5000};
};

struct EnsureRequest {
  std::string daemon_home;  // DAEMON_HOME
  std::string daemon_name;  // DAEMON_NAME
  std::string upgrade_dir;  // folder under cosmovisor/upgrades/ (plans::UpgradeDirName)
  std::string plan_name;    // as the chain spells it
  std::string plan_info;    // the plan's opaque info
  std::optional<std::string> expected_version;
};

struct EnsureResult {
  std::string binary;  // <home>/cosmovisor/upgrades/<dir>/bin/<daemon>
  std::string sha256;  // of the artefact; empty when already_present
  std::string source;  // URL or "registry:<name>"
  bool already_present = false;  // the binary was there; nothing was done
  bool downloaded = false;       // false when served from the store
  state::SignatureStatus signature = state::SignatureStatus::kNone;
  std::string signer_key_id;
  std::string version_output;
};

base::Result<EnsureResult> EnsureUpgradeBinary(const EnsureRequest& request,
                                               const RegistrySettings& settings,
                                               ProgressSink* progress = nullptr);

// `replayer registry add <file|url> [--name N] [--checksum C] [--platform P]`
struct AddOptions {
  std::string source;    // a path, file:// URL or http(s) URL (may carry ?checksum=)
  std::string name;      // bind this name (e.g. an upgrade plan name); optional
  std::string checksum;  // "sha256:<hex>", bare hex...; optional for local files
  std::string platform;  // override; default: detected from the executable
  std::string daemon_name;  // the executable to look for inside archives; empty = accept any
                            // artefact without unpacking checks
};
base::Result<state::RegistryEntry> Add(const AddOptions& options, const RegistrySettings& settings,
                                       ProgressSink* progress = nullptr);

// `replayer registry list [--json]`
struct ListedBinary {
  state::RegistryEntry entry;
  std::vector<std::string> names;  // "v7-theta (linux/amd64)"
};
base::Result<std::vector<ListedBinary>> List(const RegistrySettings& settings);
std::string ListToJson(const std::vector<ListedBinary>& list);  // one JSON array
std::string ListToText(const std::vector<ListedBinary>& list);  // one line per artefact

// `replayer registry verify`: re-hash everything; damaged entries are in the report (the call
// itself succeeds; the CLI exits non-zero when report.damaged is not empty).
base::Result<StoreVerifyReport> Verify(const RegistrySettings& settings);

// `replayer registry gc`
base::Result<GcReport> Gc(const GcOptions& options, const RegistrySettings& settings);

// `replayer registry serve --listen 127.0.0.1:PORT`: starts the mirror on its own thread and
// returns it; the CLI waits for a signal, then calls Stop(). The server reads the index per
// request (opening the store briefly), so other commands can run meanwhile.
base::Result<std::unique_ptr<MirrorServer>> StartMirror(const MirrorOptions& options,
                                                        const RegistrySettings& settings);

// Downloads the binaries of many plans into the store in parallel (curl multi), without
// installing them. One result per item, in order.
struct PrefetchItem {
  std::string plan_name;
  std::string plan_info;
};
std::vector<base::Result<state::RegistryEntry>> Prefetch(const std::vector<PrefetchItem>& items,
                                                         const RegistrySettings& settings,
                                                         ProgressSink* progress = nullptr);

}  // namespace registry
