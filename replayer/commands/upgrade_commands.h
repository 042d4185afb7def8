// replayer upgrade commands: Cosmovisor v1.7's `add-batch-upgrade` and `prepare-upgrade`, as
// library functions.
//
// add-batch-upgrade places each entry's binary (checked first: every binary must run on this
// machine before anything is written) with the manual-plan marker `add-upgrade --upgrade-height`
// leaves, and writes the batch as data/upgrade-info.json.batch (Cosmovisor's file); the
// supervisor promotes its entries one at a time into data/upgrade-info.json, where the height
// gate holds each until the node reaches it. prepare-upgrade asks a node's REST API for the
// upcoming plan and fetches and verifies its binary through the registry (the path
// DAEMON_ALLOW_DOWNLOAD_BINARIES uses). Neither switches `current`, and a refusal writes nothing.
// Never parses flags or prints.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "binary-registry/progress.h"
#include "binary-registry/registry.h"
#include "replayer/config/config.h"
#include "upgrade-plans/batch_upgrade.h"

namespace replayer {

// Where add-batch-upgrade keeps the batch: data/upgrade-info.json.batch.
std::string BatchFilePath(const Config& config);

// Returns one line per action. Binaries are replaced (Cosmovisor runs each entry as add-upgrade
// --force); the batch file is replaced, not merged, as Cosmovisor does.
base::Result<std::vector<std::string>> AddBatchUpgrade(const Config& config,
                                                       const std::vector<plans::BatchEntry>& entries);

struct PrepareUpgradeOptions {
  std::string rest_url;  // the node's REST API, e.g. http://localhost:1317
};
// Returns one line per action ("no upgrade plan ..." when the chain has none).
base::Result<std::vector<std::string>> PrepareUpgrade(const Config& config,
                                                      const PrepareUpgradeOptions& options,
                                                      const registry::RegistrySettings& settings,
                                                      registry::ProgressSink* progress);

}  // namespace replayer
