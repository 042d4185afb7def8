#include "demochain/node/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace demochain {

LogFn StderrLogger() {
  return [](const std::string& level, const std::string& message) {
    static std::mutex mu;
    auto now = std::chrono::system_clock::now();
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[40];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    std::lock_guard<std::mutex> lock(mu);
    std::fprintf(stderr, "%s.%03dZ %s %s\n", stamp, static_cast<int>(ms.count()), level.c_str(),
                 message.c_str());
    std::fflush(stderr);
  };
}

}  // namespace demochain
