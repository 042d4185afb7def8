#include "binary-registry/downloader.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "binary-registry/block_sink.h"
#include "binary-registry/hashing.h"

namespace registry {
namespace {

using Clock = std::chrono::steady_clock;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

bool IsLocal(const std::string& url) {
  std::string scheme = plans::UrlScheme(url);
  return scheme.empty() || scheme == "file";
}

std::string LocalPath(const std::string& url) {
  if (plans::UrlScheme(url) != "file") return url;
  std::string rest = url.substr(url.find("://") + 3);
  if (rest.rfind("localhost/", 0) == 0) rest = rest.substr(9);
  return rest;
}

std::string DescribeMismatch(const plans::Checksum& expected, const std::string& actual_hex,
                             uint64_t size) {
  return "checksum mismatch: expected " + plans::FormatChecksum(expected) + ", got " +
         std::string(plans::HashAlgoName(expected.algo)) + ":" + actual_hex + " (" +
         std::to_string(size) + " bytes)";
}

// Picks the digest that the expected checksum is about.
std::string ActualFor(const plans::Checksum& expected, const MultiHasher::Digests& d) {
  if (expected.algo == plans::HashAlgo::kSha256) return d.sha256;
  return d.extra ? d.extra->hex : std::string();
}

// The new name is durable only once its folder is fsynced too (a power loss otherwise may keep
// the `.partial`, or neither name).
base::Status SyncAndRename(int fd, const std::string& from, const std::string& to) {
  if (fd >= 0 && ::fsync(fd) != 0) return base::Status::IoError(Errno("fsync " + from));
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return base::Status::IoError(Errno("rename " + from + " to " + to));
  }
  std::string dir = std::filesystem::path(to).parent_path().string();
  if (dir.empty()) dir = ".";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return base::Status::IoError(Errno("open " + dir));
  int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) return base::Status::IoError(Errno("fsync " + dir));
  return base::Status::Ok();
}

base::Result<DownloadResult> CopyLocal(const DownloadRequest& req, const DownloadOptions& opts) {
  std::string src = LocalPath(req.url);
  int in = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    auto st = errno == ENOENT ? base::Status::NotFound("no such file") : base::Status::IoError(
                                                                             std::strerror(errno));
    return st.WithContext("fetch " + src);
  }
  std::string partial = req.dest + ".partial";
  int out = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    ::close(in);
    return base::Status::IoError(Errno("create " + partial));
  }
  MultiHasher hasher(req.expected ? std::optional(req.expected->algo) : std::nullopt);
  std::vector<char> buf(1 << 20);
  uint64_t size = 0;
  base::Status err;
  while (err.ok()) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = base::Status::IoError(Errno("read " + src));
      break;
    }
    if (n == 0) break;
    size += static_cast<uint64_t>(n);
    if (size > opts.max_bytes) {
      err = base::Status::InvalidArgument("fetch " + src + ": larger than the limit of " +
                                          std::to_string(opts.max_bytes) + " bytes");
      break;
    }
    hasher.Update(buf.data(), static_cast<size_t>(n));
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(out, buf.data() + off, static_cast<size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        err = base::Status::IoError(Errno("write " + partial));
        break;
      }
      off += w;
    }
  }
  ::close(in);
  DownloadResult r;
  if (err.ok()) {
    auto d = hasher.Finish();
    if (!d.ok()) {
      err = d.status();
    } else {
      r.sha256 = d->sha256;
      if (req.expected && ActualFor(*req.expected, *d) != req.expected->hex) {
        err = base::Status::Corruption("fetch " + src + ": " +
                                       DescribeMismatch(*req.expected, ActualFor(*req.expected, *d),
                                                        size));
      }
    }
  }
  if (err.ok()) err = SyncAndRename(out, partial, req.dest);
  ::close(out);
  if (!err.ok()) {
    ::unlink(partial.c_str());
    return err;
  }
  r.url = req.url;
  r.path = req.dest;
  r.size = size;
  r.declared = req.expected;
  r.attempts = 1;
  return r;
}

// One HTTP(S) transfer across its attempts.
struct Transfer {
  const DownloadRequest* req = nullptr;
  const DownloadOptions* opts = nullptr;
  ProgressSink* progress = nullptr;
  CURL* easy = nullptr;
  curl_slist* no_headers = nullptr;
  std::string partial;
  std::unique_ptr<MultiHasher> hasher;
  int fd = -1;
  // Per attempt:
  uint64_t offset = 0;  // bytes in .partial when the attempt started
  uint64_t written = 0;
  bool range_requested = false, mode_decided = false, appending = false, discard = false;
  bool too_large = false;
  std::string io_error, content_range;
  char errbuf[CURL_ERROR_SIZE] = {};
  Clock::time_point last_progress;
  // Across attempts:
  int attempts = 0;
  bool resumed = false, fresh_retry_used = false, range_retry_used = false;
  Clock::time_point next_start;
  std::optional<base::Result<DownloadResult>> outcome;
  std::unique_ptr<BlockSink> sink;  // this attempt's hashing writer

  // Drains the writer; records its error if the attempt had none.
  void CloseSink() {
    if (!sink) return;
    base::Status st = sink->Close();
    sink.reset();
    if (!st.ok() && io_error.empty()) io_error = st.message() + " (" + partial + ")";
  }

  ~Transfer() {
    sink.reset();
    if (fd >= 0) ::close(fd);
    if (easy) curl_easy_cleanup(easy);
  }
  uint64_t Done() const { return (appending ? offset : 0) + written; }
};

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) t->content_range.clear();
  constexpr std::string_view kName = "content-range:";
  if (line.size() > kName.size() &&
      std::equal(kName.begin(), kName.end(), line.begin(), [](char a, char b) {
        return a == std::tolower(static_cast<unsigned char>(b));
      })) {
    std::string v(line.substr(kName.size()));
    v.erase(0, v.find_first_not_of(" \t"));
    v.erase(v.find_last_not_of(" \t\r\n") + 1);
    t->content_range = v;
  }
  return size * n;
}

size_t OnWrite(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  if (!t->mode_decided) {
    t->mode_decided = true;
    long code = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
    std::string want = "bytes " + std::to_string(t->offset) + "-";
    if (code == 206 && t->range_requested && t->content_range.rfind(want, 0) == 0) {
      t->appending = true;
      t->hasher->Reset();
      base::Status st = HashFilePrefix(t->partial, t->offset, *t->hasher);
      if (!st.ok() || ::lseek(t->fd, static_cast<off_t>(t->offset), SEEK_SET) < 0) {
        t->io_error = st.ok() ? Errno("seek " + t->partial) : st.message();
        return 0;
      }
      t->resumed = true;
    } else if (code == 200 || code == 206) {
      // A full body (the server ignored our range), or a range we did not ask for: restart.
      if (code == 206) {
        t->io_error = "server sent a partial response (" + t->content_range + ") we did not ask for";
        return 0;
      }
      if (::ftruncate(t->fd, 0) != 0 || ::lseek(t->fd, 0, SEEK_SET) < 0) {
        t->io_error = Errno("truncate " + t->partial);
        return 0;
      }
      t->hasher->Reset();
    } else {
      t->discard = true;  // an error page: keep whatever .partial holds
    }
  }
  if (t->discard) return len;
  if (t->Done() + len > t->opts->max_bytes) {
    t->too_large = true;
    return 0;
  }
  if (!t->sink) t->sink = std::make_unique<BlockSink>(t->fd, t->partial, t->hasher.get());
  if (!t->sink->Append(data, len)) return 0;  // the error surfaces from CloseSink
  t->written += len;
  return len;
}

int OnProgress(void* user, curl_off_t dltotal, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->progress || !t->mode_decided || t->discard) return 0;
  auto now = Clock::now();
  if (now - t->last_progress < std::chrono::milliseconds(100)) return 0;
  t->last_progress = now;
  uint64_t total = dltotal > 0 ? static_cast<uint64_t>(dltotal) + (t->appending ? t->offset : 0) : 0;
  t->progress->OnProgress(t->req->url, t->Done(), total);
  return 0;
}

bool PermanentCurlError(CURLcode rc) {
  switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_LOGIN_DENIED:
    case CURLE_REMOTE_ACCESS_DENIED:
      return true;
    default:
      return false;
  }
}

bool RetriableStatus(long code) { return code == 408 || code == 429 || code >= 500; }

base::Status StartAttempt(Transfer& t) {
  const DownloadOptions& o = *t.opts;
  t.offset = t.written = 0;
  t.range_requested = t.mode_decided = t.appending = t.discard = t.too_large = false;
  t.io_error.clear();
  t.content_range.clear();
  t.errbuf[0] = '\0';
  ++t.attempts;
  if (t.fd >= 0) ::close(t.fd);
  t.fd = ::open(t.partial.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (t.fd < 0) return base::Status::IoError(Errno("open " + t.partial));
  struct stat st {};
  if (::fstat(t.fd, &st) != 0) return base::Status::IoError(Errno("stat " + t.partial));
  t.offset = static_cast<uint64_t>(st.st_size);
  if (t.offset >= o.max_bytes) {
    if (::ftruncate(t.fd, 0) != 0) return base::Status::IoError(Errno("truncate " + t.partial));
    t.offset = 0;
  }
  if (!t.easy) t.easy = curl_easy_init();
  if (!t.easy) return base::Status::Internal("curl_easy_init failed");
  CURL* e = t.easy;
  curl_easy_reset(e);
  bool http_ok = t.req->expected.has_value() || o.allow_http_without_checksum;
  const char* protocols = http_ok ? "https,http" : "https";
  curl_easy_setopt(e, CURLOPT_URL, t.req->url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "replayer-registry/0.1");
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, o.low_speed_bytes);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(o.low_speed_time.count()));
  if (o.attempt_timeout.count() > 0) {
    curl_easy_setopt(e, CURLOPT_TIMEOUT, static_cast<long>(o.attempt_timeout.count()));
  }
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.max_bytes));
  curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
  if (!o.ca_bundle.empty()) {
    curl_easy_setopt(e, CURLOPT_CAINFO, o.ca_bundle.c_str());
    if (std::filesystem::is_directory("/etc/ssl/certs")) {
      curl_easy_setopt(e, CURLOPT_CAPATH, "/etc/ssl/certs");
    }
  }
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnWrite);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(e, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
  if (t.offset > 0) {
    std::string range = std::to_string(t.offset) + "-";
    curl_easy_setopt(e, CURLOPT_RANGE, range.c_str());  // curl copies the string
    t.range_requested = true;
  }
  if (t.progress && t.attempts == 1) t.progress->OnStart(t.req->url, t.offset, 0);
  return base::Status::Ok();
}

enum class Next { kDone, kRetry, kRetryNow };

// Decides what a finished attempt means: success (outcome set), retry, or permanent failure.
Next FinishAttempt(Transfer& t, CURLcode rc) {
  const DownloadOptions& o = *t.opts;
  const std::string& url = t.req->url;
  t.CloseSink();
  long code = 0;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &code);
  auto fail = [&](base::Status st) {
    t.outcome = st;
    // A .partial is kept for resuming; an empty one holds nothing to resume (a 404, a refused
    // connection) and would only be litter in the store's tmp/.
    struct stat sb {};
    if (::stat(t.partial.c_str(), &sb) == 0 && sb.st_size == 0) ::unlink(t.partial.c_str());
    return Next::kDone;
  };
  auto transient = [&](const std::string& why) {
    if (t.attempts >= o.max_attempts) {
      return fail(base::Status::Unavailable("download " + url + ": " + why + " (gave up after " +
                                            std::to_string(t.attempts) + " attempts)"));
    }
    spdlog::warn("download {}: {} (attempt {} of {}); retrying", url, why, t.attempts,
                 o.max_attempts);
    return Next::kRetry;
  };
  if (!t.io_error.empty()) return fail(base::Status::IoError("download " + url + ": " + t.io_error));
  if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    // Nothing of a download over the limit is worth resuming: it would only fill the store.
    ::unlink(t.partial.c_str());
    return fail(base::Status::InvalidArgument("download " + url + ": larger than the limit of " +
                                              std::to_string(o.max_bytes) + " bytes"));
  }
  if (code == 416 && t.range_requested && !t.range_retry_used) {
    // Our leftover .partial is not a prefix the server can continue: start over.
    t.range_retry_used = true;
    if (::ftruncate(t.fd, 0) != 0) return fail(base::Status::IoError(Errno("truncate " + t.partial)));
    --t.attempts;
    return Next::kRetryNow;
  }
  if (rc != CURLE_OK) {
    std::string why = (t.errbuf[0] ? std::string(t.errbuf) : std::string(curl_easy_strerror(rc))) +
                      " (curl " + std::to_string(static_cast<int>(rc)) + ")";
    if (code >= 400) why = "HTTP " + std::to_string(code) + ", " + why;
    if (PermanentCurlError(rc)) return fail(base::Status::Unavailable("download " + url + ": " + why));
    if (rc == CURLE_COULDNT_CONNECT && !o.retry_refused_connection) {
      return fail(base::Status::Unavailable("download " + url + ": nothing accepts connections there (" +
                                            why + ")"));
    }
    return transient(why);
  }
  if (code != 200 && code != 206) {
    std::string why = "HTTP " + std::to_string(code);
    if (RetriableStatus(code)) return transient(why);
    auto st = code == 404 || code == 410 ? base::Status::NotFound("download " + url + ": " + why)
                                         : base::Status::Unavailable("download " + url + ": " + why);
    return fail(st);
  }
  if (!t.mode_decided && code == 206) return transient("empty partial response");
  if (!t.mode_decided) t.hasher->Reset();  // 200 with an empty body: the file is empty
  uint64_t size = t.Done();
  if (!t.mode_decided && ::ftruncate(t.fd, 0) != 0) {
    return fail(base::Status::IoError(Errno("truncate " + t.partial)));
  }
  auto digests = t.hasher->Finish();
  if (!digests.ok()) return fail(digests.status());
  if (t.req->expected) {
    std::string actual = ActualFor(*t.req->expected, *digests);
    if (actual != t.req->expected->hex) {
      bool was_resumed = t.appending;
      ::close(t.fd);
      t.fd = -1;
      ::unlink(t.partial.c_str());
      if (was_resumed && !t.fresh_retry_used) {
        // The leftover prefix may have come from another file; one clean retry.
        t.fresh_retry_used = true;
        spdlog::warn("download {}: checksum mismatch after resuming; retrying from scratch", url);
        return Next::kRetryNow;
      }
      return fail(base::Status::Corruption(
          "download " + url + ": " + DescribeMismatch(*t.req->expected, actual, size) +
          "; nothing was kept"));
    }
  }
  base::Status st = SyncAndRename(t.fd, t.partial, t.req->dest);
  ::close(t.fd);
  t.fd = -1;
  if (!st.ok()) return fail(st);
  DownloadResult r;
  r.url = url;
  r.path = t.req->dest;
  r.size = size;
  r.sha256 = digests->sha256;
  r.declared = t.req->expected;
  r.http_status = code;
  r.attempts = t.attempts;
  r.resumed = t.resumed;
  t.outcome = std::move(r);
  return Next::kDone;
}

std::chrono::milliseconds Backoff(const DownloadOptions& o, int attempts) {
  auto d = o.initial_backoff;
  for (int i = 1; i < attempts && d < o.max_backoff; ++i) d *= 2;
  return std::min(d, o.max_backoff);
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

base::Status CheckSourceAllowed(const std::string& url, bool has_checksum,
                                const DownloadOptions& options) {
  std::string scheme = plans::UrlScheme(url);
  if (scheme.empty() || scheme == "file" || scheme == "https") return base::Status::Ok();
  if (scheme == "http") {
    if (has_checksum || options.allow_http_without_checksum) return base::Status::Ok();
    return base::Status::InvalidArgument("refusing to download " + url +
                                         " over plain http without a checksum (add "
                                         "?checksum=sha256:<hex> or use https)");
  }
  return base::Status::InvalidArgument("cannot download " + url + ": unsupported URL scheme \"" +
                                       scheme + "\" (use https, http with a checksum, or file)");
}

Downloader::Downloader(DownloadOptions options, ProgressSink* progress)
    : options_(std::move(options)), progress_(progress) {
  GlobalInit();
}
Downloader::~Downloader() = default;

base::Result<DownloadResult> Downloader::Fetch(const DownloadRequest& request) {
  auto all = FetchAll({request});
  return std::move(all.front());
}

std::vector<base::Result<DownloadResult>> Downloader::FetchAll(
    const std::vector<DownloadRequest>& requests) {
  std::vector<std::unique_ptr<Transfer>> transfers(requests.size());
  std::vector<std::optional<base::Result<DownloadResult>>> results(requests.size());
  std::deque<Transfer*> waiting;
  for (size_t i = 0; i < requests.size(); ++i) {
    const DownloadRequest& req = requests[i];
    base::Status allowed = CheckSourceAllowed(req.url, req.expected.has_value(), options_);
    if (!allowed.ok()) {
      results[i] = allowed;
    } else if (IsLocal(req.url)) {
      results[i] = CopyLocal(req, options_);
    } else {
      auto t = std::make_unique<Transfer>();
      t->req = &req;
      t->opts = &options_;
      t->progress = progress_;
      t->partial = req.dest + ".partial";
      t->hasher = std::make_unique<MultiHasher>(
          req.expected ? std::optional(req.expected->algo) : std::nullopt);
      t->next_start = Clock::now();
      waiting.push_back(t.get());
      transfers[i] = std::move(t);
    }
  }
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(options_.max_parallel));
  size_t active = 0;
  while (active > 0 || !waiting.empty()) {
    auto now = Clock::now();
    for (auto it = waiting.begin(); it != waiting.end() && active < options_.max_parallel;) {
      Transfer* t = *it;
      if (t->next_start > now) {
        ++it;
        continue;
      }
      it = waiting.erase(it);
      base::Status st = StartAttempt(*t);
      if (!st.ok()) {
        t->outcome = st.WithContext("download " + t->req->url);
        continue;
      }
      curl_multi_add_handle(multi, t->easy);
      ++active;
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      CURLcode rc = msg->data.result;
      curl_multi_remove_handle(multi, msg->easy_handle);
      --active;
      Next next = FinishAttempt(*t, rc);
      if (next == Next::kRetry) {
        t->next_start = Clock::now() + Backoff(options_, t->attempts);
        waiting.push_back(t);
      } else if (next == Next::kRetryNow) {
        t->next_start = Clock::now();
        waiting.push_back(t);
      }
    }
    long timeout_ms = 250;
    if (active == 0 && !waiting.empty()) {
      auto earliest = (*std::min_element(waiting.begin(), waiting.end(), [](auto* a, auto* b) {
                        return a->next_start < b->next_start;
                      }))->next_start;
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(earliest - Clock::now());
      timeout_ms = std::clamp<long>(static_cast<long>(wait.count()), 0, 1000);
    }
    if (active > 0 || timeout_ms > 0) curl_multi_poll(multi, nullptr, 0, static_cast<int>(timeout_ms), nullptr);
  }
  curl_multi_cleanup(multi);
  std::vector<base::Result<DownloadResult>> out;
  out.reserve(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    if (transfers[i]) {
      Transfer& t = *transfers[i];
      if (t.fd >= 0) {
        ::close(t.fd);
        t.fd = -1;
      }
      if (progress_) {
        bool ok = t.outcome->ok();
        progress_->OnFinish(t.req->url, ok,
                            ok ? FormatBytes(static_cast<double>(t.outcome->value().size))
                               : t.outcome->status().message());
      }
      out.push_back(std::move(*t.outcome));
    } else {
      out.push_back(std::move(*results[i]));
    }
  }
  return out;
}

base::Result<std::string> Downloader::FetchText(const std::string& url,
                                                const std::optional<plans::Checksum>& expected,
                                                uint64_t max_bytes) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "replayer-fetch-XXXXXX").string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return base::Status::IoError(Errno("mkstemp"));
  ::close(fd);
  DownloadOptions small = options_;
  small.max_bytes = max_bytes;
  Downloader d(small, nullptr);
  auto r = d.Fetch(DownloadRequest{url, expected, tmpl});
  std::string text;
  if (r.ok()) {
    std::ifstream in(tmpl, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  ::unlink(tmpl.c_str());
  ::unlink((tmpl + ".partial").c_str());
  if (!r.ok()) return r.status();
  return text;
}

}  // namespace registry
