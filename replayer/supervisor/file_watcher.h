// replayer::FileWatcher: tells the event loop that a file in a directory may have changed.
//
// Uses inotify on the directory (the file may not exist yet, and nodes write it in place), and
// always also polls at a fixed interval: inotify does not see writes made through NFS or some
// container volumes, and polling is one stat per tick. The callback only says "look again";
// deciding whether the content is new and complete is the caller's job. Runs on the caller's
// io_context; not thread-safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <string>

#include "base/status.h"

namespace replayer {

class FileWatcher {
 public:
  FileWatcher(boost::asio::io_context& io, std::string dir, std::string file_name,
              std::chrono::nanoseconds poll_interval, std::function<void()> on_maybe_changed);
  ~FileWatcher();
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Starts watching. If inotify cannot be used, logs it once and relies on polling.
  void Start();
  void Stop();
  bool using_inotify() const { return inotify_.is_open(); }

 private:
  void ReadEvents();
  void ArmPoll();

  std::string dir_;
  std::string file_name_;
  std::chrono::nanoseconds poll_interval_;
  std::function<void()> on_maybe_changed_;
  boost::asio::posix::stream_descriptor inotify_;
  boost::asio::steady_timer poll_timer_;
  alignas(8) std::array<char, 8192> buf_{};
  bool stopped_ = false;
};

}  // namespace replayer
