#include "replayer/sync/progress.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

#include "base/json_int.h"
#include "upgrade-plans/node_log.h"

namespace replayer {
namespace {

constexpr auto kRateWindow = std::chrono::seconds(5);
constexpr auto kSampleEvery = std::chrono::milliseconds(20);

std::string Thousands(int64_t v) {
  // The magnitude as unsigned: -INT64_MIN does not fit an int64_t.
  uint64_t magnitude = v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  std::string digits = std::to_string(magnitude);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return v < 0 ? "-" + out : out;
}

// A rate rounded for display; beyond int64 (only a corrupt stored record) it is clamped.
int64_t RoundedRate(double v) {
  if (std::isnan(v)) return 0;
  if (v < -9.2e18) return std::numeric_limits<int64_t>::min();
  if (v > 9.2e18) return std::numeric_limits<int64_t>::max();
  return std::llround(v);
}

std::string Duration(double s) {
  if (!std::isfinite(s) || s < 0 || s > 1e15) return "?";  // 1e15 s: beyond any real sync
  auto total = static_cast<int64_t>(std::llround(s));
  char buf[32];
  if (total < 60) {
    std::snprintf(buf, sizeof buf, "%lld s", static_cast<long long>(total));
  } else if (total < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(total / 60),
                  static_cast<long long>(total % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(total / 3600),
                  static_cast<long long>(total / 60 % 60));
  }
  return buf;
}


std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::string PromEscape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

SyncProgress::SyncProgress(size_t segments, std::optional<int64_t> target, Clock::time_point start)
    : segments_(segments), target_(target), start_(start) {}

void SyncProgress::SegmentLaunched(size_t index, std::string label, Clock::time_point now) {
  std::lock_guard lock(mu_);
  bool switched = segment_ != 0 && segment_ != index + 1;
  segment_ = index + 1;
  label_ = std::move(label);
  if (switched && last_commit_) {
    awaiting_first_block_ = true;
    switch_from_ = last_commit_;
  }
  // The rate restarts with each binary: a restart's pause is downtime, not a slow block.
  window_.clear();
  since_launch_.reset();
  (void)now;
}

void SyncProgress::Committed(int64_t height, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (height <= height_ && !awaiting_first_block_) return;  // repeated (several lines a block)
  if (awaiting_first_block_ && switch_from_) {
    downtimes_.push_back(
        {label_, height, std::chrono::duration<double>(now - *switch_from_).count()});
    awaiting_first_block_ = false;
  }
  height_ = height;
  since_launch_ = height;
  last_commit_ = now;
  if (window_.empty() || now - window_.back().first >= kSampleEvery) {
    window_.emplace_back(now, height);
  } else {
    window_.back().second = height;
  }
  while (window_.size() > 2 && now - window_.front().first > kRateWindow) window_.pop_front();
}

std::optional<int64_t> SyncProgress::CommittedSinceLaunch() const {
  std::lock_guard lock(mu_);
  return since_launch_;
}

void SyncProgress::Finished() {
  std::lock_guard lock(mu_);
  finished_ = true;
}

ProgressSnapshot SyncProgress::Snapshot(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  ProgressSnapshot p;
  p.height = height_;
  p.target = target_;
  p.segment = segment_;
  p.segments = segments_;
  p.segment_label = label_;
  p.elapsed_seconds = std::chrono::duration<double>(now - start_).count();
  p.downtimes = downtimes_;
  p.finished = finished_;
  if (window_.size() >= 2) {
    double span = std::chrono::duration<double>(window_.back().first - window_.front().first).count();
    if (span >= 0.1) {
      p.blocks_per_second =
          static_cast<double>(window_.back().second - window_.front().second) / span;
    }
  }
  if (target_ && p.blocks_per_second > 0 && *target_ > height_) {
    p.eta_seconds = static_cast<double>(*target_ - height_) / p.blocks_per_second;
  }
  return p;
}

std::string FormatProgressLine(const ProgressSnapshot& p) {
  std::string out = "height " + Thousands(p.height);
  if (p.target && *p.target > 0) {
    char pct[32];
    std::snprintf(pct, sizeof pct, " (%.1f%%)",
                  100.0 * static_cast<double>(std::min(p.height, *p.target)) /
                      static_cast<double>(*p.target));
    out += " / " + Thousands(*p.target) + pct;
  }
  if (p.finished) {
    out += " | finished in " + Duration(p.elapsed_seconds);
  } else {
    out += " | " + Thousands(RoundedRate(p.blocks_per_second)) + " blocks/s";
    if (p.eta_seconds) out += " | ETA " + Duration(*p.eta_seconds);
  }
  out += " | segment " + std::to_string(p.segment) + " of " + std::to_string(p.segments);
  if (!p.segment_label.empty()) out += ": " + p.segment_label;
  return out;
}

std::string FormatPrometheus(const ProgressSnapshot& p) {
  std::string out;
  auto metric = [&](std::string_view name, std::string_view type, std::string_view help,
                    const std::string& value) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
    out += name;
    out += ' ';
    out += value;
    out += '\n';
  };
  metric("replayer_sync_height", "gauge", "Last block height the node committed (from its log).",
         std::to_string(p.height));
  if (p.target) {
    metric("replayer_sync_target_height", "gauge", "Height the sync stops at (--until).",
           std::to_string(*p.target));
  }
  metric("replayer_sync_segment", "gauge", "Schedule segment running now (1-based).",
         std::to_string(p.segment));
  metric("replayer_sync_segments", "gauge", "Segments in the schedule.",
         std::to_string(p.segments));
  metric("replayer_sync_blocks_per_second", "gauge",
         "Committed blocks per second over the last 5 seconds.", Num(p.blocks_per_second));
  if (p.eta_seconds) {
    metric("replayer_sync_eta_seconds", "gauge", "Estimated seconds to the target height.",
           Num(*p.eta_seconds));
  }
  metric("replayer_sync_elapsed_seconds", "gauge", "Seconds since the sync started.",
         Num(p.elapsed_seconds));
  metric("replayer_sync_switches_total", "counter", "Binary switches completed by this sync.",
         std::to_string(p.downtimes.size()));
  metric("replayer_sync_finished", "gauge", "1 once the sync reached its end.",
         p.finished ? "1" : "0");
  out +=
      "# HELP replayer_sync_switch_downtime_seconds Last block of one binary to the first block "
      "of the next.\n# TYPE replayer_sync_switch_downtime_seconds gauge\n";
  for (const auto& d : p.downtimes) {
    out += "replayer_sync_switch_downtime_seconds{segment=\"" + PromEscape(d.to_label) +
           "\",height=\"" + std::to_string(d.first_height) + "\"} " + Num(d.seconds) + "\n";
  }
  return out;
}

std::string ProgressToJson(const ProgressSnapshot& p, int64_t unix_ms) {
  nlohmann::json j;
  j["height"] = p.height;
  j["target"] = p.target ? nlohmann::json(*p.target) : nlohmann::json(nullptr);
  j["segment"] = p.segment;
  j["segments"] = p.segments;
  j["segment_label"] = p.segment_label;
  j["blocks_per_second"] = p.blocks_per_second;
  j["eta_seconds"] = p.eta_seconds ? nlohmann::json(*p.eta_seconds) : nlohmann::json(nullptr);
  j["elapsed_seconds"] = p.elapsed_seconds;
  j["finished"] = p.finished;
  j["downtimes"] = nlohmann::json::array();
  for (const auto& d : p.downtimes) {
    j["downtimes"].push_back(
        {{"segment", d.to_label}, {"first_height", d.first_height}, {"seconds", d.seconds}});
  }
  j["unix_ms"] = unix_ms;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

base::Result<StoredProgress> ParseStoredProgress(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return base::Status::InvalidArgument("sync progress: not a JSON object");
  }
  StoredProgress out;
  auto& p = out.progress;
  try {
    // Integers through base::JsonIntOr: a cast of a huge JSON number is undefined behaviour.
    p.height = base::JsonIntOr<int64_t>(j, "height", 0);
    if (j.contains("target") && !j["target"].is_null()) {
      p.target = base::JsonIntAt<int64_t>(j, "target");
    }
    p.segment = base::JsonIntOr<size_t>(j, "segment", 0);
    p.segments = base::JsonIntOr<size_t>(j, "segments", 0);
    p.segment_label = j.value("segment_label", std::string());
    p.blocks_per_second = j.value("blocks_per_second", 0.0);
    if (j.contains("eta_seconds") && j["eta_seconds"].is_number()) {
      p.eta_seconds = j["eta_seconds"].get<double>();
    }
    p.elapsed_seconds = j.value("elapsed_seconds", 0.0);
    p.finished = j.value("finished", false);
    if (j.contains("downtimes") && j["downtimes"].is_array()) {
      for (const auto& d : j["downtimes"]) {
        if (!d.is_object()) continue;
        p.downtimes.push_back({d.value("segment", std::string()),
                               base::JsonIntOr<int64_t>(d, "first_height", 0),
                               d.value("seconds", 0.0)});
      }
    }
    out.unix_ms = base::JsonIntOr<int64_t>(j, "unix_ms", 0);
  } catch (const nlohmann::json::exception& e) {
    return base::Status::InvalidArgument(std::string("sync progress: ") + e.what());
  }
  return out;
}

}  // namespace replayer
