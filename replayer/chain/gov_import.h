// replayer::ImportScheduleFromRest: a schedule from a node's REST API (`plans import --rest`):
// the passed software-upgrade proposals (gov v1, then v1beta1, at most 1000 pages), each
// confirmed with applied_plan, and the plan info documents they name (a document that cannot be
// fetched or attached becomes a note, not an error). Reads only; writes nothing.
#pragma once

#include <string>

#include "base/status.h"
#include "binary-registry/downloader.h"
#include "upgrade-plans/chain_registry.h"

namespace replayer {

// Errors name the URL or the plan being confirmed; an unreachable API names `--rest <url>`.
base::Result<plans::ImportResult> ImportScheduleFromRest(const std::string& base_url,
                                                         const std::string& chain_id,
                                                         const std::string& daemon,
                                                         registry::DownloadOptions options);

}  // namespace replayer
