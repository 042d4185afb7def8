#include "replayer/supervisor/file_watcher.h"

#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace replayer {

FileWatcher::FileWatcher(boost::asio::io_context& io, std::string dir, std::string file_name,
                         std::chrono::nanoseconds poll_interval,
                         std::function<void()> on_maybe_changed)
    : dir_(std::move(dir)),
      file_name_(std::move(file_name)),
      poll_interval_(poll_interval),
      on_maybe_changed_(std::move(on_maybe_changed)),
      inotify_(io),
      poll_timer_(io) {}

FileWatcher::~FileWatcher() { Stop(); }

void FileWatcher::Start() {
  stopped_ = false;
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd >= 0 &&
      inotify_add_watch(fd, dir_.c_str(),
                        IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_ATTRIB) >= 0) {
    inotify_.assign(fd);
    ReadEvents();
  } else {
    spdlog::warn("inotify unavailable for {} ({}); polling every {} ms", dir_,
                 std::strerror(errno),
                 std::chrono::duration_cast<std::chrono::milliseconds>(poll_interval_).count());
    if (fd >= 0) close(fd);
  }
  ArmPoll();
}

void FileWatcher::Stop() {
  stopped_ = true;
  boost::system::error_code ec;
  poll_timer_.cancel();
  if (inotify_.is_open()) inotify_.close(ec);
}

void FileWatcher::ReadEvents() {
  inotify_.async_read_some(
      boost::asio::buffer(buf_), [this](const boost::system::error_code& ec, size_t n) {
        if (ec || stopped_) return;
        bool relevant = false;
        for (size_t off = 0; off + sizeof(inotify_event) <= n;) {
          const auto* ev = reinterpret_cast<const inotify_event*>(buf_.data() + off);
          if (ev->len > 0 && file_name_ == ev->name) relevant = true;
          if (ev->mask & IN_Q_OVERFLOW) relevant = true;
          off += sizeof(inotify_event) + ev->len;
        }
        if (relevant) on_maybe_changed_();
        if (!stopped_) ReadEvents();
      });
}

void FileWatcher::ArmPoll() {
  poll_timer_.expires_after(poll_interval_);
  poll_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    on_maybe_changed_();
    if (!stopped_) ArmPoll();
  });
}

}  // namespace replayer
