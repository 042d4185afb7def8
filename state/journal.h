// state::JournalStore: the durable record of upgrade transactions.
//
// Each switch of binaries is one transaction that moves through the steps below. Before the
// next step starts, the finished step is recorded: the journal entry and the updated active
// transaction go into one synced batch, so after a crash the active transaction says exactly
// which steps are done. Completion deletes the active record and appends the applied upgrade in
// the same batch. After completion the switch waits for confirmation (the new binary committed a
// block above the switch height): the applied record says pending, confirmed or unconfirmed, and
// each change of it is one synced batch with its journal entry (step `confirmed`, failed when it
// was reported unconfirmed). This store knows nothing about processes or files; callers pass the
// time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "state/database.h"

namespace state {

// The upgrade transaction's steps, in order. Values are stored; never renumber.
enum class Step : int {
  kNone = 0,
  kDetected = 1,
  kNodeStopped = 2,
  kSnapshotTaken = 3,
  kBinaryReady = 4,
  kCustomPreUpgradeDone = 5,
  kCurrentSwitched = 6,
  kNodePreUpgradeDone = 7,
  kNodeRestarted = 8,
  kConfirmed = 9,  // after completion: the new binary committed a block above the height
};

std::string_view StepName(Step step);
std::optional<Step> StepFromName(std::string_view name);
// Every step name, in order (for --help texts and test loops).
std::vector<std::string_view> AllStepNames();

struct UpgradeTxn {
  uint64_t id = 0;
  std::string name;      // plan name as the chain spells it
  std::string dir;       // folder name under cosmovisor/upgrades/
  int64_t height = 0;
  std::string info;      // plan info, opaque
  std::string from_dir;  // what `current` pointed to when detected ("genesis" or "upgrades/x")
  Step last_step = Step::kNone;
  std::string snapshot_path;  // set once the snapshot step is done (empty when skipped)
  int64_t started_ms = 0;
  bool operator==(const UpgradeTxn&) const = default;
};

struct JournalEntry {
  uint64_t seq = 0;
  uint64_t txn_id = 0;
  std::string upgrade;
  Step step = Step::kNone;
  bool failed = false;  // an attempt at `step` failed; the transaction stays where it was
  int64_t time_ms = 0;
  std::string detail;
  bool operator==(const JournalEntry&) const = default;
};

// Whether the new binary of an applied switch got past the switch height. Stored by name.
enum class Confirmation : int {
  kUnknown = 0,      // a record written before Replayer confirmed switches
  kPending = 1,      // waiting for a committed block above the height
  kConfirmed = 2,    // the new binary committed one
  kUnconfirmed = 3,  // reported: not confirmed in time, or the node exited first (still watched)
};
std::string_view ConfirmationName(Confirmation c);  // "unknown", "pending", ...
std::optional<Confirmation> ConfirmationFromName(std::string_view name);

struct AppliedUpgrade {
  std::string name;
  std::string dir;
  int64_t height = 0;
  int64_t applied_ms = 0;
  std::string snapshot_path;
  uint64_t txn_id = 0;  // 0 in older records
  Confirmation confirmation = Confirmation::kUnknown;
  int64_t confirmed_height = 0;  // the committed block that confirmed it (kConfirmed)
  int64_t confirmed_ms = 0;      // when it was confirmed (kConfirmed)
  int64_t reported_ms = 0;       // when it was last reported unconfirmed (0: never)
  std::string confirm_detail;    // how it was confirmed, or why it is unconfirmed
  uint64_t seq = 0;  // the record's key, not part of its text (Parse leaves 0)
  bool operator==(const AppliedUpgrade&) const = default;
};

// One journal entry as it was just written (seq set, detail without URL credentials), with the
// transaction it belongs to after the write; `completed` when the entry completed it.
struct JournalEvent {
  JournalEntry entry;
  UpgradeTxn txn;
  bool completed = false;
};
// Told of every entry after its batch was written (never for a write that failed). Called on the
// writer's thread, synchronously: it must be quick and must not write to this store.
using JournalObserver = std::function<void(const JournalEvent&)>;

class JournalStore {
 public:
  explicit JournalStore(Database& db) : db_(db) {}

  // Every entry written from now on is passed to `observer` (replaces any earlier one; null
  // removes it). Notifications (replayer/notify) hang here, so each step, a failed attempt and
  // any step added later reach them without their writers knowing. Every method below that
  // writes an entry calls Notify() after its batch was written; a new one must too.
  void set_observer(JournalObserver observer) { observer_ = std::move(observer); }

  // The transaction that has started and not completed, if any.
  base::Result<std::optional<UpgradeTxn>> Active() const;
  // Starts a transaction: assigns an id, records kDetected. Fails if one is already active.
  base::Result<UpgradeTxn> Begin(UpgradeTxn txn, int64_t now_ms, std::string_view detail = {});
  // Records that `step` finished; txn.last_step becomes `step`. Steps must advance.
  base::Status Record(UpgradeTxn& txn, Step step, int64_t now_ms, std::string_view detail = {});
  // Records a failed attempt at `step` without advancing.
  base::Status RecordFailure(const UpgradeTxn& txn, Step step, int64_t now_ms,
                             std::string_view detail);
  // Records `final_step`, removes the active transaction, appends the applied upgrade (its
  // confirmation pending).
  base::Status Complete(UpgradeTxn& txn, Step final_step, int64_t now_ms,
                        std::string_view detail = {});

  // The last `n` journal entries, oldest first.
  base::Result<std::vector<JournalEntry>> LastEntries(size_t n) const;
  // Every applied upgrade, oldest first.
  base::Result<std::vector<AppliedUpgrade>> Applied() const;

  // Records that the applied upgrade's new binary committed `height` (above its switch height):
  // a `confirmed` journal entry and the record marked confirmed, in one batch. `applied` must
  // come from Applied() (its seq names the record); it is updated.
  base::Status Confirm(AppliedUpgrade& applied, int64_t height, int64_t now_ms,
                       std::string_view detail);
  // Records that the switch is not confirmed (timed out, or the node exited first): a failed
  // `confirmed` journal entry and the record marked unconfirmed, in one batch. Nothing else
  // changes; a later confirmation still counts.
  base::Status ReportUnconfirmed(AppliedUpgrade& applied, int64_t now_ms, std::string_view detail);

 private:
  base::Result<uint64_t> NextCounter(std::string_view key) const;
  base::Status WriteConfirmation(AppliedUpgrade& applied, const AppliedUpgrade& next, bool failed,
                                 int64_t now_ms, std::string_view detail);
  std::string EntryJson(const UpgradeTxn& txn, Step step, bool failed, int64_t now_ms,
                        std::string_view detail) const;
  void Notify(uint64_t seq, const UpgradeTxn& txn, Step step, bool failed, int64_t now_ms,
              std::string_view detail, bool completed) const;
  Database& db_;
  JournalObserver observer_;
};

}  // namespace state
