// replayer::NotifyEvent: what a webhook is told, and the exact bytes it receives.
//
// One event per journal entry (a switch's detection, each of its steps, a failed attempt, its
// completion, and any step the journal gains later) and per moment of `replayer sync` (started,
// a segment reached for the first time, finished), plus `run.failed` when `replayer run` ends in
// an error. Events are built from values and formatted by pure functions: no clock, no I/O, so
// the schema (docs/notifications.md) is unit-tested from literals. Every text that reaches a body
// has URL credentials hidden (base::RedactUrlUserInfo) before it is formatted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "state/journal.h"

namespace replayer {

// Who sends: the same for every event of one Replayer process.
struct NotifyContext {
  std::string home;              // DAEMON_HOME
  std::string daemon;            // DAEMON_NAME
  std::string chain_id;          // the schedule's chain id (`sync`), "" when unknown (`run`)
  std::string replayer_version;  // ReplayerVersion()
};

// The parts of an event (namespace scope, not nested: clang cannot default-construct a nested
// struct with member initializers inside std::optional before the outer class is complete).
struct NotifyUpgrade {
  std::string name;
  int64_t height = 0;
  uint64_t txn = 0;
  uint64_t seq = 0;
  std::string step;
  bool failed = false;
  bool completed = false;
  std::string detail;
};

struct NotifySync {
  size_t segments = 0;
  std::optional<size_t> segment;  // sync.segment: 1-based
  std::string label, version, target;
  int64_t first_height = 0;
  std::optional<int64_t> last_height;  // sync.segment: nullopt for the open last segment
  std::optional<int64_t> until;        // sync.started
  std::optional<bool> ok;              // sync.finished
  std::optional<int> exit_code;        // sync.finished, when the node's run ended
  int64_t height = 0;                  // sync.finished: the last committed height seen
};

struct NotifyEvent {
  // "upgrade.detected", "upgrade.step", "upgrade.failed", "upgrade.confirmed",
  // "upgrade.completed", "sync.started", "sync.segment", "sync.finished", "run.failed".
  std::string event;
  int64_t time_ms = 0;  // Unix milliseconds

  // upgrade.*: the journal entry.
  using Upgrade = NotifyUpgrade;
  std::optional<Upgrade> upgrade;

  // sync.*: the parts that apply to the event (see docs/notifications.md).
  using Sync = NotifySync;
  std::optional<Sync> sync;

  std::string error;  // upgrade.failed (its detail), sync.finished not ok, run.failed
};

// The event of one journal entry: "upgrade.failed" for a failed attempt, "upgrade.detected" for
// the first step, "upgrade.completed" for the entry that completed the transaction,
// "upgrade.<step>" for a step named confirmed, "upgrade.step" for every other step.
NotifyEvent EventFromJournal(const state::JournalEvent& e);

NotifyEvent SyncStartedEvent(int64_t time_ms, size_t segments, std::optional<int64_t> until);
NotifyEvent SegmentReachedEvent(int64_t time_ms, size_t index, size_t segments,
                                std::string label, std::string version, std::string target,
                                int64_t first_height, std::optional<int64_t> last_height);
// `exit_code` is the node's run's result when it ended; `error` empty when ok.
NotifyEvent SyncFinishedEvent(int64_t time_ms, size_t segments, bool ok,
                              std::optional<int> exit_code, int64_t height,
                              std::string_view error);
NotifyEvent RunFailedEvent(int64_t time_ms, std::string_view error);

// One sentence for people: `simd: upgrade "v2" at height 5: binary-ready`.
std::string EventText(const NotifyEvent& e, const NotifyContext& ctx);
// The JSON body (one line, keys as documented, "schema": 1).
std::string FormatEventJson(const NotifyEvent& e, const NotifyContext& ctx);
// Slack's incoming-webhook body: {"text": "<sentence with & < > escaped as Slack wants>"}.
std::string FormatSlackJson(const NotifyEvent& e, const NotifyContext& ctx);
// RFC 3339 UTC with milliseconds: 2026-12-01T23:44:20.123Z.
std::string FormatUtcMillis(int64_t unix_ms);

}  // namespace replayer
