#include "demochain/node/block_fetcher.h"

#include <chrono>

#include "demochain/node/http_client.h"
#include "demochain/node/rest_views.h"

namespace demochain {

namespace {
constexpr size_t kMaxQueuedRanges = 2;
}

BlockFetcher::BlockFetcher(std::string peer, uint64_t first, uint64_t batch, uint64_t last,
                           LogFn log)
    : peer_(std::move(peer)),
      next_(first),
      batch_(std::max<uint64_t>(1, batch)),
      last_(last),
      log_(std::move(log)),
      thread_([this] { Loop(); }) {}

BlockFetcher::~BlockFetcher() { Stop(); }

void BlockFetcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

bool BlockFetcher::Next(std::vector<std::string>* blocks, uint64_t wait_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
               [this] { return stopped_ || !ready_.empty(); });
  if (stopped_) return false;
  blocks->clear();
  if (ready_.empty()) return true;  // nothing yet: caller checks its own stop flag and retries
  blocks->swap(ready_.front());
  ready_.pop_front();
  cv_.notify_all();
  return true;
}

void BlockFetcher::Loop() {
  HttpClient client;
  int errors = 0;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopped_ || ready_.size() < kMaxQueuedRanges; });
      if (stopped_) return;
    }
    if (last_ > 0 && next_ > last_) {  // everything up to the halt height is queued
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopped_; });
      return;
    }
    uint64_t to = next_ + batch_ - 1;
    if (last_ > 0) to = std::min(to, last_);
    HttpResult res =
        client.Get(peer_ + "/blocks?from=" + std::to_string(next_) + "&to=" + std::to_string(to));
    std::vector<std::string> blocks;
    bool ok = res.ok && res.status == 200 && DecodeBlockRange(res.body, &blocks);
    std::unique_lock<std::mutex> lock(mu_);
    if (stopped_) return;
    if (!ok) {
      if (errors++ % 20 == 0)
        log_("WRN", "fetching blocks from " + peer_ +
                        " failed: " + (res.ok ? "HTTP " + std::to_string(res.status) : res.error));
      cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stopped_; });
      continue;
    }
    errors = 0;
    if (blocks.empty()) {  // caught up: poll again shortly
      cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stopped_; });
      continue;
    }
    next_ += blocks.size();
    ready_.push_back(std::move(blocks));
    cv_.notify_all();
  }
}

}  // namespace demochain
