// replayer::AuditOptions: what `replayer audit` is asked to check. Its own header so the
// audit's internals (audit_inspect.h) read the options without including the audit's API
// (audit.h), which sits above them.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "binary-registry/progress.h"

namespace replayer {

struct AuditOptions {
  std::vector<std::string> platforms;  // platform keys to audit; empty = the host platform
  std::string rest_url;                // a node's REST base URL; empty = no height checks
  bool use_cache = true;  // read earlier verified facts (results are recorded either way)
  size_t parallel = 4;    // transfers at once, and threads for unpacking and probing
  registry::ProgressSink* progress = nullptr;  // download progress; may be null
};

}  // namespace replayer
