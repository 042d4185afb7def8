// replayer::QueryAppliedPlanHeight: asks a node's REST API at which height the chain applied a
// governance upgrade plan (`/cosmos/upgrade/v1beta1/applied_plan/{name}`). Used by `audit --rest`
// and by `sync --rest`, which both compare the answer with a schedule's first height.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "binary-registry/downloader.h"

namespace replayer {

// The applied height; 0 when the chain never applied the plan (the SDK's answer for unknown
// names). Errors name the URL (unreachable, HTTP status, unparsable body).
base::Result<int64_t> QueryAppliedPlanHeight(const std::string& rest_url,
                                             const std::string& plan_name,
                                             const registry::DownloadOptions& download);

}  // namespace replayer
