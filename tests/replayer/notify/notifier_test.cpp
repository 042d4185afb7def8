// The delivery threads' rules with a scripted transport: order, headers, bounded retries with
// back-off, final answers, a full queue, the exit deadline. (The real transport, libcurl against
// a real loopback receiver, is tested end to end in tests/e2e/webhook_test.cpp.)
#include "replayer/notify/notifier.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace replayer {
namespace {

using namespace std::chrono_literals;

struct Script {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<WebhookPost> posts;
  std::function<WebhookAnswer(const WebhookPost&, size_t n)> answer = [](const WebhookPost&, size_t) {
    return WebhookAnswer{200, ""};
  };
  WebhookTransport Transport() {
    return [this](const WebhookPost& p) {
      size_t n;
      {
        std::lock_guard<std::mutex> l(mu);
        posts.push_back(p);
        n = posts.size();
        cv.notify_all();
      }
      return answer(p, n);
    };
  }
  size_t Count() {
    std::lock_guard<std::mutex> l(mu);
    return posts.size();
  }
};

WebhookSettings Settings(std::vector<std::string> urls = {"http://127.0.0.1:1/hook"}) {
  WebhookSettings s;
  s.urls = std::move(urls);
  s.backoff = 1ms;
  s.timeout = 1s;
  s.drain_timeout = 5s;
  return s;
}

NotifyEvent Event(int i) { return RunFailedEvent(i, "e" + std::to_string(i)); }

TEST(Notifier, DeliversInOrderToEveryUrlWithSignedBodies) {
  Script script;
  WebhookSettings s = Settings({"http://127.0.0.1:1/a", "http://127.0.0.1:1/b"});
  s.secret = "k";
  Notifier n(s, {"/h", "simd", "", "9.9"}, script.Transport());
  for (int i = 0; i < 20; ++i) n.Publish(Event(i));
  n.Drain();
  EXPECT_EQ(n.counts().delivered, 40u);
  ASSERT_EQ(script.posts.size(), 40u);
  int next_a = 0, next_b = 0;
  for (const auto& p : script.posts) {
    int& next = p.url.back() == 'a' ? next_a : next_b;
    EXPECT_EQ(nlohmann::json::parse(p.body)["time_ms"], next) << p.body;
    ++next;
    EXPECT_EQ(p.headers, WebhookHeaders("run.failed", p.body, "k", "9.9"));
    EXPECT_NE(std::find(p.headers.begin(), p.headers.end(),
                        "X-Replayer-Signature: " + SignBody("k", p.body)),
              p.headers.end());
  }
  EXPECT_EQ(next_a, 20);
  EXPECT_EQ(next_b, 20);
}

TEST(Notifier, NoSecretNoSignature) {
  auto h = WebhookHeaders("x", "{}", "", "1");
  for (const auto& line : h) EXPECT_EQ(line.find("Signature"), std::string::npos) << line;
}

TEST(Notifier, RetriesAreBoundedAndOnlyForWhatMayPass) {
  for (long status : {0L, 500L, 503L, 429L, 408L}) {
    Script script;
    script.answer = [status](const WebhookPost&, size_t) { return WebhookAnswer{status, "refused"}; };
    WebhookSettings s = Settings();
    s.retries = 2;
    Notifier n(s, {}, script.Transport());
    n.Publish(Event(1));
    n.Drain();
    EXPECT_EQ(script.posts.size(), 3u) << status;
    EXPECT_EQ(n.counts().failed, 1u) << status;
    for (const auto& p : script.posts) EXPECT_EQ(p.body, script.posts[0].body);
  }
  for (long status : {400L, 401L, 404L, 301L}) {
    Script script;
    script.answer = [status](const WebhookPost&, size_t) { return WebhookAnswer{status, ""}; };
    Notifier n(Settings(), {}, script.Transport());
    n.Publish(Event(1));
    n.Drain();
    EXPECT_EQ(script.posts.size(), 1u) << status;
    EXPECT_EQ(n.counts().failed, 1u) << status;
  }
  // A retry that succeeds ends the attempts.
  Script script;
  script.answer = [](const WebhookPost&, size_t n) { return WebhookAnswer{n < 3 ? 502L : 204L, ""}; };
  Notifier n(Settings(), {}, script.Transport());
  n.Publish(Event(1));
  n.Drain();
  EXPECT_EQ(script.posts.size(), 3u);
  EXPECT_EQ(n.counts().delivered, 1u);
}

TEST(Notifier, PublishNeverWaitsForTheNetwork) {
  Script script;
  std::atomic<bool> release{false};
  script.answer = [&release](const WebhookPost& p, size_t) {
    while (!release && !p.abort()) std::this_thread::sleep_for(1ms);
    return WebhookAnswer{200, ""};
  };
  WebhookSettings s = Settings();
  s.queue_capacity = 5;
  Notifier n(s, {}, script.Transport());
  // The first is taken by the (stuck) thread, five wait, the rest are dropped: Publish returned
  // every time although nothing can be delivered.
  n.Publish(Event(0));
  {
    std::unique_lock<std::mutex> l(script.mu);
    script.cv.wait(l, [&script] { return !script.posts.empty(); });
  }
  for (int i = 1; i <= 10; ++i) n.Publish(Event(i));
  release = true;
  n.Drain();
  EXPECT_EQ(n.counts().delivered, 6u);
  EXPECT_EQ(n.counts().dropped, 5u);
}

TEST(Notifier, ExitDeadlineAbortsWhatIsInFlightAndDropsTheRest) {
  Script script;
  script.answer = [](const WebhookPost& p, size_t) {
    // A receiver that never answers: only the abort (or the timeout) ends the request.
    while (!p.abort()) std::this_thread::sleep_for(1ms);
    return WebhookAnswer{0, "aborted"};
  };
  WebhookSettings s = Settings();
  s.timeout = 1h;
  s.drain_timeout = 200ms;
  Notifier n(s, {}, script.Transport());
  for (int i = 0; i < 5; ++i) n.Publish(Event(i));
  n.Drain();  // returns: the test would hang otherwise
  EXPECT_EQ(script.Count(), 1u);
  EXPECT_EQ(n.counts().failed, 1u);
  EXPECT_EQ(n.counts().dropped, 4u);
  // The attempt in flight at drain time was told how long it may still take.
  EXPECT_LE(script.posts[0].timeout, 1h);
  n.Publish(Event(9));  // after Drain: ignored
  EXPECT_EQ(script.Count(), 1u);
}

TEST(Notifier, WithoutUrlsNothingRuns) {
  Notifier n(WebhookSettings{}, {}, [](const WebhookPost&) -> WebhookAnswer {
    ADD_FAILURE() << "no URL, no POST";
    return {};
  });
  n.Publish(Event(1));
  n.Drain();
  EXPECT_EQ(n.counts().delivered + n.counts().failed + n.counts().dropped, 0u);
}

}  // namespace
}  // namespace replayer
