// PrepareSync: every binary of a schedule checked in place or fetched, verified and staged, then
// installed all-or-nothing (declared in sync.h beside the policy that replays the schedule).
#include "replayer/sync/sync.h"

#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <cerrno>

#include <algorithm>
#include <atomic>
#include <map>
#include <filesystem>
#include <thread>

#include "binary-registry/hashing.h"
#include "binary-registry/install.h"
#include "binary-registry/store.h"
#include "replayer/chain/chain_query.h"
#include "replayer/config/file_util.h"

namespace replayer {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t b = s.find_first_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b);
}

// `<binary> version` must print the expected version (first line, trimmed).
base::Status CheckVersion(ProcessLauncher& launcher, const std::string& binary,
                          const std::string& expected) {
  if (expected.empty()) return {};
  SpawnOptions opts;
  opts.path = binary;
  opts.args = {"version"};
  ASSIGN_OR_RETURN(auto run, RunCaptured(launcher, opts, std::chrono::seconds(10)));
  std::string first = Trim(run.out.substr(0, run.out.find('\n')));
  if (run.exit.exit_code != 0 || first != expected) {
    return base::Status::FailedPrecondition(binary + " version printed \"" + first +
                                            "\" (" + run.exit.Describe() + "), expected \"" +
                                            expected + "\"");
  }
  return {};
}

constexpr size_t kInPlaceCheckThreads = 4;

// Beside each binary sync installs: the checksum of the artefact it came from (for archives the
// installed file's own hash differs from the schedule's checksum).
constexpr const char* kArtifactMarker = ".replayer-artifact";

// A binary already in place must be the schedule's: its own hash, or the artefact recorded
// beside it when sync installed it, must equal the checksum the schedule declares.
base::Status CheckInPlaceChecksum(const std::string& bin, const std::string& dir,
                                  const plans::BinarySpec& spec) {
  if (!spec.checksum) return {};
  auto own = registry::HashFileHex(bin, spec.checksum->algo);
  if (!own.ok()) return own.status();
  if (*own == spec.checksum->hex) return {};
  if (auto marker = ReadFile(dir + "/" + kArtifactMarker); marker.ok()) {
    size_t at = 0;
    while (at < marker->size()) {  // one checksum per line
      size_t nl = marker->find('\n', at);
      if (nl == std::string::npos) nl = marker->size();
      auto recorded = plans::ParseChecksum(std::string_view(*marker).substr(at, nl - at));
      if (recorded.ok() && *recorded == *spec.checksum) return {};
      at = nl + 1;
    }
  }
  return base::Status::FailedPrecondition(
      bin + " is already in place but does not match the schedule's " +
      plans::FormatChecksum(*spec.checksum) + " (its own " +
      std::string(plans::HashAlgoName(spec.checksum->algo)) + " is " + own->substr(0, 16) +
      "...); remove " + dir + " to have sync fetch the scheduled binary, or fix the schedule");
}

}  // namespace

namespace {

// The chain's applied height of every governance segment the sync will reach, against the
// schedule's first height (`sync --rest`).
void CheckAppliedHeights(const plans::Schedule& schedule, const PrepareOptions& options,
                         const registry::RegistrySettings& settings, PrepareReport& report) {
  for (size_t i = 0; i < schedule.segments.size(); ++i) {
    const auto& seg = schedule.segments[i];
    if (seg.kind != plans::SwitchKind::kGovernancePlan) continue;
    if (options.until && seg.first_height > *options.until) continue;  // not reached
    auto applied = QueryAppliedPlanHeight(options.rest_url, seg.name, settings.download);
    std::string label = plans::SegmentLabel(schedule, i);
    if (!applied.ok()) {
      report.problems.push_back(label + ": " + applied.status().message());
    } else if (*applied == 0) {
      report.problems.push_back(label + ": the chain at " + options.rest_url +
                                " never applied plan \"" + seg.name + "\" (schedule says height " +
                                std::to_string(seg.first_height) + ")");
    } else if (*applied != seg.first_height) {
      report.problems.push_back(label + ": schedule says height " +
                                std::to_string(seg.first_height) + ", the chain at " +
                                options.rest_url + " applied \"" + seg.name + "\" at height " +
                                std::to_string(*applied));
    } else {
      report.lines.push_back(label + ": applied on chain at height " +
                             std::to_string(*applied) + ", as scheduled");
    }
  }
}

// Moves a staged, verified binary folder to its place in the layout. A folder already there
// (only possible without an executable: a Cosmovisor `nobin` or half download) is moved into
// the staging root first, which is deleted afterwards.
base::Status MoveIntoPlace(const std::string& staged, const std::string& target,
                           const std::string& staging_root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(target, ec)) {
    std::string aside = staging_root + "/.replaced-" + fs::path(target).filename().string();
    fs::rename(target, aside, ec);
    if (ec) return ErrnoStatus(ec.value(), "cannot move aside", target);
  }
  RETURN_IF_ERROR(MakeDirs(fs::path(target).parent_path().string()));
  fs::rename(staged, target, ec);
  if (ec) return ErrnoStatus(ec.value(), "cannot move " + staged + " to", target);
  return FsyncDir(fs::path(target).parent_path().string());
}

// Each sync stages into a folder of its own, `cosmovisor/.replayer-sync-staging-XXXXXX`.
constexpr const char* kStagingPrefix = ".replayer-sync-staging";

base::Result<std::string> MakeStagingRoot(const Layout& layout) {
  std::string tmpl = layout.CosmovisorDir() + "/" + kStagingPrefix + "-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return ErrnoStatus(errno, "cannot create a staging folder", tmpl);
  }
  return tmpl;
}

// Staging folders of syncs that crashed. Only called with the home's lock held, so no other
// sync can be using one.
void RemoveStaleStaging(const Layout& layout) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> stale;
  for (const auto& e : fs::directory_iterator(layout.CosmovisorDir(), ec)) {
    if (e.path().filename().string().rfind(kStagingPrefix, 0) == 0) stale.push_back(e.path());
  }
  for (const auto& p : stale) fs::remove_all(p, ec);
}

}  // namespace

namespace {

// What PrepareSync's steps share: the schedule, where its binaries go, for which platform.
struct PrepareContext {
  const plans::Schedule& schedule;
  const Config& config;
  const Layout& layout;
  const registry::RegistrySettings& settings;
  std::string platform;

  std::string Target(size_t i) const { return SegmentTarget(schedule, i, config.disable_recase); }
  std::string Label(size_t i) const { return plans::SegmentLabel(schedule, i); }
};

// The segments whose binary is in place, each checked against the schedule (hash, then
// `version`) on a few threads at once: each `version` is a process start, 50-80 ms for a real
// node binary. Segment index -> what the check found.
std::map<size_t, base::Status> CheckBinariesInPlace(const PrepareContext& c) {
  std::vector<size_t> in_place;
  for (size_t i = 0; i < c.schedule.segments.size(); ++i) {
    if (c.layout.CheckTargetBinary(c.Target(i)).ok()) in_place.push_back(i);
  }
  std::vector<base::Status> status(in_place.size());
  PosixProcessLauncher launcher;
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t n; (n = next++) < in_place.size();) {
      size_t i = in_place[n];
      const auto& seg = c.schedule.segments[i];
      std::string target = c.Target(i);
      std::string bin = c.layout.TargetBinary(target);
      auto spec = plans::SelectBinary(seg.name, seg.binaries, c.platform);
      base::Status st =
          spec.ok() ? CheckInPlaceChecksum(bin, c.layout.TargetDir(target), *spec) : base::Status();
      if (st.ok()) st = CheckVersion(launcher, bin, seg.version);
      status[n] = st;
    }
  };
  std::vector<std::thread> threads;
  for (size_t t = 0; t < std::min<size_t>(in_place.size(), kInPlaceCheckThreads); ++t) {
    threads.emplace_back(worker);
  }
  for (auto& t : threads) t.join();
  std::map<size_t, base::Status> out;
  for (size_t n = 0; n < in_place.size(); ++n) out.emplace(in_place[n], status[n]);
  return out;
}

// The binaries to fetch: one item per segment whose binary is missing, with its segment.
struct ToFetch {
  std::vector<registry::PrefetchItem> items;
  std::vector<size_t> segment;
};

// Reports every segment in place (or what is wrong with it) and lists the rest to fetch; a
// segment that names no binary for this platform is a problem.
ToFetch ListMissing(const PrepareContext& c, const std::map<size_t, base::Status>& in_place,
                    PrepareReport& report) {
  ToFetch out;
  for (size_t i = 0; i < c.schedule.segments.size(); ++i) {
    const auto& seg = c.schedule.segments[i];
    std::string bin = c.layout.TargetBinary(c.Target(i));
    if (auto found = in_place.find(i); found != in_place.end()) {
      if (!found->second.ok()) {
        report.problems.push_back(c.Label(i) + ": " + found->second.message());
      } else {
        report.lines.push_back(c.Label(i) + ": " + bin + " already in place");
      }
      continue;
    }
    if (seg.binaries.empty()) {
      report.problems.push_back(c.Label(i) + ": no binary at " + bin +
                                " and the schedule lists none to fetch");
      continue;
    }
    auto spec = plans::SelectBinary(seg.name, seg.binaries, c.platform);
    if (!spec.ok()) {
      report.problems.push_back(c.Label(i) + ": " + spec.status().message());
      continue;
    }
    out.items.push_back({seg.name, plans::FormatPlanInfo(seg.binaries)});
    out.segment.push_back(i);
  }
  return out;
}

// A verified binary folder in the staging root and where it goes in the layout.
struct Staged {
  std::string dir;     // staging_root/<segment>
  std::string target;  // final folder in the layout
};

// Unpacks and probes one fetched artefact into staging_root/<segment>.
base::Result<registry::InstallResult> StageOne(const PrepareContext& c, size_t i,
                                               const state::RegistryEntry& fetched,
                                               registry::Store& store,
                                               const std::string& staging_root) {
  const auto& seg = c.schedule.segments[i];
  registry::InstallRequest req;
  req.upgrades_dir = staging_root;
  req.dir_name = std::to_string(i);
  req.daemon = c.config.name;
  req.artifact = store.ArtifactPath(fetched.sha256);
  req.platform = fetched.platform;
  req.unpack = c.settings.unpack;
  if (!seg.version.empty()) req.expected_version = seg.version;
  req.probe_timeout = c.settings.probe_timeout;
  return registry::InstallArtifact(req);
}

// Beside a staged binary: the artefact it came from, and the schedule's checksum of it.
base::Status WriteArtifactMarker(const PrepareContext& c, size_t i, const std::string& sha256,
                                 const std::string& dir) {
  const auto& seg = c.schedule.segments[i];
  std::string marker = "sha256:" + sha256 + "\n";
  if (auto spec = plans::SelectBinary(seg.name, seg.binaries, c.platform);
      spec.ok() && spec->checksum) {
    marker += plans::FormatChecksum(*spec->checksum) + "\n";
  }
  return WriteFileAtomic(dir + "/" + kArtifactMarker, marker);
}

// Fetches and verifies everything missing, in parallel, into the store, and stages each into
// the staging root. A segment that fails is a problem in the report; an error returned (the
// store cannot be opened, a marker cannot be written) ends the prepare.
base::Result<std::vector<Staged>> FetchAndStage(const PrepareContext& c, const ToFetch& missing,
                                                const std::string& staging_root,
                                                PrepareReport& report) {
  spdlog::info("fetching {} binaries in parallel", missing.items.size());
  auto fetched = registry::Prefetch(missing.items, c.settings);
  ASSIGN_OR_RETURN(auto store, registry::Store::Open(c.settings.store_root, c.settings.lock_wait));
  std::vector<Staged> staged;
  for (size_t k = 0; k < fetched.size(); ++k) {
    size_t i = missing.segment[k];
    if (!fetched[k].ok()) {
      report.problems.push_back(c.Label(i) + ": " + fetched[k].status().message());
      continue;
    }
    auto installed = StageOne(c, i, *fetched[k], *store, staging_root);
    if (!installed.ok()) {
      report.problems.push_back(c.Label(i) + ": " + installed.status().message());
      continue;
    }
    RETURN_IF_ERROR(WriteArtifactMarker(c, i, fetched[k]->sha256, installed->dir));
    staged.push_back({installed->dir, c.layout.TargetDir(c.Target(i))});
    report.lines.push_back(c.Label(i) + ": installed " + c.layout.TargetBinary(c.Target(i)) +
                           " (sha256 " + fetched[k]->sha256.substr(0, 12) + ")");
  }
  return staged;
}

base::Status InstallStaged(const std::vector<Staged>& staged, const std::string& staging_root) {
  for (const auto& s : staged) RETURN_IF_ERROR(MoveIntoPlace(s.dir, s.target, staging_root));
  return {};
}

}  // namespace

base::Result<PrepareReport> PrepareSync(const plans::Schedule& schedule, const Config& config,
                                        const Layout& layout,
                                        const registry::RegistrySettings& settings,
                                        const PrepareOptions& options) {
  PrepareContext c{schedule, config, layout, settings,
                   settings.platform.empty() ? std::string(plans::HostPlatform())
                                             : settings.platform};
  PrepareReport report;
  // 0. With --rest: the governance heights against the chain's applied plans.
  if (!options.rest_url.empty()) CheckAppliedHeights(schedule, options, settings, report);
  // 1. What is already in place, and what must be fetched.
  ToFetch missing = ListMissing(c, CheckBinariesInPlace(c), report);
  // 2. Fetch, verify and stage everything missing; only when every segment passed is anything
  //    moved into the layout (3).
  RemoveStaleStaging(layout);  // leftovers of a crashed sync (the caller holds the home's lock)
  std::string staging_root;    // this run's own, made when there is something to stage
  auto remove_staging = [&] {
    std::error_code ec;
    if (!staging_root.empty()) std::filesystem::remove_all(staging_root, ec);
  };
  std::vector<Staged> staged;
  if (!missing.items.empty()) {
    ASSIGN_OR_RETURN(staging_root, MakeStagingRoot(layout));
    auto fetched = FetchAndStage(c, missing, staging_root, report);
    if (!fetched.ok()) {
      remove_staging();
      return fetched.status();
    }
    staged = std::move(*fetched);
  }
  if (!report.problems.empty()) {
    remove_staging();
    std::string msg = "the schedule cannot be replayed; nothing was started or installed:";
    for (const auto& p : report.problems) msg += "\n  " + p;
    return base::Status::FailedPrecondition(msg);
  }
  base::Status installed = InstallStaged(staged, staging_root);
  remove_staging();
  if (!installed.ok()) return installed;
  return report;
}

}  // namespace replayer
