#include "binary-registry/registry.h"

#include <sys/stat.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/clock.h"
#include "binary-registry/beneath.h"
#include "binary-registry/hashing.h"
#include "binary-registry/install.h"
#include "binary-registry/minisign.h"
#include "binary-registry/verify.h"
#include "upgrade-plans/plan_info.h"

namespace registry {
namespace {

namespace fs = std::filesystem;

std::string Platform(const RegistrySettings& s) {
  return s.platform.empty() ? std::string(plans::HostPlatform()) : s.platform;
}

std::string WithoutQuery(const std::string& url) { return url.substr(0, url.find_first_of("?#")); }

std::string FileNameOf(const std::string& url) {
  std::string path = WithoutQuery(url);
  std::string name = path.substr(path.find_last_of('/') + 1);
  return name.empty() ? "artifact" : name;
}

// A stable temp name per source, so an interrupted download is resumed by the next attempt.
std::string TmpNameFor(const std::string& url) {
  Hasher h(plans::HashAlgo::kSha256);
  h.Update(url.data(), url.size());
  auto hex = h.FinishHex();
  return "dl-" + (hex.ok() ? hex->substr(0, 24) : std::string("unknown"));
}

std::string ChecksumText(const std::optional<plans::Checksum>& c) {
  return c ? plans::FormatChecksum(*c) : std::string("no checksum");
}

base::Result<std::vector<MinisignKey>> TrustedKeys(const RegistrySettings& s) {
  std::vector<MinisignKey> keys;
  for (size_t i = 0; i < s.trusted_keys.size(); ++i) {
    auto k = ParseMinisignPublicKey(s.trusted_keys[i]);
    if (!k.ok()) return k.status().WithContext("trusted key #" + std::to_string(i + 1));
    keys.push_back(*k);
  }
  if (s.require_signature && keys.empty()) {
    return base::Status::InvalidArgument("signatures are required but no trusted keys are set");
  }
  return keys;
}

struct SignatureCheck {
  state::SignatureStatus status = state::SignatureStatus::kNone;
  std::string key_id;
};

// Fetches `<source>.minisig` and verifies `artifact` with it.
base::Result<SignatureCheck> CheckSignature(const std::string& artifact, const std::string& source,
                                            const RegistrySettings& s) {
  ASSIGN_OR_RETURN(auto keys, TrustedKeys(s));
  SignatureCheck out;
  if (keys.empty()) return out;
  std::string sig_url = WithoutQuery(source) + ".minisig";
  DownloadOptions o = s.download;
  o.allow_http_without_checksum = true;  // the signature protects itself
  o.max_attempts = std::min(o.max_attempts, 3);
  Downloader dl(o);
  auto text = dl.FetchText(sig_url, std::nullopt, 64 * 1024);
  if (!text.ok()) {
    if (text.status().Is(base::Status::Code::kNotFound) && !s.require_signature) {
      spdlog::warn("no signature at {}; continuing without (signatures are not required)",
                   sig_url);
      return out;
    }
    return text.status().WithContext("signature " + sig_url);
  }
  auto key = VerifyMinisignFile(artifact, *text, keys);
  if (!key.ok()) return key.status().WithContext("signature " + sig_url);
  out.status = state::SignatureStatus::kVerified;
  out.key_id = *key;
  return out;
}

// An artefact on its way into the store: downloaded into the store's tmp/ and its signature
// checked. Keep() moves it into the store; Discard() removes the file. EnsureUpgradeBinary, Add
// and Prefetch each fetch differently (one transfer, one local or remote source, many at once),
// then all pass through these.
struct Arrival {
  DownloadRequest request;  // request.dest: the file in tmp/
  DownloadResult fetched;
  SignatureCheck signature;
};

// Where `source` downloads to in the store: a stable name per source, so an interrupted
// download is resumed by the next attempt.
DownloadRequest StoreDownload(Store& store, const std::string& source,
                              const std::optional<plans::Checksum>& declared) {
  return DownloadRequest{source, declared, store.TmpDir() + "/" + TmpNameFor(source)};
}

base::Status Discard(const Arrival& a, const base::Status& why) {
  std::error_code ec;
  std::filesystem::remove(a.request.dest, ec);
  return why;
}

// Checks the signature of a finished download; the file is removed when that fails.
base::Result<Arrival> Arrive(const DownloadRequest& request, const DownloadResult& fetched,
                             const RegistrySettings& s) {
  Arrival a{request, fetched, {}};
  auto sig = CheckSignature(request.dest, request.url, s);
  if (!sig.ok()) return Discard(a, sig.status());
  a.signature = *sig;
  return a;
}

// Moves the artefact into the store, bound to `name` (when not empty) for `platform`.
base::Result<state::RegistryEntry> Keep(Store& store, const Arrival& a, const std::string& name,
                                        const std::string& platform,
                                        const std::string& version_output) {
  IngestInfo info;
  info.source = a.request.url;
  info.artifact_name = FileNameOf(a.request.url);
  info.declared = a.request.expected;
  info.platform = platform;
  info.name = name;
  info.signature = a.signature.status;
  info.signer_key_id = a.signature.key_id;
  info.version_output = version_output;
  return store.Ingest(a.request.dest, a.fetched.sha256, a.fetched.size, info, base::UnixMillis());
}

// The platform of an executable, or `fallback` when it cannot be told (an archive).
std::string PlatformOr(const std::string& path, const std::string& fallback) {
  std::string detected = DetectPlatform(path);
  return detected.empty() ? fallback : detected;
}

// The binary the plan names for this platform; nullopt + reason when it names none.
struct Resolved {
  std::optional<plans::BinarySpec> spec;
  base::Status why_none;
};

base::Result<Resolved> ResolvePlan(const std::string& plan, const std::string& info,
                                   const RegistrySettings& s) {
  Resolved r;
  auto parsed = plans::ParsePlanInfo(plan, info);
  if (!parsed.ok()) {
    r.why_none = parsed.status();
    return r;
  }
  plans::BinaryMap binaries = parsed->binaries;
  if (parsed->kind == plans::PlanInfo::Kind::kUrl) {
    if (!parsed->document_checksum && s.must_have_checksum) {
      return base::Status::FailedPrecondition(
          "plan " + plan + ": plan info URL " + parsed->document_url +
          " carries no checksum and checksums are required (DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM)");
    }
    Downloader dl(s.download);
    ASSIGN_OR_RETURN(std::string doc, dl.FetchText(parsed->document_url, parsed->document_checksum));
    ASSIGN_OR_RETURN(binaries, plans::ParsePlanInfoDocument(plan, doc, parsed->document_url));
  }
  auto spec = plans::SelectBinary(plan, binaries, Platform(s));
  if (!spec.ok()) {
    r.why_none = spec.status();
    return r;
  }
  r.spec = *spec;
  return r;
}

// Looks the plan up in the store: by checksum first, then by a name bound with `registry add`.
base::Result<std::optional<state::RegistryEntry>> FindStored(Store& store, const Resolved& r,
                                                             const std::string& plan,
                                                             const std::string& platform) {
  int64_t now = base::UnixMillis();
  if (r.spec && r.spec->checksum) {
    auto found = store.FindVerified(*r.spec->checksum, now);
    if (found.ok()) return found;
    if (!found.status().Is(base::Status::Code::kCorruption)) return found.status();
    spdlog::error("{}; downloading it again", found.status().message());
    auto sha = store.index().FindByChecksum(plans::FormatChecksum(*r.spec->checksum));
    if (sha.ok() && *sha) {
      std::error_code ec;
      fs::permissions(store.BlobDir(**sha), fs::perms::owner_all, fs::perm_options::add, ec);
      fs::remove_all(store.BlobDir(**sha), ec);
      RETURN_IF_ERROR(store.index().Remove(**sha));
    }
    return std::optional<state::RegistryEntry>();
  }
  return store.FindByName(plan, platform, now);
}

}  // namespace

std::string DefaultStoreRoot(const std::string& daemon_home) {
  return daemon_home + "/cosmovisor/registry";
}

base::Result<EnsureResult> EnsureUpgradeBinary(const EnsureRequest& req,
                                               const RegistrySettings& s, ProgressSink* progress) {
  const std::string plan_ctx = "upgrade " + req.plan_name;
  std::string upgrades = req.daemon_home + "/cosmovisor/upgrades";
  EnsureResult result;
  result.binary = upgrades + "/" + req.upgrade_dir + "/bin/" + req.daemon_name;
  // Only a regular file inside its folder counts as present, and it is chmodded through its fd:
  // a symlink there (planted by an archive or by hand) is refused, never followed.
  auto present = CheckInstalledBinary(upgrades, req.upgrade_dir + "/bin/" + req.daemon_name, true);
  if (present.ok()) {
    result.already_present = true;
    return result;
  }
  if (!present.status().Is(base::Status::Code::kNotFound)) {
    return present.status().WithContext(plan_ctx);
  }
  if (s.store_root.empty()) return base::Status::InvalidArgument("registry store root is not set");
  ASSIGN_OR_RETURN(auto keys, TrustedKeys(s));
  (void)keys;
  ASSIGN_OR_RETURN(Resolved resolved, ResolvePlan(req.plan_name, req.plan_info, s));
  ASSIGN_OR_RETURN(auto store, Store::Open(s.store_root, s.lock_wait));
  const std::string platform = Platform(s);
  ASSIGN_OR_RETURN(auto stored, FindStored(*store, resolved, req.plan_name, platform));

  InstallRequest install;
  install.upgrades_dir = upgrades;
  install.dir_name = req.upgrade_dir;
  install.daemon = req.daemon_name;
  install.platform = platform;
  install.unpack = s.unpack;
  install.expected_version = req.expected_version;
  install.probe_version = s.probe_version;
  install.probe_timeout = s.probe_timeout;

  if (stored) {
    if (s.require_signature && stored->signature != state::SignatureStatus::kVerified) {
      return base::Status::FailedPrecondition(
          plan_ctx + ": stored artefact sha256:" + stored->sha256 +
          " has no verified signature and signatures are required");
    }
    install.artifact = store->ArtifactPath(stored->sha256);
    auto installed = InstallArtifact(install);
    if (!installed.ok()) return installed.status().WithContext(plan_ctx);
    if (!installed->version_output.empty()) stored->version_output = installed->version_output;
    RETURN_IF_ERROR(store->index().PutAndName(*stored, req.plan_name,
                                              stored->platform.empty() ? "any" : stored->platform));
    result.sha256 = stored->sha256;
    result.source = stored->sources.empty() ? "registry" : "registry (from " + stored->sources.front() + ")";
    result.signature = stored->signature;
    result.signer_key_id = stored->signer_key_id;
    result.version_output = installed->version_output;
    spdlog::info("{}: installed {} from the registry store (sha256:{})", plan_ctx, result.binary,
                 result.sha256);
    return result;
  }

  if (!resolved.spec) {
    return base::Status::NotFound(resolved.why_none.message() + "; and the registry has no binary named " +
                                  req.plan_name + " for " + platform +
                                  " (add one with `replayer registry add <file|url> --name " +
                                  req.plan_name + "`)");
  }
  const plans::BinarySpec& spec = *resolved.spec;
  if (!spec.checksum && s.must_have_checksum) {
    return base::Status::FailedPrecondition(
        plan_ctx + ": binary URL " + spec.url +
        " carries no checksum and checksums are required (DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM); "
        "add ?checksum=sha256:<hex> or run `replayer registry add " + spec.url +
        " --checksum <sha256> --name " + req.plan_name + "`");
  }
  if (spec.checksum && spec.checksum->weak()) {
    spdlog::warn("{}: binary {} is protected only by {}, a weak checksum", plan_ctx, spec.url,
                 plans::HashAlgoName(spec.checksum->algo));
  }
  Downloader dl(s.download, progress);
  DownloadRequest request = StoreDownload(*store, spec.url, spec.checksum);
  auto fetched = dl.Fetch(request);
  if (!fetched.ok()) return fetched.status().WithContext(plan_ctx);
  auto arrival = Arrive(request, *fetched, s);
  if (!arrival.ok()) return arrival.status().WithContext(plan_ctx);
  install.artifact = request.dest;
  auto installed = InstallArtifact(install);
  if (!installed.ok()) return Discard(*arrival, installed.status()).WithContext(plan_ctx);
  auto entry = Keep(*store, *arrival, req.plan_name, PlatformOr(installed->binary, spec.platform),
                    installed->version_output);
  if (!entry.ok()) {
    // The binary is installed and verified; only the store copy failed. Say so, do not fail.
    spdlog::warn("{}: installed, but could not keep the artefact in the store: {}", plan_ctx,
                 entry.status().message());
  }
  const SignatureCheck& sig = arrival->signature;
  result.sha256 = fetched->sha256;
  result.source = spec.url;
  result.downloaded = true;
  result.signature = sig.status;
  result.signer_key_id = sig.key_id;
  result.version_output = installed->version_output;
  spdlog::info("{}: installed {} from {} (sha256:{}{})", plan_ctx, result.binary, spec.url,
               result.sha256, fetched->resumed ? ", resumed" : "");
  return result;
}

base::Result<state::RegistryEntry> Add(const AddOptions& o, const RegistrySettings& s,
                                       ProgressSink* progress) {
  if (o.source.empty()) return base::Status::InvalidArgument("registry add: no file or URL given");
  ASSIGN_OR_RETURN(auto split, plans::SplitChecksumFromUrl(o.source));
  std::optional<plans::Checksum> checksum = split.checksum;
  if (!o.checksum.empty()) {
    ASSIGN_OR_RETURN(plans::Checksum given, plans::ParseChecksum(o.checksum));
    if (checksum && !(*checksum == given)) {
      return base::Status::InvalidArgument("registry add: --checksum " + plans::FormatChecksum(given) +
                                           " differs from the URL's " + plans::FormatChecksum(*checksum));
    }
    checksum = given;
  }
  std::string scheme = plans::UrlScheme(split.url);
  bool remote = scheme == "http" || scheme == "https";
  if (!remote && !scheme.empty() && scheme != "file") {
    return base::Status::InvalidArgument("registry add: " + split.url + ": unsupported URL scheme \"" +
                                         scheme + "\" (give a path, a file://, http:// or https:// URL)");
  }
  std::string source = split.url;
  if (!remote) {
    std::string path = scheme == "file" ? split.url.substr(7) : split.url;
    std::error_code ec;
    fs::path abs = fs::absolute(path, ec);
    source = ec ? path : abs.lexically_normal().string();
  } else if (!checksum) {
    spdlog::warn("registry add: {} has no checksum; trusting what https delivers", split.url);
  }
  ASSIGN_OR_RETURN(auto store, Store::Open(s.store_root, s.lock_wait));
  Downloader dl(s.download, progress);
  DownloadRequest request = StoreDownload(*store, source, checksum);
  ASSIGN_OR_RETURN(DownloadResult fetched, dl.Fetch(request));
  const std::string& dest = request.dest;
  const std::string context = "registry add " + o.source;
  auto arrival = Arrive(request, fetched, s);
  if (!arrival.ok()) return arrival.status().WithContext(context);
  auto discard = [&](const base::Status& st) { return Discard(*arrival, st).WithContext(context); };
  std::string platform = o.platform;
  if (!o.daemon_name.empty()) {
    std::string scratch = store->TmpDir() + "/check-" + fetched.sha256.substr(0, 16);
    std::error_code ec;
    fs::remove_all(scratch, ec);
    fs::create_directories(scratch, ec);
    auto unpacked = UnpackArtifact(dest, scratch, o.daemon_name, s.unpack);
    std::string detected = unpacked.ok() ? DetectPlatform(unpacked->binary) : "";
    base::Status checked = unpacked.status();
    if (checked.ok()) {
      InstallRequest probe;
      probe.platform = platform.empty() ? (detected.empty() ? Platform(s) : detected) : platform;
      probe.probe_version = s.probe_version && probe.platform == Platform(s);
      probe.probe_timeout = s.probe_timeout;
      auto out = CheckUnpacked(unpacked->binary, scratch + "/lib", probe);
      checked = out.status();
    }
    fs::remove_all(scratch, ec);
    if (!checked.ok()) return discard(checked);
    if (platform.empty()) platform = detected;
  } else if (platform.empty()) {
    platform = DetectPlatform(dest);
    if (platform.empty()) {
      return discard(base::Status::InvalidArgument(
          "cannot tell the platform of an archive without the daemon name; give --platform or "
          "set DAEMON_NAME"));
    }
  }
  return Keep(*store, *arrival, o.name, platform, "");
}

base::Result<std::vector<ListedBinary>> List(const RegistrySettings& s) {
  ASSIGN_OR_RETURN(auto store, Store::Open(s.store_root, s.lock_wait));
  ASSIGN_OR_RETURN(auto entries, store->index().List());
  ASSIGN_OR_RETURN(auto names, store->index().ListNames());
  std::vector<ListedBinary> out;
  for (auto& e : entries) {
    ListedBinary b;
    for (const auto& [name, targets] : names) {
      for (const auto& [platform, sha] : targets) {
        if (sha == e.sha256) b.names.push_back(name + " (" + platform + ")");
      }
    }
    b.entry = std::move(e);
    out.push_back(std::move(b));
  }
  return out;
}

std::string ListToJson(const std::vector<ListedBinary>& list) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& b : list) {
    const auto& e = b.entry;
    arr.push_back({{"sha256", e.sha256},
                   {"size", e.size},
                   {"platform", e.platform},
                   {"names", b.names},
                   {"sources", e.sources},
                   {"checksums", e.checksums},
                   {"artifact_name", e.artifact_name},
                   {"signature", std::string(state::SignatureStatusName(e.signature))},
                   {"signer_key_id", e.signer_key_id},
                   {"version_output", e.version_output},
                   {"added_ms", e.added_ms},
                   {"verified_ms", e.verified_ms}});
  }
  return arr.dump(2);
}

std::string ListToText(const std::vector<ListedBinary>& list) {
  std::ostringstream out;
  for (const auto& b : list) {
    const auto& e = b.entry;
    out << e.sha256.substr(0, 16) << "  " << FormatBytes(static_cast<double>(e.size)) << "  "
        << (e.platform.empty() ? "?" : e.platform) << "  "
        << "sig:" << state::SignatureStatusName(e.signature) << "  ";
    for (size_t i = 0; i < b.names.size(); ++i) out << (i ? ", " : "") << b.names[i];
    if (b.names.empty()) out << "(no name)";
    out << "  " << (e.sources.empty() ? "" : e.sources.front()) << "\n";
  }
  return out.str();
}

base::Result<StoreVerifyReport> Verify(const RegistrySettings& s) {
  ASSIGN_OR_RETURN(auto store, Store::Open(s.store_root, s.lock_wait));
  return store->VerifyAll(base::UnixMillis());
}

base::Result<GcReport> Gc(const GcOptions& options, const RegistrySettings& s) {
  ASSIGN_OR_RETURN(auto store, Store::Open(s.store_root, s.lock_wait));
  return store->Gc(options);
}

base::Result<std::unique_ptr<MirrorServer>> StartMirror(const MirrorOptions& options,
                                                        const RegistrySettings& s) {
  {
    ASSIGN_OR_RETURN(auto probe, Store::Open(s.store_root, s.lock_wait));  // fail early
  }
  auto cache = std::make_shared<std::optional<MirrorCatalog>>();
  std::string root = s.store_root;
  auto loader = [root, cache]() -> base::Result<MirrorCatalog> {
    auto store = Store::Open(root, std::chrono::milliseconds(1000));
    if (!store.ok()) {
      if (*cache) return **cache;  // another process holds the index: serve what we knew
      return store.status();
    }
    MirrorCatalog c;
    ASSIGN_OR_RETURN(auto entries, (*store)->index().List());
    ASSIGN_OR_RETURN(auto names, (*store)->index().ListNames());
    for (auto& e : entries) c.entries[e.sha256] = std::move(e);
    for (auto& [n, t] : names) c.names[n] = std::move(t);
    *cache = c;
    return c;
  };
  auto server = std::make_unique<MirrorServer>(root, loader, options);
  ASSIGN_OR_RETURN(uint16_t port, server->Start());
  (void)port;
  return server;
}

namespace {

// Prefetch's plan: one transfer per URL. The temporary name comes from the URL, so two transfers
// of it would write the same `.partial` at once; later plans naming the URL share the first's.
struct Transfers {
  std::vector<DownloadRequest> requests;
  std::vector<size_t> which;                       // the item of each request
  std::vector<plans::BinarySpec> specs;            // the binary of each request
  std::vector<std::pair<size_t, size_t>> sharers;  // (item, request of the same URL)
};

// Resolves every item; an item already stored or refused gets its result in `out` here.
Transfers PlanTransfers(const std::vector<PrefetchItem>& items, Store& store,
                        const RegistrySettings& s,
                        std::vector<base::Result<state::RegistryEntry>>& out) {
  Transfers t;
  std::map<std::string, size_t> by_url;  // URL -> its request
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& it = items[i];
    auto resolved = ResolvePlan(it.plan_name, it.plan_info, s);
    if (!resolved.ok()) {
      out[i] = resolved.status();
      continue;
    }
    if (!resolved->spec) {
      out[i] = resolved->why_none;
      continue;
    }
    auto stored = FindStored(store, *resolved, it.plan_name, Platform(s));
    if (stored.ok() && *stored) {
      out[i] = **stored;
      continue;
    }
    const auto& spec = *resolved->spec;
    if (!spec.checksum && s.must_have_checksum) {
      out[i] = base::Status::FailedPrecondition("upgrade " + it.plan_name + ": binary URL " +
                                                spec.url + " carries no checksum and checksums "
                                                "are required");
      continue;
    }
    if (auto seen = by_url.find(spec.url); seen != by_url.end()) {
      size_t k = seen->second;
      if (ChecksumText(spec.checksum) != ChecksumText(t.specs[k].checksum)) {
        out[i] = base::Status::FailedPrecondition(
            "upgrade " + it.plan_name + ": binary URL " + spec.url + " is also the binary of upgrade \"" +
            items[t.which[k]].plan_name + "\", with another checksum (" +
            ChecksumText(spec.checksum) + " here, " + ChecksumText(t.specs[k].checksum) + " there)");
      } else {
        t.sharers.push_back({i, k});
      }
      continue;
    }
    by_url.emplace(spec.url, t.requests.size());
    t.requests.push_back(StoreDownload(store, spec.url, spec.checksum));
    t.which.push_back(i);
    t.specs.push_back(spec);
  }
  return t;
}

// Downloads every transfer at once (curl multi), then each passes the signature check into the
// store.
void FetchTransfers(const std::vector<PrefetchItem>& items, const Transfers& t, Store& store,
                    const RegistrySettings& s, ProgressSink* progress,
                    std::vector<base::Result<state::RegistryEntry>>& out) {
  Downloader dl(s.download, progress);
  auto fetched = dl.FetchAll(t.requests);
  for (size_t k = 0; k < fetched.size(); ++k) {
    size_t i = t.which[k];
    if (!fetched[k].ok()) {
      out[i] = fetched[k].status().WithContext("upgrade " + items[i].plan_name);
      continue;
    }
    auto arrival = Arrive(t.requests[k], *fetched[k], s);
    if (!arrival.ok()) {
      out[i] = arrival.status().WithContext("upgrade " + items[i].plan_name);
      continue;
    }
    out[i] = Keep(store, *arrival, items[i].plan_name,
                  PlatformOr(t.requests[k].dest, t.specs[k].platform), "");
  }
}

// The items that share a URL get its result, bound to their own plan name too.
void ShareTransfers(const std::vector<PrefetchItem>& items, const Transfers& t, Store& store,
                    std::vector<base::Result<state::RegistryEntry>>& out) {
  for (const auto& [i, k] : t.sharers) {
    const auto& first = out[t.which[k]];
    if (!first.ok()) {
      out[i] = base::Status(first.status().code(), "upgrade " + items[i].plan_name +
                                                       ": same binary URL as upgrade \"" +
                                                       items[t.which[k]].plan_name + "\": " +
                                                       first.status().message());
      continue;
    }
    base::Status named = store.index().PutAndName(
        *first, items[i].plan_name, first->platform.empty() ? "any" : first->platform);
    if (named.ok()) {
      out[i] = *first;
    } else {
      out[i] = named.WithContext("upgrade " + items[i].plan_name);
    }
  }
}

}  // namespace

std::vector<base::Result<state::RegistryEntry>> Prefetch(const std::vector<PrefetchItem>& items,
                                                         const RegistrySettings& s,
                                                         ProgressSink* progress) {
  std::vector<base::Result<state::RegistryEntry>> out(
      items.size(), base::Result<state::RegistryEntry>(base::Status::Internal("not run")));
  auto store = Store::Open(s.store_root, s.lock_wait);
  if (!store.ok()) {
    for (auto& r : out) r = store.status();
    return out;
  }
  Transfers t = PlanTransfers(items, **store, s, out);
  FetchTransfers(items, t, **store, s, progress, out);
  ShareTransfers(items, t, **store, out);
  return out;
}

}  // namespace registry
