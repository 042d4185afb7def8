// Fetches block ranges from a peer on a thread of its own, one range ahead of the node thread
// that executes them, so network, the peer's work and decoding overlap with execution. Ranges
// come over one keep-alive connection (/blocks?from=A&to=B). The queue holds at most two ranges,
// so memory stays bounded. Next() blocks until a range, an empty range (the peer has nothing
// newer yet: caller retries later), or Stop().
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "demochain/core/app.h"

namespace demochain {

class BlockFetcher {
 public:
  // Fetches from `first` on, `batch` blocks per request, never past `last` (0 = no limit).
  BlockFetcher(std::string peer, uint64_t first, uint64_t batch, uint64_t last, LogFn log);
  ~BlockFetcher();
  BlockFetcher(const BlockFetcher&) = delete;
  BlockFetcher& operator=(const BlockFetcher&) = delete;

  // Returns false once stopped. `blocks` empty = caught up with the peer for now.
  bool Next(std::vector<std::string>* blocks, uint64_t wait_ms);
  void Stop();

 private:
  void Loop();

  std::string peer_;
  uint64_t next_;
  uint64_t batch_;
  uint64_t last_;
  LogFn log_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<std::string>> ready_;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace demochain
