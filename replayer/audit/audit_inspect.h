// Internals of replayer::RunAudit (replayer/audit.h), shared by audit.cpp (rows and verdicts)
// and audit_inspect.cpp (downloading and inspecting artefacts). Not an API: nothing outside
// the audit includes this. DownloadAndInspect fetches artefacts in batches, inspects and probes
// each batch on worker threads, each touching only its own Artifact, and records the facts of
// checksum-verified artefacts in the audit cache.
#pragma once

#include <atomic>
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/status.h"
#include "binary-registry/minisign.h"
#include "binary-registry/registry.h"
#include "replayer/audit/audit_options.h"
#include "state/audit_cache.h"
#include "upgrade-plans/schedule.h"

namespace replayer::audit_internal {

// Detail of a format verdict for a non-Linux platform whose executable is not ELF.
constexpr std::string_view kUncheckedFormat = "not ELF; only ELF is checked, not the format for ";

// Runs f(i) for i in [0, n) on up to `threads` threads, the caller's included.
template <typename F>
void ParallelFor(size_t n, size_t threads, const F& f) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) f(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < std::min(threads, n); ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

// One distinct artefact (daemon + URL + checksum) and what was learnt about it.
struct Artifact {
  std::string key;  // state::AuditCache key
  plans::BinarySpec spec;
  std::set<std::string> platforms;                  // executable format checks wanted
  bool want_version = false;                        // a host-platform row uses it
  std::map<std::string, std::string> signatures;    // verdict key -> signature URL
  state::AuditFacts facts;
  bool from_cache = false;
  bool downloaded = false;
  base::Status fetch = base::Status::Internal("not downloaded");
  std::string actual;     // digest in the declared algorithm, when one is declared
  bool may_run = false;   // checksum matched, or none required: the binary may be executed
  std::string path;       // scratch copy of the artefact
  std::string unpack_dir;
  std::string binary;     // unpacked executable
};

struct Context {  // shared, read-only, by every thread of one audit
  const plans::Schedule& schedule;
  const AuditOptions& options;
  const registry::RegistrySettings& settings;
  std::vector<registry::MinisignKey> keys;
  std::string key_ids;  // "ID1,ID2": part of every signature verdict key
  std::string host;
  std::string scratch;
};

// Replaces scratch paths in a registry message: `artifact` (when given) becomes "the artefact",
// `dir/` is dropped, so details name paths inside the artefact.
std::string Scrub(std::string message, const std::string& dir, const std::string& artifact = "");

// Downloads artefacts[todo...] into ctx.scratch and fills their facts.
void DownloadAndInspect(std::vector<Artifact>& artifacts, const std::vector<size_t>& todo,
                        const Context& ctx, state::AuditCache* cache);

}  // namespace replayer::audit_internal
