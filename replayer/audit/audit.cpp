#include "replayer/audit/audit.h"

#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "binary-registry/downloader.h"
#include "binary-registry/minisign.h"
#include "binary-registry/verify.h"
#include "replayer/audit/audit_inspect.h"
#include "replayer/chain/chain_query.h"
#include "state/audit_cache.h"
#include "upgrade-plans/plan_info.h"

namespace replayer {
namespace {

namespace fs = std::filesystem;
using R = AuditCheck::Result;
using audit_internal::Artifact;
using audit_internal::Context;
using audit_internal::kUncheckedFormat;
using audit_internal::ParallelFor;
using audit_internal::Scrub;

// The eight checks, in table order.
enum Check : size_t { kInfo, kUrl, kChecksum, kArchive, kElf, kSignature, kVersion, kHeight };
constexpr const char* kCheckNames[] = {"info", "url",       "checksum", "archive",
                                       "elf",  "signature", "version",  "height"};
constexpr size_t kCheckCount = sizeof(kCheckNames) / sizeof(kCheckNames[0]);

// A fresh folder for downloads and unpacking, removed with its contents on destruction.
class ScratchDir {
 public:
  static base::Result<ScratchDir> Create(const std::string& parent) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) return base::Status::IoError("create " + parent + ": " + ec.message());
    std::string tmpl = parent + "/audit-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      return base::Status::IoError("create a scratch folder in " + parent);
    }
    return ScratchDir(tmpl);
  }
  ScratchDir(ScratchDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

std::string Bytes(uint64_t n) { return registry::FormatBytes(static_cast<double>(n)); }

std::string FirstLine(const std::string& text, size_t max = 80) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > max) line = line.substr(0, max) + "...";
  return line;
}

AuditCheck Make(size_t check, R result, std::string detail) {
  return AuditCheck{kCheckNames[check], result, std::move(detail)};
}

// What a cached record must hold to answer every row that uses the artefact.
bool Covers(const state::AuditFacts& f, const Artifact& a, const std::string& host) {
  for (const auto& [key, url] : a.signatures) {
    if (!f.signatures.count(key)) return false;
  }
  if (!f.archive.ok) return true;  // nothing else could be checked, and that is recorded
  for (const auto& p : a.platforms) {
    if (!f.formats.count(p)) return false;
  }
  if (a.want_version) {
    auto it = f.formats.find(host);
    if (it != f.formats.end() && it->second.ok && !f.version) return false;
  }
  return true;
}

// One segment's "height" check (the same for every platform).
AuditCheck HeightCheck(const plans::Segment& seg, const Context& ctx) {
  if (ctx.options.rest_url.empty()) return Make(kHeight, R::kSkip, "no --rest given");
  if (seg.kind != plans::SwitchKind::kGovernancePlan) {
    return Make(kHeight, R::kSkip,
                std::string(plans::SwitchKindName(seg.kind)) + " segment: no on-chain plan");
  }
  auto applied = QueryAppliedPlanHeight(ctx.options.rest_url, seg.name, ctx.settings.download);
  if (!applied.ok()) return Make(kHeight, R::kFail, applied.status().message());
  const std::string want = std::to_string(seg.first_height);
  if (*applied == 0) {
    return Make(kHeight, R::kFail, "schedule says " + want + ", chain never applied plan \"" +
                                       seg.name + "\" (applied height 0)");
  }
  if (*applied != seg.first_height) {
    return Make(kHeight, R::kFail, "schedule says " + want + ", chain applied \"" + seg.name +
                                       "\" at " + std::to_string(*applied));
  }
  return Make(kHeight, R::kPass, "applied at " + want);
}

// The checks of one row whose binary is known, from what was learnt about its artefact.
void FillArtifactChecks(AuditRow& row, const plans::Segment& seg, const Artifact& a,
                        const std::string& sig_key, const Context& ctx) {
  auto& c = row.checks;
  const bool got = a.fetch.ok();
  const std::string cached = a.from_cache ? " (cached)" : "";
  if (got) {
    std::string where = a.facts.http_status ? "HTTP " + std::to_string(a.facts.http_status)
                                            : std::string("local file");
    c[kUrl] = Make(kUrl, R::kPass, where + ", " + Bytes(a.facts.size) + cached);
  } else {
    std::string why = a.fetch.message();
    const std::string prefix = "download " + a.spec.url + ": ";
    if (why.rfind(prefix, 0) == 0) why = why.substr(prefix.size());
    c[kUrl] = Make(kUrl, R::kFail, a.spec.url + ": " + Scrub(why, ctx.scratch));
  }

  if (!a.spec.checksum) {
    std::string why = "no checksum declared";
    if (got) why += " (the artefact's is sha256:" + a.facts.sha256 + ")";
    c[kChecksum] = ctx.settings.must_have_checksum
                       ? Make(kChecksum, R::kFail,
                              why + "; checksums are required (DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM)")
                       : Make(kChecksum, R::kWarn, why);
  } else {
    const plans::Checksum& want = *a.spec.checksum;
    std::string algo(plans::HashAlgoName(want.algo));
    if (!got) {
      c[kChecksum] = Make(kChecksum, R::kSkip, algo + " declared; artefact not downloaded");
    } else if (!a.from_cache && a.actual != want.hex) {
      c[kChecksum] = Make(kChecksum, R::kFail, algo + " expected " + want.hex + ", got " +
                                                   (a.actual.empty() ? "(unreadable)" : a.actual));
    } else if (want.weak()) {
      c[kChecksum] = Make(kChecksum, R::kWarn, algo + " matches, but " + algo + " is weak" + cached);
    } else {
      c[kChecksum] = Make(kChecksum, R::kPass, algo + " matches" + cached);
    }
  }

  if (!got) {
    for (size_t k : {kArchive, kElf, kVersion}) c[k] = Make(k, R::kSkip, "not downloaded");
  } else {
    c[kArchive] = Make(kArchive, a.facts.archive.ok ? R::kPass : R::kFail, a.facts.archive.detail);
    auto fmt = a.facts.formats.find(row.platform);
    if (!a.facts.archive.ok || fmt == a.facts.formats.end()) {
      c[kElf] = Make(kElf, R::kSkip, "no executable to check");
    } else {
      bool unchecked = fmt->second.detail.rfind(kUncheckedFormat, 0) == 0;
      c[kElf] = Make(kElf, unchecked ? R::kSkip : fmt->second.ok ? R::kPass : R::kFail,
                     fmt->second.detail);
    }
    const bool runnable = c[kElf].result == R::kPass;
    if (row.platform != ctx.host) {
      c[kVersion] = Make(kVersion, R::kSkip, "probed only on the host platform (" + ctx.host + ")");
    } else if (!runnable) {
      c[kVersion] = Make(kVersion, R::kSkip, "not run: no executable for this host");
    } else if (!a.may_run && !a.from_cache) {
      c[kVersion] = Make(kVersion, R::kSkip, a.spec.checksum
                                                 ? "not run: the checksum does not match"
                                                 : "not run: no checksum verifies the binary");
    } else if (!a.facts.version) {
      c[kVersion] = Make(kVersion, R::kSkip, "not probed");
    } else if (!a.facts.version->ok) {
      c[kVersion] = Make(kVersion, R::kFail, a.facts.version->detail);
    } else if (seg.version.empty()) {
      c[kVersion] = Make(kVersion, R::kSkip, "no expected version in the schedule (prints \"" +
                                                 FirstLine(a.facts.version->detail) + "\")");
    } else if (registry::CheckVersionOutput(a.facts.version->detail, seg.version).ok()) {
      c[kVersion] = Make(kVersion, R::kPass, FirstLine(a.facts.version->detail) + cached);
    } else {
      c[kVersion] = Make(kVersion, R::kFail, "expected " + seg.version + ", binary printed \"" +
                                                 FirstLine(a.facts.version->detail) + "\"");
    }
  }

  if (!sig_key.empty()) {
    auto v = a.facts.signatures.find(sig_key);
    if (!got || v == a.facts.signatures.end()) {
      c[kSignature] = Make(kSignature, R::kSkip, "artefact not downloaded");
    } else {
      c[kSignature] = Make(kSignature, v->second.ok ? R::kPass : R::kFail, v->second.detail + cached);
    }
  }
}

}  // namespace

std::string_view AuditResultName(AuditCheck::Result result) {
  switch (result) {
    case R::kPass: return "PASS";
    case R::kFail: return "FAIL";
    case R::kWarn: return "WARN";
    case R::kSkip: return "SKIP";
  }
  return "?";
}

bool AuditRow::ok() const {
  return std::none_of(checks.begin(), checks.end(),
                      [](const AuditCheck& c) { return c.result == R::kFail; });
}

const AuditCheck* AuditRow::Find(std::string_view name) const {
  for (const auto& c : checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

bool AuditReport::ok() const {
  return std::all_of(rows.begin(), rows.end(), [](const AuditRow& r) { return r.ok(); });
}

base::Result<AuditReport> RunAudit(const plans::Schedule& schedule, const AuditOptions& options,
                                   const registry::RegistrySettings& settings,
                                   state::Database* cache_db) {
  std::vector<std::string> platforms = options.platforms;
  if (platforms.empty()) platforms.emplace_back(plans::HostPlatform());
  for (size_t i = 1; i < platforms.size(); ++i) {  // a platform given twice is audited once
    if (std::find(platforms.begin(), platforms.begin() + static_cast<long>(i), platforms[i]) !=
        platforms.begin() + static_cast<long>(i)) {
      platforms.erase(platforms.begin() + static_cast<long>(i--));
    }
  }
  for (const auto& p : platforms) {
    if (!plans::IsValidPlatformKey(p) || p == "any") {
      return base::Status::InvalidArgument("--platform " + p +
                                           ": expected an os/arch key such as linux/amd64");
    }
  }
  if (schedule.daemon_name.empty()) {
    return base::Status::InvalidArgument("the schedule names no daemon (daemon_name), so the "
                                         "executable inside archives cannot be found");
  }
  Context ctx{schedule, options, settings, {}, {}, std::string(plans::HostPlatform()), {}};
  for (size_t i = 0; i < settings.trusted_keys.size(); ++i) {
    auto k = registry::ParseMinisignPublicKey(settings.trusted_keys[i]);
    if (!k.ok()) return k.status().WithContext("trusted key #" + std::to_string(i + 1));
    ctx.keys.push_back(*k);
    ctx.key_ids += (i ? "," : "") + k->IdHex();
  }

  // Rows, with the info check, and the distinct artefacts they need.
  AuditReport report;
  std::vector<Artifact> artifacts;
  std::map<std::string, size_t> by_key;
  std::vector<size_t> row_artifact;     // per row; SIZE_MAX = no artefact to look at
  std::vector<std::string> row_sig_key;  // per row; "" = no signature to verify
  for (size_t s = 0; s < schedule.segments.size(); ++s) {
    const plans::Segment& seg = schedule.segments[s];
    for (const auto& platform : platforms) {
      AuditRow row{s, plans::SegmentLabel(schedule, s), seg.first_height, platform, {}};
      for (size_t k = 0; k < kCheckCount; ++k) row.checks.push_back(Make(k, R::kSkip, ""));
      size_t artifact = SIZE_MAX;
      std::string sig_key;
      auto spec = plans::SelectBinary(seg.name.empty() ? row.label : seg.name, seg.binaries,
                                      platform);
      if (!spec.ok()) {
        row.checks[kInfo] = Make(kInfo, R::kFail, spec.status().message());
        for (size_t k = kUrl; k < kHeight; ++k) row.checks[k].detail = "no binary for " + platform;
      } else {
        std::string from = spec->platform == platform ? "" : " (from \"" + spec->platform + "\")";
        row.checks[kInfo] = Make(kInfo, R::kPass, spec->url + from);
        auto allowed = registry::CheckSourceAllowed(spec->url, true, settings.download);
        std::string key = state::AuditCache::Key(
            schedule.daemon_name, spec->url,
            spec->checksum ? plans::FormatChecksum(*spec->checksum) : "none");
        if (!allowed.ok()) {
          row.checks[kUrl] = Make(kUrl, R::kFail, allowed.message());
          for (size_t k = kChecksum; k < kHeight; ++k) row.checks[k].detail = "not downloaded";
        } else {
          auto [it, inserted] = by_key.emplace(key, artifacts.size());
          if (inserted) {
            artifacts.emplace_back();
            artifacts.back().key = key;
            artifacts.back().spec = *spec;
          }
          artifact = it->second;
          Artifact& a = artifacts[artifact];
          a.platforms.insert(platform);
          if (platform == ctx.host) a.want_version = true;
          const std::string* sig_url = nullptr;
          for (const std::string& k : {platform, std::string("any"), spec->platform}) {
            if (auto f = seg.signatures.find(k); f != seg.signatures.end() && !sig_url) {
              sig_url = &f->second;
            }
          }
          if (sig_url && !ctx.keys.empty()) {
            sig_key = *sig_url + " " + ctx.key_ids;
            a.signatures[sig_key] = *sig_url;
          } else if (sig_url) {
            row.checks[kSignature].detail = "no trusted keys configured (REPLAYER_TRUSTED_KEYS)";
          } else if (!ctx.keys.empty() && settings.require_signature) {
            row.checks[kSignature] =
                Make(kSignature, R::kFail, "the schedule names no signature for " + platform +
                                               " and signatures are required");
          } else {
            row.checks[kSignature].detail = "the schedule names no signature";
          }
        }
      }
      report.rows.push_back(std::move(row));
      row_artifact.push_back(artifact);
      row_sig_key.push_back(sig_key);
    }
  }

  // The cache answers what it can; everything else is downloaded and inspected.
  std::optional<state::AuditCache> cache;
  if (cache_db) cache.emplace(*cache_db);
  std::vector<size_t> todo;
  for (size_t i = 0; i < artifacts.size(); ++i) {
    Artifact& a = artifacts[i];
    if (cache && options.use_cache && a.spec.checksum) {
      auto hit = cache->Get(a.key);
      if (!hit.ok()) spdlog::warn("audit: {}", hit.status().message());
      if (hit.ok() && *hit && Covers(**hit, a, ctx.host)) {
        a.facts = std::move(**hit);
        a.from_cache = true;
        a.may_run = true;
        a.actual = a.spec.checksum->hex;
        a.fetch = base::Status::Ok();
        continue;
      }
    }
    todo.push_back(i);
  }
  if (!todo.empty()) {
    std::string parent = settings.store_root.empty() ? fs::temp_directory_path().string()
                                                     : settings.store_root + "/tmp";
    ASSIGN_OR_RETURN(ScratchDir scratch, ScratchDir::Create(parent));
    ctx.scratch = scratch.path();
    DownloadAndInspect(artifacts, todo, ctx, cache ? &*cache : nullptr);
  }

  // Heights: one applied_plan query per governance segment, in parallel.
  std::vector<AuditCheck> heights(schedule.segments.size());
  ParallelFor(heights.size(), std::max<size_t>(options.parallel, 1),
              [&](size_t s) { heights[s] = HeightCheck(schedule.segments[s], ctx); });

  for (size_t r = 0; r < report.rows.size(); ++r) {
    AuditRow& row = report.rows[r];
    const plans::Segment& seg = schedule.segments[row.segment];
    if (row_artifact[r] != SIZE_MAX) {
      FillArtifactChecks(row, seg, artifacts[row_artifact[r]], row_sig_key[r], ctx);
    }
    row.checks[kHeight] = heights[row.segment];
  }
  report.artifacts = artifacts.size();
  for (const auto& a : artifacts) {
    if (a.from_cache) ++report.from_cache;
    if (a.downloaded && a.fetch.ok()) {
      ++report.downloaded;
      report.bytes_downloaded += a.facts.size;
    }
  }
  return report;
}

}  // namespace replayer
