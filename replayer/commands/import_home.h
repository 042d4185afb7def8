// replayer::ImportScheduleFromCosmovisorHome: a schedule from the binaries already placed in a
// Cosmovisor home (`plans import --cosmovisor-home`): genesis plus every upgrade whose folder
// holds the plan copy Cosmovisor (or Replayer) wrote at switch time, each binary named by its
// sha256 as a file:// URL. Folders without that copy are left out with a note. Reads only.
#pragma once

#include <string>

#include "base/status.h"
#include "upgrade-plans/chain_registry.h"

namespace replayer {

base::Result<plans::ImportResult> ImportScheduleFromCosmovisorHome(const std::string& home,
                                                                   const std::string& daemon);

}  // namespace replayer
