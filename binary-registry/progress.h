// registry::ProgressSink: how downloads report progress without printing.
//
// The downloader calls a ProgressSink (at most every 100 ms per transfer, plus start and end);
// the application chooses the sink: a one-line bar on a terminal (BarProgressSink, writing
// through a function the CLI supplies) or periodic spdlog lines (LogProgressSink). Library code
// never writes to stdout or stderr itself. Sinks are called from the downloading thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace registry {

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  // `total` is 0 when the size is unknown. `done` counts resumed bytes too.
  virtual void OnStart(std::string_view url, uint64_t done, uint64_t total) = 0;
  virtual void OnProgress(std::string_view url, uint64_t done, uint64_t total) = 0;
  virtual void OnFinish(std::string_view url, bool ok, std::string_view detail) = 0;
};

// "[=========>          ]  45%  123.4 MiB / 274.0 MiB  56.7 MiB/s  ETA 3s" in `width` columns.
std::string FormatProgressBar(uint64_t done, uint64_t total, double bytes_per_sec, int width);
// "123.4 MiB"
std::string FormatBytes(double bytes);

// Logs one spdlog info line per transfer every `interval`, plus start and finish.
class LogProgressSink : public ProgressSink {
 public:
  explicit LogProgressSink(std::chrono::milliseconds interval = std::chrono::seconds(5))
      : interval_(interval) {}
  void OnStart(std::string_view url, uint64_t done, uint64_t total) override;
  void OnProgress(std::string_view url, uint64_t done, uint64_t total) override;
  void OnFinish(std::string_view url, bool ok, std::string_view detail) override;

 private:
  struct Track {
    std::chrono::steady_clock::time_point start, last;
    uint64_t start_bytes = 0;
  };
  std::chrono::milliseconds interval_;
  std::map<std::string, Track, std::less<>> tracks_;
};

// Redraws a bar through `write` ("\r<bar>"), for a terminal; the CLI decides isatty().
class BarProgressSink : public ProgressSink {
 public:
  explicit BarProgressSink(std::function<void(std::string_view)> write, int width = 80)
      : write_(std::move(write)), width_(width) {}
  void OnStart(std::string_view url, uint64_t done, uint64_t total) override;
  void OnProgress(std::string_view url, uint64_t done, uint64_t total) override;
  void OnFinish(std::string_view url, bool ok, std::string_view detail) override;

 private:
  std::function<void(std::string_view)> write_;
  int width_;
  std::chrono::steady_clock::time_point start_;
  uint64_t start_bytes_ = 0;
};

}  // namespace registry
