// replayer::ImportScheduleFromCosmovisorHome: a schedule from the binaries already placed in a
// Cosmovisor home (`plans import --cosmovisor-home`): genesis plus every upgrade whose folder
// holds the plan copy Cosmovisor (or Replayer) wrote at switch time, each binary named by its
// sha256 as a file:// URL, and probed with `<binary> version --long` for its Cosmos SDK version
// (hence its halt_semantics; unknown when it names none). The chain's initial height is not
// recorded in a home: the genesis segment's first height stays unknown. Folders without that
// copy are left out with a note. Reads only (and runs each binary's `version --long`).
#pragma once

#include <string>

#include "base/status.h"
#include "upgrade-plans/chain_registry.h"

namespace replayer {

// `daemon_source` says where the executable's name came from (sources.daemon_name).
base::Result<plans::ImportResult> ImportScheduleFromCosmovisorHome(
    const std::string& home, const std::string& daemon, const std::string& daemon_source);

}  // namespace replayer
