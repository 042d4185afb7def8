// replayer height gate: holds a manual plan (written by `add-upgrade --upgrade-height`) until
// the node reports that it reached the plan's height.
//
// A plan the node wrote itself is due the moment it appears (the node wrote it at that height).
// A plan the operator scheduled ahead of time is not: firing it at once was Cosmovisor #19227.
// Such plans carry a marker beside their binary; for them the node's height is asked with
// `<binary> status --home $DAEMON_HOME`, as Cosmovisor v1.6+ does, and a failed probe holds the
// plan (it never lets it through, unlike v1.6's #22167). While the node runs, that probe runs
// beside the supervisor's event loop (AsyncHeightProbe), never on it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "replayer/config/layout.h"
#include "replayer/process/process.h"
#include "upgrade-plans/upgrade_info.h"

namespace replayer {

// The marker `add-upgrade --upgrade-height` leaves beside an upgrade's binary.
std::string ManualPlanMarker(const Layout& layout, std::string_view dir);

// True when `plan` is the manual plan recorded for `dir` (same name and height).
bool IsManualPlan(const Layout& layout, std::string_view dir, const plans::UpgradeInfo& plan);

// Parses the latest block height from a node's `status` output: CometBFT's
// {"sync_info":{"latest_block_height":"N"}} (string or number), the older "SyncInfo" spelling,
// or a bare /status RPC result wrapped in {"result":{...}}. Pure.
base::Result<int64_t> ParseStatusHeight(std::string_view text);

// How long a `status` probe may take before its process group is killed.
inline constexpr std::chrono::milliseconds kStatusProbeTimeout{10000};

// Runs `<binary> status --home <home>` (bounded) and parses its height.
base::Result<int64_t> ProbeNodeHeight(ProcessLauncher& launcher, const std::string& binary,
                                      const std::string& home);

// `<binary> status --home <home>` on the caller's io_context without blocking it: a timer reads
// the child's output and reaps it through the launcher; past kStatusProbeTimeout its group is
// killed. `done` is called once, from the loop, with the parsed height or why there is none.
// Stop() (and the destructor) kill and reap a probe still running; `done` is then not called.
// One probe at a time; same thread as the io_context.
class AsyncHeightProbe {
 public:
  using Done = std::function<void(base::Result<int64_t>)>;
  AsyncHeightProbe(boost::asio::io_context& io, ProcessLauncher& launcher);
  ~AsyncHeightProbe();
  AsyncHeightProbe(const AsyncHeightProbe&) = delete;
  AsyncHeightProbe& operator=(const AsyncHeightProbe&) = delete;

  // Starts a probe unless one runs (then does nothing). A binary that cannot start is reported
  // through `done` at once.
  void Start(const std::string& binary, const std::string& home, Done done);
  bool running() const { return pid_ > 0; }
  void Stop();

 private:
  void Tick();
  bool ReadPipe(int& fd, bool keep);  // false at end of stream
  void Finish(base::Result<int64_t> result);
  void Kill();  // the child's group killed and reaped (when it has not exited), pipes closed

  ProcessLauncher& launcher_;
  boost::asio::steady_timer timer_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string binary_;
  std::string out_;
  std::optional<ExitInfo> exit_;
  std::chrono::steady_clock::time_point deadline_;
  Done done_;
};

}  // namespace replayer
