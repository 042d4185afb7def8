// base: wall-clock time as the journal, the registry and the snapshots record it.
#pragma once

#include <chrono>
#include <cstdint>

namespace base {

// Milliseconds since the Unix epoch (system clock: comparable across processes and restarts,
// unlike steady_clock; never use it to time an interval).
inline int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace base
