// plans: what a node's own log lines say about its chain (pure parsing, no I/O).
//
// ParseCommittedHeight recognises the per-block lines that CometBFT-based nodes log once block
// N is committed ("committed state height=N", "indexed block events height=N") and demochain's
// "committed block height=N", in plain and JSON log formats, with or without colour codes. Not
// "finalizing commit of block" nor "executed block": CometBFT logs those before the app commits,
// and a real SDK 0.50 node refusing its halt height logs the first for a block it never commits
// (lines captured from the real binary in tests/replayer/sync/progress_test.cpp). Used by the
// supervisor (a switch is confirmed once the new binary commits a block above its height) and by
// `sync`'s progress. Only a line's first 4 KiB are looked at; it runs for every line a node writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plans {

// The committed height a node's log line reports, if it is a per-block commit line (> 0).
std::optional<int64_t> ParseCommittedHeight(std::string_view line);

// The line's first 4 KiB without ANSI escape sequences (ESC '[' ... final byte, or a lone ESC
// and the byte after it): colour codes of a node's console log.
std::string StripAnsi(std::string_view line);

}  // namespace plans
