// FileWatcher against the real file system: inotify sees a write at once; polling alone (a
// directory inotify cannot watch is simulated by a huge poll interval vs a tiny one) still sees it.
#include "replayer/supervisor/file_watcher.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/testing/temp_dir.h"

namespace replayer {
namespace {

int RunUntil(boost::asio::io_context& io, const int& count, int want) {
  boost::asio::steady_timer guard(io);
  bool expired = false;
  guard.expires_after(std::chrono::seconds(5));
  guard.async_wait([&](const boost::system::error_code& ec) { expired = !ec; });
  while (count < want && !expired) io.run_one();
  guard.cancel();
  io.poll();
  return count;
}

TEST(FileWatcher, InotifySeesTheFileAppearWithoutPolling) {
  testing_util::TempDir dir;
  boost::asio::io_context io;
  int count = 0;
  FileWatcher w(io, dir.path(), "upgrade-info.json", std::chrono::hours(1), [&] { ++count; });
  w.Start();
  ASSERT_TRUE(w.using_inotify());
  // Other files are not reported: their events are queued on the inotify descriptor by the
  // time the write returns, and io.poll() runs every handler that is ready, without waiting.
  std::ofstream(dir / "other.txt") << "x";
  for (int i = 0; i < 10; ++i) io.poll();
  EXPECT_EQ(count, 0) << "a change to other.txt was reported";
  std::ofstream(dir / "upgrade-info.json") << "{}";
  EXPECT_GE(RunUntil(io, count, 1), 1);
  w.Stop();
}

TEST(FileWatcher, PollingFiresAtTheInterval) {
  testing_util::TempDir dir;
  boost::asio::io_context io;
  int count = 0;
  FileWatcher w(io, dir.path(), "upgrade-info.json", std::chrono::milliseconds(5), [&] { ++count; });
  w.Start();
  EXPECT_GE(RunUntil(io, count, 3), 3);
  w.Stop();
}

TEST(FileWatcher, MissingDirectoryFallsBackToPolling) {
  testing_util::TempDir dir;
  boost::asio::io_context io;
  int count = 0;
  FileWatcher w(io, dir / "missing", "upgrade-info.json", std::chrono::milliseconds(5),
                [&] { ++count; });
  w.Start();
  EXPECT_FALSE(w.using_inotify());
  EXPECT_GE(RunUntil(io, count, 2), 2);
  w.Stop();
}

}  // namespace
}  // namespace replayer
