// registry::Downloader: fetches artefacts to disk, verifying their checksum in the same pass.
//
// Sources: `https://` (system CAs plus an optional extra CA bundle), `http://` only when the
// request carries a checksum, `file://` URLs and plain paths. Every transfer writes
// `<dest>.partial`, resumes it with an HTTP Range request when one is left over (from a crash or
// an interrupted attempt), hashes every byte as it is written (SHA-256 always, plus the declared
// algorithm), and renames it to `<dest>` only once the checksum matches, so `<dest>` is always
// complete and verified. Transient failures (connection errors, timeouts, truncated bodies, HTTP
// 408/429/5xx) are retried with exponential backoff; others (HTTP 4xx, TLS verification, too
// large, checksum mismatch) fail at once with a message naming the URL, the HTTP status and the
// expected and actual checksums. FetchAll runs transfers in parallel with one curl multi handle
// on the calling thread. Not thread-safe; the caller's thread does all the work.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "binary-registry/progress.h"
#include "upgrade-plans/checksum.h"

namespace registry {

struct DownloadOptions {
  std::string ca_bundle;  // extra trusted CAs (PEM file), added to the system store
  std::chrono::milliseconds connect_timeout{15000};
  // An attempt is abandoned when fewer than low_speed_bytes per second arrive for this long.
  long low_speed_bytes = 1024;
  std::chrono::seconds low_speed_time{30};
  std::chrono::seconds attempt_timeout{0};  // whole-attempt limit; 0 = none
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{500};  // doubled per retry
  std::chrono::milliseconds max_backoff{30000};
  uint64_t max_bytes = uint64_t{4} << 30;  // refuse artefacts larger than this
  bool allow_http_without_checksum = false;
  // A refused connection (nothing listens there) is retried like any transient error; false:
  // it fails at once, saying so (a query to a node's own API: nothing listening means the node
  // or its API is not up, and five attempts would only make the operator wait).
  bool retry_refused_connection = true;
  size_t max_parallel = 4;  // FetchAll
};

struct DownloadRequest {
  std::string url;                          // checksum query already removed
  std::optional<plans::Checksum> expected;  // verified before `dest` appears
  std::string dest;                         // final path; `<dest>.partial` while in flight
};

struct DownloadResult {
  std::string url;
  std::string path;  // == request.dest
  uint64_t size = 0;
  std::string sha256;                       // always computed
  std::optional<plans::Checksum> declared;  // the expected checksum, verified
  long http_status = 0;                     // 0 for local files
  int attempts = 0;
  bool resumed = false;  // some bytes came from a leftover .partial
};

class Downloader {
 public:
  explicit Downloader(DownloadOptions options, ProgressSink* progress = nullptr);
  ~Downloader();
  Downloader(const Downloader&) = delete;
  Downloader& operator=(const Downloader&) = delete;

  base::Result<DownloadResult> Fetch(const DownloadRequest& request);
  // Results in request order; at most options.max_parallel transfers at once.
  std::vector<base::Result<DownloadResult>> FetchAll(const std::vector<DownloadRequest>& requests);

  // Fetches a small document (plan-info JSON, .minisig) into memory, same policies, no resume.
  base::Result<std::string> FetchText(const std::string& url,
                                      const std::optional<plans::Checksum>& expected,
                                      uint64_t max_bytes = 1 << 20);

  const DownloadOptions& options() const { return options_; }

 private:
  DownloadOptions options_;
  ProgressSink* progress_;
};

// Refuses sources the policy forbids (plain http without a checksum, unknown schemes).
base::Status CheckSourceAllowed(const std::string& url, bool has_checksum,
                                const DownloadOptions& options);

}  // namespace registry
