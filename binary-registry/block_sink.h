// registry::BlockSink (internal to the downloader): hashes and writes received bytes on two
// worker threads (one hashes, one writes, both reading the same block), so the thread that
// receives (curl's callback) only copies into 4 MiB blocks, reused until the end. That overlaps
// network receive, SHA-256 and the file write, whose sum otherwise bounds a loopback or LAN
// download. Full blocks at page-aligned offsets are written with O_DIRECT through a second
// descriptor (blocks are page-aligned in memory): on our VMs that costs a tenth of the CPU of a
// page-cache write of the same bytes. Unaligned pieces (a resumed start, the tail) and file
// systems without O_DIRECT (tmpfs) use ordinary writes. At most `max_queued` blocks wait
// (back-pressure blocks the receiver). The caller still fsyncs before renaming. One producer.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "binary-registry/hashing.h"

namespace registry {

class BlockSink {
 public:
  // `fd` is open for writing at the position where data continues; `path` names the same file
  // (for the O_DIRECT descriptor).
  BlockSink(int fd, const std::string& path, MultiHasher* hasher, size_t block_bytes = 4 << 20,
            size_t max_queued = 4);
  ~BlockSink();
  BlockSink(const BlockSink&) = delete;
  BlockSink& operator=(const BlockSink&) = delete;

  // Copies `n` bytes in; false once the worker has failed (see Close for why).
  bool Append(const char* data, size_t n);
  // Flushes what is buffered, waits for the worker, and reports the first write error.
  base::Status Close();

 private:
  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  struct Block {
    std::unique_ptr<char, Free> data;
    size_t size = 0;
  };
  using Shared = std::shared_ptr<Block>;
  Block NewBlock();
  void RunHasher();
  void RunWriter();
  void Push(Block block);
  // Returns a block both workers are done with to the spare pool. Requires mu_.
  void Release(Shared& block);
  bool WriteAt(const char* p, size_t n, off_t pos);

  int fd_;
  int direct_fd_ = -1;
  MultiHasher* hasher_;
  size_t block_bytes_, max_queued_;
  Block current_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Shared> hash_queue_, write_queue_;
  std::vector<Block> spare_;
  bool closing_ = false, closed_ = false;
  std::string error_;  // set by the worker
  std::thread hasher_thread_, writer_thread_;
};

}  // namespace registry
