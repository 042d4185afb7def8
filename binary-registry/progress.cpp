#include "binary-registry/progress.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

namespace registry {
namespace {

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string Eta(uint64_t done, uint64_t total, double rate) {
  if (total == 0 || rate <= 0 || done >= total) return "";
  auto secs = static_cast<uint64_t>(static_cast<double>(total - done) / rate);
  char buf[32];
  if (secs >= 3600) {
    std::snprintf(buf, sizeof buf, "ETA %lluh%02llum", static_cast<unsigned long long>(secs / 3600),
                  static_cast<unsigned long long>(secs / 60 % 60));
  } else if (secs >= 60) {
    std::snprintf(buf, sizeof buf, "ETA %llum%02llus", static_cast<unsigned long long>(secs / 60),
                  static_cast<unsigned long long>(secs % 60));
  } else {
    std::snprintf(buf, sizeof buf, "ETA %llus", static_cast<unsigned long long>(secs));
  }
  return buf;
}

}  // namespace

std::string FormatBytes(double bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, kUnits[u]);
  return buf;
}

std::string FormatProgressBar(uint64_t done, uint64_t total, double bytes_per_sec, int width) {
  std::string tail = "  ";
  if (total > 0) {
    char pct[16];
    std::snprintf(pct, sizeof pct, "%3d%%  ",
                  static_cast<int>(std::min<uint64_t>(done, total) * 100 / total));
    tail += pct;
    tail += FormatBytes(static_cast<double>(done)) + " / " +
            FormatBytes(static_cast<double>(total));
  } else {
    tail += FormatBytes(static_cast<double>(done));
  }
  tail += "  " + FormatBytes(bytes_per_sec) + "/s";
  std::string eta = Eta(done, total, bytes_per_sec);
  if (!eta.empty()) tail += "  " + eta;
  int bar_width = std::max(10, width - static_cast<int>(tail.size()) - 2);
  std::string bar = "[";
  int filled = total > 0 ? static_cast<int>(static_cast<double>(std::min(done, total)) /
                                            static_cast<double>(total) * bar_width)
                         : 0;
  for (int i = 0; i < bar_width; ++i) {
    bar += i < filled ? '=' : (i == filled && total > 0 ? '>' : ' ');
  }
  return bar + "]" + tail;
}

void LogProgressSink::OnStart(std::string_view url, uint64_t done, uint64_t total) {
  auto now = std::chrono::steady_clock::now();
  tracks_[std::string(url)] = Track{now, now, done};
  if (done > 0) {
    spdlog::info("downloading {} (resuming at {}, total {})", url,
                 FormatBytes(static_cast<double>(done)),
                 total ? FormatBytes(static_cast<double>(total)) : "unknown");
  } else {
    spdlog::info("downloading {} ({})", url,
                 total ? FormatBytes(static_cast<double>(total)) : "size unknown");
  }
}

void LogProgressSink::OnProgress(std::string_view url, uint64_t done, uint64_t total) {
  auto it = tracks_.find(url);
  if (it == tracks_.end()) return;
  auto now = std::chrono::steady_clock::now();
  if (now - it->second.last < interval_) return;
  it->second.last = now;
  double secs = Seconds(now - it->second.start);
  double rate = secs > 0 ? static_cast<double>(done - std::min(done, it->second.start_bytes)) / secs
                         : 0;
  std::string eta = Eta(done, total, rate);
  spdlog::info("downloading {}: {}{} at {}/s {}", url, FormatBytes(static_cast<double>(done)),
               total ? " of " + FormatBytes(static_cast<double>(total)) : "",
               FormatBytes(rate), eta);
}

void LogProgressSink::OnFinish(std::string_view url, bool ok, std::string_view detail) {
  if (ok) {
    spdlog::info("downloaded {}{}{}", url, detail.empty() ? "" : ": ", detail);
  } else {
    spdlog::warn("download of {} failed: {}", url, detail);
  }
  if (auto it = tracks_.find(url); it != tracks_.end()) tracks_.erase(it);
}

void BarProgressSink::OnStart(std::string_view, uint64_t done, uint64_t) {
  start_ = std::chrono::steady_clock::now();
  start_bytes_ = done;
}

void BarProgressSink::OnProgress(std::string_view, uint64_t done, uint64_t total) {
  double secs = Seconds(std::chrono::steady_clock::now() - start_);
  double rate = secs > 0 ? static_cast<double>(done - std::min(done, start_bytes_)) / secs : 0;
  write_("\r" + FormatProgressBar(done, total, rate, width_));
}

void BarProgressSink::OnFinish(std::string_view url, bool ok, std::string_view detail) {
  write_(std::string("\r") + (ok ? "done " : "failed ") + std::string(url) +
         (detail.empty() ? "" : ": ") + std::string(detail) + "\n");
}

}  // namespace registry
