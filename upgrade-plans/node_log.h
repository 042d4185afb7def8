// plans: what a node's own log lines say about its chain (pure parsing, no I/O).
//
// ParseCommittedHeight recognises the per-block lines that CometBFT-based nodes log once block
// N is committed ("committed state height=N", "indexed block events height=N") and demochain's
// "committed block height=N", in plain and JSON log formats, with or without colour codes. Not
// "finalizing commit of block" nor "executed block": CometBFT logs those before the app commits,
// and a real SDK 0.50 node refusing its halt height logs the first for a block it never commits
// (lines captured from the real binary in tests/replayer/sync/progress_test.cpp). Used by the
// supervisor (a switch is confirmed once the new binary commits a block above its height) and by
// `sync`'s progress. Only a line's first 4 KiB are looked at; it runs for every line a node
// writes. ParseNodeErrorLine and ExplainEarlyBinary read a node's error lines, for `sync` to
// quote and explain why a binary stopped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace plans {

// The committed height a node's log line reports, if it is a per-block commit line (> 0).
std::optional<int64_t> ParseCommittedHeight(std::string_view line);

// The line's first 4 KiB without ANSI escape sequences (ESC '[' ... final byte, or a lone ESC
// and the byte after it): colour codes of a node's console log.
std::string StripAnsi(std::string_view line);

// The text of an error-level line of a node's log, as the node printed it minus colour codes,
// its time stamp and a trailing `stack=...`: zerolog/CometBFT console lines
// (`3:04PM ERR UPGRADE "v050-to-v053" NEEDED at height: 24:  module=x/upgrade` ->
// `ERR UPGRADE ... module=x/upgrade`), JSON lines with "level":"error" (-> `ERR <message>
// err=<err>`), CometBFT's legacy `E[...] message`, a Go `panic: ...`, cobra's `Error: ...`, and
// the bare error chain simd's main prints last (`error during handshake: error on replay: ...`).
// At most kMaxNodeErrorLine characters. nullopt for any other line. Pure; cheap on lines that
// are not errors (it runs for every line the node writes).
inline constexpr size_t kMaxNodeErrorLine = 300;
std::optional<std::string> ParseNodeErrorLine(std::string_view line);

// What a node that stopped by itself says about a later release's binary run too early, from its
// last error lines (ParseNodeErrorLine's): x/upgrade's PreBlocker (`BINARY UPDATED BEFORE
// TRIGGER! UPGRADE "NAME" ...`: the chain holds plan NAME, not yet due, and the binary has its
// handler) or the SDK's store loader (`version of store S mismatch root store's version; ...
// StoreUpgrades`: the binary has a store the data lacks, one an upgrade adds at its plan). A
// sentence naming `label` (the segment), nullopt for any other lines. Pure.
std::optional<std::string> ExplainEarlyBinary(const std::deque<std::string>& errors,
                                              std::string_view label);

}  // namespace plans
