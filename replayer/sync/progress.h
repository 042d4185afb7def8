// replayer::SyncProgress: where a `replayer sync` is, how fast it goes, and what each switch cost.
//
// Fed from the node's own output: plans::ParseCommittedHeight (upgrade-plans/node_log.h)
// recognises the per-block lines a node logs once a block is committed. From those, and the segment launches the policy reports, it keeps: height and target, blocks per
// second over a sliding window, ETA, segment k of n, and each switch's downtime (the last
// committed block of one binary to the first committed block of the next). Thread-safe: the event loop writes, the
// metrics server reads.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "upgrade-plans/node_log.h"

namespace replayer {

// Where `replayer sync` keeps its latest ProgressToJson in the state database (`replayer status`).
inline constexpr std::string_view kSyncProgressKey = "sync/progress";

// The committed height a node's log line reports (upgrade-plans/node_log.h).
using plans::ParseCommittedHeight;

// Its error lines and what they say about a binary run too early (upgrade-plans/node_log.h).
using plans::ExplainEarlyBinary;
using plans::kMaxNodeErrorLine;
using plans::ParseNodeErrorLine;

struct SwitchDowntime {
  std::string to_label;   // the segment switched to
  int64_t first_height = 0;  // its first committed block
  double seconds = 0;
};

struct ProgressSnapshot {
  int64_t height = 0;                // last committed height seen (0: none yet)
  std::optional<int64_t> target;     // --until, else the last scheduled switch height
  size_t segment = 0;                // 1-based; 0 before the first launch
  size_t segments = 0;
  std::string segment_label;
  double blocks_per_second = 0;      // over the last window
  std::optional<double> eta_seconds;  // to target, at the current rate
  double elapsed_seconds = 0;        // since the sync started
  std::vector<SwitchDowntime> downtimes;
  bool finished = false;
};

class SyncProgress {
 public:
  using Clock = std::chrono::steady_clock;
  SyncProgress(size_t segments, std::optional<int64_t> target, Clock::time_point start);

  // A binary was launched for segment `index` (0-based).
  void SegmentLaunched(size_t index, std::string label, Clock::time_point now);
  void Committed(int64_t height, Clock::time_point now);
  void Finished();

  ProgressSnapshot Snapshot(Clock::time_point now) const;
  // The last height the current binary logged as committed since its launch, if any.
  std::optional<int64_t> CommittedSinceLaunch() const;

 private:
  mutable std::mutex mu_;
  size_t segments_;
  std::optional<int64_t> target_;
  Clock::time_point start_;
  size_t segment_ = 0;
  std::string label_;
  int64_t height_ = 0;
  std::optional<Clock::time_point> last_commit_;
  std::optional<int64_t> since_launch_;
  bool awaiting_first_block_ = false;  // a switch happened; its downtime is open
  std::optional<Clock::time_point> switch_from_;
  std::deque<std::pair<Clock::time_point, int64_t>> window_;  // (time, height) samples
  std::vector<SwitchDowntime> downtimes_;
  bool finished_ = false;
};

// "height 12,345 / 50,000 (24.7%) | 9,412 blocks/s | ETA 4 s | segment 2 of 5: <label>"
std::string FormatProgressLine(const ProgressSnapshot& p);
// A Prometheus label value escaped for the text exposition format (\\, \" and newline). Pure.
std::string PromEscape(std::string_view v);
// Prometheus text exposition format (version 0.0.4), gauges and counters named replayer_sync_*.
std::string FormatPrometheus(const ProgressSnapshot& p);
// The snapshot as JSON (kept in state for `replayer status`), and back.
std::string ProgressToJson(const ProgressSnapshot& p, int64_t unix_ms);
struct StoredProgress {
  ProgressSnapshot progress;
  int64_t unix_ms = 0;  // when it was written
};
base::Result<StoredProgress> ParseStoredProgress(std::string_view json);

}  // namespace replayer
