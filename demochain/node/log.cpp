#include "demochain/node/log.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <mutex>

namespace demochain {

// One line per call, written with a single write(2) (stderr is unbuffered, so a line is never
// split or held back). demochaind logs a line per committed block, thousands per second while
// syncing, so the "YYYY-MM-DDTHH:MM:SS" part is formatted once per second and reused.
LogFn StderrLogger() {
  return [](const std::string& level, const std::string& message) {
    static std::mutex mu;
    static int64_t cached_second = -1;
    static char cached[24];  // "2026-11-22T06:31:12", NUL-terminated
    const int64_t ms_since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
    const int64_t second = ms_since_epoch / 1000;
    const int ms = static_cast<int>(ms_since_epoch % 1000);
    std::string line;
    line.reserve(32 + level.size() + message.size());
    std::lock_guard<std::mutex> lock(mu);
    if (second != cached_second) {
      std::time_t t = static_cast<std::time_t>(second);
      std::tm tm{};
      gmtime_r(&t, &tm);
      std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
      cached_second = second;
    }
    line.append(cached);
    line.push_back('.');
    line.push_back(static_cast<char>('0' + ms / 100));
    line.push_back(static_cast<char>('0' + ms / 10 % 10));
    line.push_back(static_cast<char>('0' + ms % 10));
    line.append("Z ");
    line.append(level);
    line.push_back(' ');
    line.append(message);
    line.push_back('\n');
    const char* p = line.data();
    size_t left = line.size();
    while (left > 0) {
      ssize_t n = ::write(STDERR_FILENO, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // nowhere to log to: drop the line, as fprintf would
      p += n;
      left -= static_cast<size_t>(n);
    }
  };
}

}  // namespace demochain
