#include "binary-registry/block_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace registry {
namespace {

constexpr size_t kAlign = 4096;

}  // namespace

BlockSink::BlockSink(int fd, const std::string& path, MultiHasher* hasher, size_t block_bytes,
                     size_t max_queued)
    : fd_(fd), hasher_(hasher), block_bytes_(block_bytes), max_queued_(max_queued) {
  direct_fd_ = ::open(path.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);  // -1 on tmpfs: fine
  current_ = NewBlock();
  hasher_thread_ = std::thread([this] { RunHasher(); });
  writer_thread_ = std::thread([this] { RunWriter(); });
}

BlockSink::~BlockSink() {
  (void)Close();
  if (direct_fd_ >= 0) ::close(direct_fd_);
}

BlockSink::Block BlockSink::NewBlock() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!spare_.empty()) {
      Block b = std::move(spare_.back());
      spare_.pop_back();
      b.size = 0;
      return b;
    }
  }
  Block b;
  b.data.reset(static_cast<char*>(std::aligned_alloc(kAlign, block_bytes_)));
  return b;
}

void BlockSink::Push(Block block) {
  auto shared = std::make_shared<Block>(std::move(block));
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] {
    return (hash_queue_.size() < max_queued_ && write_queue_.size() < max_queued_) ||
           !error_.empty();
  });
  hash_queue_.push_back(shared);
  write_queue_.push_back(std::move(shared));
  cv_.notify_all();
}

void BlockSink::Release(Shared& block) {
  if (block.use_count() == 1) spare_.push_back(std::move(*block));
  block.reset();
}

bool BlockSink::Append(const char* data, size_t n) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!error_.empty()) return false;
  }
  if (!current_.data) return false;  // allocation failed
  while (n > 0) {
    size_t take = std::min(n, block_bytes_ - current_.size);
    std::memcpy(current_.data.get() + current_.size, data, take);
    current_.size += take;
    data += take;
    n -= take;
    if (current_.size == block_bytes_) {
      Push(std::move(current_));
      current_ = NewBlock();
      if (!current_.data) return false;
    }
  }
  return true;
}

base::Status BlockSink::Close() {
  if (!closed_) {
    if (current_.data && current_.size > 0) Push(std::move(current_));
    {
      std::lock_guard<std::mutex> l(mu_);
      closing_ = true;
      cv_.notify_all();
    }
    hasher_thread_.join();
    writer_thread_.join();
    closed_ = true;
  }
  std::lock_guard<std::mutex> l(mu_);
  return error_.empty() ? base::Status::Ok() : base::Status::IoError(error_);
}

bool BlockSink::WriteAt(const char* p, size_t n, off_t pos) {
  // Aligned whole pages go straight to the device; the rest through the page cache.
  size_t direct = (direct_fd_ >= 0 && pos % kAlign == 0) ? n / kAlign * kAlign : 0;
  while (direct > 0) {
    ssize_t w = ::pwrite(direct_fd_, p, direct, pos);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 || w % static_cast<ssize_t>(kAlign) != 0) {
      ::close(direct_fd_);  // this file system refuses O_DIRECT after all
      direct_fd_ = -1;
      if (w > 0) {
        p += w;
        n -= static_cast<size_t>(w);
        pos += w;
      }
      break;
    }
    p += w;
    n -= static_cast<size_t>(w);
    pos += w;
    direct -= static_cast<size_t>(w);
  }
  while (n > 0) {
    ssize_t w = ::pwrite(fd_, p, n, pos);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
    pos += w;
  }
  return true;
}

void BlockSink::RunHasher() {
  while (true) {
    Shared block;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return !hash_queue_.empty() || closing_ || !error_.empty(); });
      if (hash_queue_.empty() || !error_.empty()) return;
      block = std::move(hash_queue_.front());
      hash_queue_.pop_front();
      cv_.notify_all();
    }
    hasher_->Update(block->data.get(), block->size);
    std::lock_guard<std::mutex> l(mu_);
    Release(block);
  }
}

void BlockSink::RunWriter() {
  off_t pos = ::lseek(fd_, 0, SEEK_CUR);
  off_t synced = pos;
  while (true) {
    Shared block;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return !write_queue_.empty() || closing_ || !error_.empty(); });
      if (write_queue_.empty() || !error_.empty()) break;
      block = std::move(write_queue_.front());
      write_queue_.pop_front();
      cv_.notify_all();
    }
    if (!WriteAt(block->data.get(), block->size, pos)) {
      std::lock_guard<std::mutex> l(mu_);
      error_ = std::string("write: ") + std::strerror(errno);
      hash_queue_.clear();
      write_queue_.clear();
      cv_.notify_all();
      return;
    }
    pos += static_cast<off_t>(block->size);
    if (direct_fd_ < 0 && pos - synced >= (32 << 20)) {
      ::sync_file_range(fd_, synced, pos - synced, SYNC_FILE_RANGE_WRITE);
      synced = pos;
    }
    std::lock_guard<std::mutex> l(mu_);
    Release(block);
  }
  ::lseek(fd_, pos, SEEK_SET);  // leave the shared descriptor where the data ends
}

}  // namespace registry
