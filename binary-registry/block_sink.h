// registry::BlockSink (internal to the downloader): hashes and writes received bytes on a worker
// thread, so the thread that receives (curl's callback) only copies into 4 MiB blocks. That
// overlaps network receive with SHA-256 and the file write: the hashing path is otherwise the
// bottleneck of a loopback or LAN download. At most `max_queued` blocks wait (back-pressure
// blocks the receiver). Dirty pages are handed to writeback as the file grows
// (sync_file_range), so the final fsync before the rename is short. One producer thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "binary-registry/hashing.h"

namespace registry {

class BlockSink {
 public:
  BlockSink(int fd, MultiHasher* hasher, size_t block_bytes = 4 << 20, size_t max_queued = 8);
  ~BlockSink();
  BlockSink(const BlockSink&) = delete;
  BlockSink& operator=(const BlockSink&) = delete;

  // Copies `n` bytes in; false once the worker has failed (see Close for why).
  bool Append(const char* data, size_t n);
  // Flushes what is buffered, waits for the worker, and reports the first write error.
  base::Status Close();

 private:
  void Run();
  void Push(std::vector<char> block);

  int fd_;
  MultiHasher* hasher_;
  size_t block_bytes_, max_queued_;
  std::vector<char> current_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<char>> queue_;
  std::vector<std::vector<char>> spare_;
  bool closing_ = false, closed_ = false;
  std::string error_;  // set by the worker
  std::thread worker_;
};

}  // namespace registry
