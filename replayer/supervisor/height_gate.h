// replayer height gate: holds a manual plan (written by `add-upgrade --upgrade-height`) until
// the node reports that it reached the plan's height.
//
// A plan the node wrote itself is due the moment it appears (the node wrote it at that height).
// A plan the operator scheduled ahead of time is not: firing it at once was Cosmovisor #19227.
// Such plans carry a marker beside their binary; for them the node's height is asked with
// `<binary> status --home $DAEMON_HOME`, as Cosmovisor v1.6+ does, and a failed probe holds the
// plan (it never lets it through, unlike v1.6's #22167).
#pragma once

#include <cstdint>
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

// Runs `<binary> status --home <home>` (bounded) and parses its height.
base::Result<int64_t> ProbeNodeHeight(ProcessLauncher& launcher, const std::string& binary,
                                      const std::string& home);

}  // namespace replayer
