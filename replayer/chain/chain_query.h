// replayer::QueryAppliedPlanHeight, QueryCurrentPlan: asks a node's REST API at which height the chain applied a
// governance upgrade plan (`/cosmos/upgrade/v1beta1/applied_plan/{name}`). Used by `audit --rest`
// and by `sync --rest`, which both compare the answer with a schedule's first height.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "binary-registry/downloader.h"
#include "upgrade-plans/gov_rest.h"

namespace replayer {

// The applied height; 0 when the chain never applied the plan (the SDK's answer for unknown
// names). Errors name the URL (unreachable, HTTP status, unparsable body).
base::Result<int64_t> QueryAppliedPlanHeight(const std::string& rest_url,
                                             const std::string& plan_name,
                                             const registry::DownloadOptions& download);

// The upcoming plan (`/cosmos/upgrade/v1beta1/current_plan`); nullopt when none is scheduled.
// Errors name the URL (unreachable, HTTP status, unparsable body). Used by `prepare-upgrade`.
base::Result<std::optional<plans::GovPlan>> QueryCurrentPlan(const std::string& rest_url,
                                                             const registry::DownloadOptions& download);

}  // namespace replayer
