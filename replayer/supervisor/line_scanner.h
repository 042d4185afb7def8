// replayer::LineScanner: splits a byte stream into lines for pattern matching, with a bound.
//
// The node's output is passed through untouched elsewhere; this only looks at it. A line longer
// than the bound keeps its first `max_line` bytes (where the `UPGRADE "<name>" NEEDED` prefix
// is) and drops the rest, so a huge log line can neither stall the node (Cosmovisor's 64 KiB
// scanner froze nodes, cosmos-sdk #8651) nor grow memory. Pure; no I/O.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace replayer {

class LineScanner {
 public:
  using LineFn = std::function<void(std::string_view line)>;
  explicit LineScanner(LineFn on_line, size_t max_line = 64 * 1024)
      : on_line_(std::move(on_line)), max_line_(max_line) {}

  void Feed(std::string_view chunk);
  // Delivers a final line that had no newline (at end of stream).
  void Finish();

 private:
  LineFn on_line_;
  size_t max_line_;
  std::string partial_;
};

}  // namespace replayer
