// Downloading and inspecting the artefacts of an audit (see replayer/audit_inspect.h).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>

#include "base/clock.h"
#include "binary-registry/downloader.h"
#include "binary-registry/hashing.h"
#include "binary-registry/unpack.h"
#include "binary-registry/verify.h"
#include "replayer/audit/audit_inspect.h"

namespace replayer::audit_internal {
namespace {

namespace fs = std::filesystem;

// A raw Mach-O or PE executable (which the registry's unpacker, made for Linux, refuses):
// "Mach-O", "PE", or "" for anything else.
std::string ForeignExecutable(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char m[4] = {0, 0, 0, 0};
  in.read(reinterpret_cast<char*>(m), sizeof m);
  if (in.gcount() < 2) return "";
  uint32_t be = (uint32_t{m[0]} << 24) | (uint32_t{m[1]} << 16) | (uint32_t{m[2]} << 8) | m[3];
  for (uint32_t magic : {0xfeedfaceu, 0xfeedfacfu, 0xcefaedfeu, 0xcffaedfeu, 0xcafebabeu}) {
    if (be == magic) return "Mach-O";
  }
  if (m[0] == 'M' && m[1] == 'Z') return "PE";
  return "";
}

state::AuditVerdict VerifySignature(const Artifact& a, const std::string& sig_url,
                                    const Context& ctx) {
  registry::DownloadOptions o = ctx.settings.download;
  o.allow_http_without_checksum = true;  // a signature protects itself
  o.max_attempts = std::min(o.max_attempts, 3);
  registry::Downloader dl(o);
  auto text = dl.FetchText(sig_url, std::nullopt, 64 * 1024);
  if (!text.ok()) return {false, "cannot fetch " + text.status().message()};
  auto key = registry::VerifyMinisignFile(a.path, *text, ctx.keys);
  if (key.ok()) return {true, "good signature by key " + *key};
  std::string why = Scrub(key.status().message(), ctx.scratch);
  if (key.status().Is(base::Status::Code::kNotFound)) return {false, "unknown key: " + why};
  if (key.status().Is(base::Status::Code::kCorruption)) return {false, "bad signature: " + why};
  return {false, why};
}

// Checksum, archive layout, executable format per platform and signatures of a downloaded
// artefact. Touches only `a` and its own scratch folder, so it runs on any thread.
void Inspect(Artifact& a, size_t index, const Context& ctx) {
  if (a.spec.checksum) {
    if (a.spec.checksum->algo == plans::HashAlgo::kSha256) {
      a.actual = a.facts.sha256;
    } else {
      auto hex = registry::HashFileHex(a.path, a.spec.checksum->algo);
      a.actual = hex.ok() ? *hex : "";
    }
    a.may_run = a.actual == a.spec.checksum->hex;
  } else {
    a.may_run = !ctx.settings.must_have_checksum;
  }
  for (const auto& [key, url] : a.signatures) a.facts.signatures[key] = VerifySignature(a, url, ctx);

  a.unpack_dir = ctx.scratch + "/u" + std::to_string(index);
  std::error_code ec;
  fs::create_directories(a.unpack_dir, ec);
  auto unpacked = registry::UnpackArtifact(a.path, a.unpack_dir, ctx.schedule.daemon_name,
                                           ctx.settings.unpack);
  std::string foreign;  // "Mach-O" or "PE" for a raw executable of another OS
  if (!unpacked.ok()) {
    foreign = ForeignExecutable(a.path);
    if (foreign.empty()) {
      a.facts.archive = {false, Scrub(Scrub(unpacked.status().message(), a.unpack_dir),
                                      ctx.scratch, a.path)};
      return;
    }
    a.facts.archive = {true, "raw (" + foreign + ")"};
  } else {
    a.binary = unpacked->binary;
    std::string layout = unpacked->format;
    if (!unpacked->libraries.empty()) {
      layout += ", " + std::to_string(unpacked->libraries.size()) + " librar" +
                (unpacked->libraries.size() == 1 ? "y" : "ies");
    }
    a.facts.archive = {true, layout};
  }
  std::string detected = a.binary.empty() ? "" : registry::DetectPlatform(a.binary);
  for (const auto& p : a.platforms) {
    if (!foreign.empty() && p.rfind("linux/", 0) == 0) {
      a.facts.formats[p] = {false, "a " + foreign + " executable, not an executable for " + p};
      continue;
    }
    if (p.rfind("linux/", 0) != 0) {
      // Only ELF is understood: a Mach-O or PE file for another OS is left unjudged.
      if (detected == "any") {
        a.facts.formats[p] = {true, "script (#!)"};
      } else if (!detected.empty()) {
        a.facts.formats[p] = {false, "ELF " + detected + ", not an executable for " + p};
      } else {
        a.facts.formats[p] = {true, std::string(kUncheckedFormat) + p};
      }
      continue;
    }
    auto st = registry::CheckExecutableFormat(a.binary, p);
    if (st.ok()) {
      a.facts.formats[p] = {true, detected == "any" ? "script (#!)" : "ELF " + detected};
    } else {
      a.facts.formats[p] = {false, Scrub(st.message(), a.unpack_dir)};
    }
  }
}

// Runs `<binary> version` when a host row needs it and the binary may be executed. Probes run
// after every unpack of the batch finished, so no child inherits a file open for writing.
void Probe(Artifact& a, const Context& ctx) {
  if (!a.want_version || !a.may_run || a.binary.empty()) return;
  auto it = a.facts.formats.find(ctx.host);
  if (it == a.facts.formats.end() || !it->second.ok) return;
  registry::ProbeOptions po;
  po.timeout = ctx.settings.probe_timeout;
  std::error_code ec;
  if (fs::is_directory(a.unpack_dir + "/lib", ec)) po.library_dir = a.unpack_dir + "/lib";
  auto out = registry::ProbeVersion(a.binary, po);
  a.facts.version = out.ok() ? state::AuditVerdict{true, *out}
                             : state::AuditVerdict{false, Scrub(out.status().message(),
                                                                a.unpack_dir)};
}

}  // namespace

std::string Scrub(std::string message, const std::string& dir, const std::string& artifact) {
  if (!artifact.empty()) {
    for (size_t p = message.find(artifact); p != std::string::npos; p = message.find(artifact, p)) {
      message.replace(p, artifact.size(), "the artefact");
    }
  }
  if (dir.empty()) return message;
  const std::string prefix = dir + "/";
  for (size_t p = message.find(prefix); p != std::string::npos; p = message.find(prefix, p)) {
    message.erase(p, prefix.size());
  }
  for (size_t p = message.find(dir); p != std::string::npos; p = message.find(dir, p)) {
    message.replace(p, dir.size(), "the artefact");
  }
  return message;
}

// Downloads what the cache could not answer, in batches (so the scratch space holds at most a
// batch of artefacts), inspects and probes each batch in parallel, records verified facts.
void DownloadAndInspect(std::vector<Artifact>& artifacts, const std::vector<size_t>& todo,
                        const Context& ctx, state::AuditCache* cache) {
  registry::DownloadOptions o = ctx.settings.download;
  o.max_parallel = std::max<size_t>(ctx.options.parallel, 1);
  o.allow_http_without_checksum = true;  // the audit executes nothing it could not verify
  registry::Downloader dl(o, ctx.options.progress);
  const size_t batch = o.max_parallel * 4;
  for (size_t start = 0; start < todo.size(); start += batch) {
    std::vector<size_t> ids(todo.begin() + static_cast<long>(start),
                            todo.begin() + static_cast<long>(std::min(todo.size(), start + batch)));
    std::vector<registry::DownloadRequest> requests;
    for (size_t id : ids) {
      Artifact& a = artifacts[id];
      a.path = ctx.scratch + "/a" + std::to_string(id);
      requests.push_back({a.spec.url, std::nullopt, a.path});
    }
    auto results = dl.FetchAll(requests);
    std::vector<size_t> fetched;
    for (size_t k = 0; k < ids.size(); ++k) {
      Artifact& a = artifacts[ids[k]];
      a.downloaded = true;
      if (!results[k].ok()) {
        a.fetch = results[k].status();
        continue;
      }
      a.fetch = base::Status::Ok();
      a.facts.url = a.spec.url;
      a.facts.checksum = a.spec.checksum ? plans::FormatChecksum(*a.spec.checksum) : "";
      a.facts.sha256 = results[k]->sha256;
      a.facts.size = results[k]->size;
      a.facts.http_status = results[k]->http_status;
      a.facts.checked_ms = base::UnixMillis();
      fetched.push_back(ids[k]);
    }
    ParallelFor(fetched.size(), o.max_parallel,
                [&](size_t i) { Inspect(artifacts[fetched[i]], fetched[i], ctx); });
    ParallelFor(fetched.size(), o.max_parallel,
                [&](size_t i) { Probe(artifacts[fetched[i]], ctx); });
    for (size_t id : ids) {
      Artifact& a = artifacts[id];
      if (cache && a.fetch.ok() && a.spec.checksum && a.actual == a.spec.checksum->hex) {
        if (auto st = cache->Put(a.key, a.facts); !st.ok()) {
          spdlog::warn("audit: cannot record the result for {}: {}", a.spec.url, st.message());
        }
      }
      std::error_code ec;
      fs::remove(a.path, ec);
      if (!a.unpack_dir.empty()) fs::remove_all(a.unpack_dir, ec);
    }
  }
}

}  // namespace replayer::audit_internal
