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

// The text of an error-level line of a node's log, as the node printed it minus colour codes,
// its time stamp and a trailing `stack=...`: zerolog/CometBFT console lines
// (`3:04PM ERR UPGRADE "v050-to-v053" NEEDED at height: 24:  module=x/upgrade` ->
// `ERR UPGRADE ... module=x/upgrade`), JSON lines with "level":"error" (-> `ERR <message>
// err=<err>`), CometBFT's legacy `E[...] message`, a Go `panic: ...`, cobra's `Error: ...`, and
// the bare error chain simd's main prints last (`error during handshake: error on replay: ...`).
// At most kMaxNodeErrorLine characters. nullopt for any other line. Pure; cheap on lines that
// are not errors (it runs for every line the node writes).
inline constexpr size_t kMaxNodeErrorLine = 300;
std::optional<std::string> ParseNodeErrorLine(std::string_view line);

// What a node that stopped by itself says about a later release's binary run too early, from its
// last error lines (ParseNodeErrorLine's): x/upgrade's PreBlocker (`BINARY UPDATED BEFORE
// TRIGGER! UPGRADE "NAME" ...`: the chain holds plan NAME, not yet due, and the binary has its
// handler) or the SDK's store loader (`version of store S mismatch root store's version; ...
// StoreUpgrades`: the binary has a store the data lacks, one an upgrade adds at its plan). A
// sentence naming `label` (the segment), nullopt for any other lines. Pure.
std::optional<std::string> ExplainEarlyBinary(const std::deque<std::string>& errors,
                                              std::string_view label);

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
