#include "binary-registry/block_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace registry {

BlockSink::BlockSink(int fd, MultiHasher* hasher, size_t block_bytes, size_t max_queued)
    : fd_(fd), hasher_(hasher), block_bytes_(block_bytes), max_queued_(max_queued) {
  current_.reserve(block_bytes_);
  worker_ = std::thread([this] { Run(); });
}

BlockSink::~BlockSink() { (void)Close(); }

void BlockSink::Push(std::vector<char> block) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] { return queue_.size() < max_queued_ || !error_.empty(); });
  queue_.push_back(std::move(block));
  cv_.notify_all();
}

bool BlockSink::Append(const char* data, size_t n) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!error_.empty()) return false;
  }
  while (n > 0) {
    size_t take = std::min(n, block_bytes_ - current_.size());
    current_.insert(current_.end(), data, data + take);
    data += take;
    n -= take;
    if (current_.size() == block_bytes_) {
      std::vector<char> next;
      {
        std::lock_guard<std::mutex> l(mu_);
        if (!spare_.empty()) {
          next = std::move(spare_.back());
          spare_.pop_back();
        }
      }
      next.clear();
      next.reserve(block_bytes_);
      Push(std::move(current_));
      current_ = std::move(next);
    }
  }
  return true;
}

base::Status BlockSink::Close() {
  if (closed_) {
    std::lock_guard<std::mutex> l(mu_);
    return error_.empty() ? base::Status::Ok() : base::Status::IoError(error_);
  }
  if (!current_.empty()) Push(std::move(current_));
  current_.clear();
  {
    std::lock_guard<std::mutex> l(mu_);
    closing_ = true;
    cv_.notify_all();
  }
  worker_.join();
  closed_ = true;
  return error_.empty() ? base::Status::Ok() : base::Status::IoError(error_);
}

void BlockSink::Run() {
  off_t start = ::lseek(fd_, 0, SEEK_CUR);
  off_t synced = start;
  off_t pos = start;
  while (true) {
    std::vector<char> block;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;
      block = std::move(queue_.front());
      queue_.pop_front();
      cv_.notify_all();
    }
    hasher_->Update(block.data(), block.size());
    const char* p = block.data();
    size_t left = block.size();
    while (left > 0) {
      ssize_t w = ::write(fd_, p, left);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        std::lock_guard<std::mutex> l(mu_);
        error_ = std::string("write: ") + std::strerror(errno);
        queue_.clear();
        cv_.notify_all();
        return;
      }
      p += w;
      left -= static_cast<size_t>(w);
      pos += w;
    }
    if (pos - synced >= (32 << 20)) {
      ::sync_file_range(fd_, synced, pos - synced, SYNC_FILE_RANGE_WRITE);
      synced = pos;
    }
    std::lock_guard<std::mutex> l(mu_);
    if (spare_.size() < 2) spare_.push_back(std::move(block));
  }
}

}  // namespace registry
