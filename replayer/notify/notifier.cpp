#include "replayer/notify/notifier.h"

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "base/redact.h"

namespace replayer {
namespace {

using Clock = std::chrono::steady_clock;

bool Retryable(const WebhookAnswer& a) {
  return a.status == 0 || a.status == 408 || a.status == 429 || a.status >= 500;
}

std::string Describe(const WebhookAnswer& a) {
  return a.status == 0 ? a.error : "HTTP " + std::to_string(a.status);
}

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

int AbortIfAsked(void* p, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* abort = static_cast<const std::function<bool()>*>(p);
  return *abort && (*abort)() ? 1 : 0;
}

}  // namespace

WebhookAnswer CurlPost(const WebhookPost& post) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  WebhookAnswer answer;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> c(curl_easy_init(), curl_easy_cleanup);
  if (!c) {
    answer.error = "cannot start a libcurl request";
    return answer;
  }
  curl_slist* headers = nullptr;
  for (const auto& h : post.headers) headers = curl_slist_append(headers, h.c_str());
  // No "Expect: 100-continue": a receiver that does not answer it would cost a second per POST.
  headers = curl_slist_append(headers, "Expect:");
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* e = c.get();
  curl_easy_setopt(e, CURLOPT_URL, post.url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, post.body.data());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post.body.size()));
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(post.timeout.count()));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(post.timeout.count()));
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, AbortIfAsked);
  curl_easy_setopt(e, CURLOPT_XFERINFODATA, const_cast<std::function<bool()>*>(&post.abort));
  CURLcode rc = curl_easy_perform(e);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    answer.error = base::RedactUrlUserInfo(errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return answer;
  }
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &answer.status);
  return answer;
}

std::vector<std::string> WebhookHeaders(std::string_view event, std::string_view body,
                                        std::string_view secret, std::string_view version) {
  std::vector<std::string> h = {"Content-Type: application/json",
                                "User-Agent: replayer/" + std::string(version),
                                "X-Replayer-Event: " + std::string(event)};
  if (!secret.empty()) h.push_back("X-Replayer-Signature: " + SignBody(secret, body));
  return h;
}

// One URL: its queue and the thread that empties it.
class Notifier::Sink {
 public:
  struct Item {
    std::string event;
    std::string body;
    std::vector<std::string> headers;
  };

  Sink(std::string url, const WebhookSettings& settings, WebhookTransport transport)
      : url_(std::move(url)),
        shown_(WebhookUrlForDisplay(url_)),
        settings_(settings),
        transport_(std::move(transport)) {
    // The thread starts with every signal blocked (they stay the supervisor's).
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    thread_ = std::thread([this] { Loop(); });
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }

  void Push(Item item) {
    std::lock_guard<std::mutex> l(mu_);
    if (draining_) {
      ++counts_.dropped;
      return;
    }
    if (queue_.size() >= settings_.queue_capacity) {
      ++counts_.dropped;
      if (!full_warned_) {
        spdlog::warn("webhook {}: {} events waiting; dropping {} and later events until it "
                     "catches up", shown_, queue_.size(), item.event);
        full_warned_ = true;
      }
      return;
    }
    full_warned_ = false;
    queue_.push_back(std::move(item));
    cv_.notify_all();
  }

  void BeginDrain(Clock::time_point deadline) {
    std::lock_guard<std::mutex> l(mu_);
    if (draining_) return;
    draining_ = true;
    deadline_ = deadline;
    cv_.notify_all();
  }

  void Join() {
    if (thread_.joinable()) thread_.join();
  }

  Counts counts() const {
    std::lock_guard<std::mutex> l(mu_);
    return counts_;
  }

 private:
  bool PastDeadline() const { return draining_ && Clock::now() >= deadline_; }

  void Loop() {
    for (;;) {
      Item item;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [this] { return !queue_.empty() || draining_; });
        if (queue_.empty()) return;
        if (PastDeadline()) {
          Abandon();
          return;
        }
        item = std::move(queue_.front());
        queue_.pop_front();
      }
      Deliver(item);
    }
  }

  // Under mu_: what is still queued at the drain deadline is given up, and said so.
  void Abandon() {
    if (queue_.empty()) return;
    spdlog::warn("webhook {}: {} events not sent: the exit deadline "
                 "(REPLAYER_WEBHOOK_DRAIN_TIMEOUT) passed", shown_, queue_.size());
    counts_.dropped += queue_.size();
    queue_.clear();
  }

  // Waits until `until`, or less when the drain deadline comes first; false when it came.
  bool Sleep(Clock::time_point until) {
    std::unique_lock<std::mutex> l(mu_);
    while (Clock::now() < until) {
      if (PastDeadline()) return false;
      cv_.wait_until(l, draining_ ? std::min(until, deadline_) : until);
    }
    return !PastDeadline();
  }

  void Deliver(const Item& item) {
    std::chrono::milliseconds wait = settings_.backoff;
    WebhookAnswer last;
    int attempts = 0;
    for (int attempt = 0; attempt <= settings_.retries; ++attempt) {
      std::chrono::milliseconds timeout = settings_.timeout;
      {
        std::lock_guard<std::mutex> l(mu_);
        if (PastDeadline()) break;
        if (draining_) {
          auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
          timeout = std::clamp(left, std::chrono::milliseconds(1), timeout);
        }
      }
      WebhookPost post{url_, item.body, item.headers, timeout, [this] {
                         std::lock_guard<std::mutex> l(mu_);
                         return PastDeadline();
                       }};
      last = transport_(post);
      ++attempts;
      if (last.status >= 200 && last.status < 300) {
        std::lock_guard<std::mutex> l(mu_);
        ++counts_.delivered;
        return;
      }
      spdlog::debug("webhook {}: {} attempt {} of {}: {}", shown_, item.event, attempt + 1,
                    settings_.retries + 1, Describe(last));
      if (!Retryable(last) || attempt == settings_.retries) break;
      if (!Sleep(Clock::now() + wait)) break;
      wait = std::min(wait * 2, kMaxBackoff);
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      ++(attempts == 0 ? counts_.dropped : counts_.failed);
    }
    if (attempts == 0) {
      spdlog::warn("webhook {}: {} not sent: the exit deadline (REPLAYER_WEBHOOK_DRAIN_TIMEOUT) "
                   "passed", shown_, item.event);
      return;
    }
    spdlog::warn("webhook {}: {} not delivered after {} attempt{}: {}", shown_, item.event,
                 attempts, attempts == 1 ? "" : "s", Describe(last));
  }

  const std::string url_;
  const std::string shown_;
  const WebhookSettings& settings_;
  WebhookTransport transport_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool draining_ = false;
  bool full_warned_ = false;
  Clock::time_point deadline_{};
  Counts counts_;
  std::thread thread_;  // last: starts after everything it uses
};

Notifier::Notifier(WebhookSettings settings, NotifyContext context, WebhookTransport transport)
    : settings_(std::move(settings)), context_(std::move(context)) {
  if (transport == nullptr) transport = CurlPost;
  for (const auto& url : settings_.urls) {
    sinks_.push_back(std::make_unique<Sink>(url, settings_, transport));
  }
}

Notifier::~Notifier() { Drain(); }

void Notifier::Publish(const NotifyEvent& event) {
  if (sinks_.empty() || drained_) return;
  std::string body = settings_.format == WebhookFormat::kSlack ? FormatSlackJson(event, context_)
                                                                : FormatEventJson(event, context_);
  std::vector<std::string> headers =
      WebhookHeaders(event.event, body, settings_.secret, context_.replayer_version);
  for (auto& s : sinks_) s->Push({event.event, body, headers});
}

void Notifier::Drain() {
  if (drained_.exchange(true)) return;
  auto deadline = Clock::now() + settings_.drain_timeout;
  for (auto& s : sinks_) s->BeginDrain(deadline);
  for (auto& s : sinks_) s->Join();
}

Notifier::Counts Notifier::counts() const {
  Counts total;
  for (const auto& s : sinks_) {
    Counts c = s->counts();
    total.delivered += c.delivered;
    total.failed += c.failed;
    total.dropped += c.dropped;
  }
  return total;
}

}  // namespace replayer
