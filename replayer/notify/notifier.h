// replayer::Notifier: delivers events to the webhooks of REPLAYER_WEBHOOK_URL, in the
// background, so that nothing a webhook does (refuse, hang, answer 500) changes a switch.
//
// One delivery thread per URL, each with its own bounded queue (events reach each URL in the
// order they were published; a slow URL never delays another). Publish() formats and signs the
// body on the caller's thread and only enqueues: it never waits for the network, never fails,
// and drops the event with a warning when that URL's queue is full. Each POST has its own
// timeout and is retried a bounded number of times with doubling back-off (no answer, 408, 429,
// 5xx; other answers are final). Drain() (and the destructor) lets the threads finish what is
// queued for at most drain_timeout, then abandons the rest and says how many. The threads block
// every signal, so the supervisor's signal handling is unchanged. Logs name URLs only through
// WebhookUrlForDisplay (no credentials). The transport is a seam: CurlPost is the real one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "replayer/notify/event.h"
#include "replayer/notify/webhook_settings.h"

namespace replayer {

struct WebhookPost {
  std::string url;  // as configured, credentials included (libcurl sends them as Basic auth)
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  std::chrono::milliseconds timeout{0};
  std::function<bool()> abort;  // polled while waiting; true ends the request now
};
struct WebhookAnswer {
  long status = 0;    // the HTTP status, 0 when there was no answer
  std::string error;  // why there was no answer (credentials hidden)
};
using WebhookTransport = std::function<WebhookAnswer(const WebhookPost&)>;

// One POST with libcurl: no redirects, http and https only, the body sent as it is.
WebhookAnswer CurlPost(const WebhookPost& post);

// The headers of one delivery: Content-Type, User-Agent, X-Replayer-Event, and
// X-Replayer-Signature (SignBody) when `secret` is not empty.
std::vector<std::string> WebhookHeaders(std::string_view event, std::string_view body,
                                        std::string_view secret, std::string_view version);

class Notifier {
 public:
  // Starts one thread per URL (none when settings.urls is empty).
  Notifier(WebhookSettings settings, NotifyContext context, WebhookTransport transport = CurlPost);
  ~Notifier();  // Drain()
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Thread-safe; returns at once.
  void Publish(const NotifyEvent& event);
  // Waits at most settings.drain_timeout for the queues to empty (an attempt in flight at the
  // deadline is aborted), then stops the threads. Publish() afterwards drops. Idempotent.
  void Drain();

  struct Counts {
    uint64_t delivered = 0;  // events a URL answered with 2xx
    uint64_t failed = 0;     // events given up after their attempts (or a final answer)
    uint64_t dropped = 0;    // events never tried: queue full, or left at the drain deadline
  };
  Counts counts() const;  // summed over the URLs; final after Drain()

 private:
  class Sink;
  WebhookSettings settings_;
  NotifyContext context_;
  std::vector<std::unique_ptr<Sink>> sinks_;
  std::atomic<bool> drained_{false};
};

}  // namespace replayer
