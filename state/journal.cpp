#include "state/journal.h"

#include <array>

#include "base/redact.h"
#include "base/result_context.h"
#include "state/records.h"

namespace state {
namespace {

constexpr std::string_view kActiveKey = "txn/active";
constexpr std::string_view kTxnCounter = "counter/txn";
constexpr std::string_view kEntryCounter = "counter/journal";
constexpr std::string_view kAppliedCounter = "counter/applied";
constexpr std::string_view kEntryPrefix = "journal/";
constexpr std::string_view kAppliedPrefix = "applied/";

constexpr std::array<std::string_view, 10> kStepNames = {
    "none",          "detected",         "node-stopped",        "snapshot-taken",
    "binary-ready",  "custom-preupgrade", "current-switched",   "node-preupgrade",
    "node-restarted", "confirmed"};

constexpr std::array<std::string_view, 4> kConfirmationNames = {"unknown", "pending", "confirmed",
                                                                "unconfirmed"};

// The active record, stored without URL credentials in the plan info (base/redact.h).
std::string TxnToJson(UpgradeTxn t) {
  t.info = base::RedactUrlUserInfo(t.info);
  return FormatUpgradeTxn(t);
}

}  // namespace

std::string_view StepName(Step step) {
  auto i = static_cast<size_t>(step);
  return i < kStepNames.size() ? kStepNames[i] : "unknown";
}

std::optional<Step> StepFromName(std::string_view name) {
  for (size_t i = 1; i < kStepNames.size(); ++i) {
    if (kStepNames[i] == name) return static_cast<Step>(i);
  }
  return std::nullopt;
}

std::string_view ConfirmationName(Confirmation c) {
  auto i = static_cast<size_t>(c);
  return i < kConfirmationNames.size() ? kConfirmationNames[i] : "unknown";
}

std::optional<Confirmation> ConfirmationFromName(std::string_view name) {
  for (size_t i = 0; i < kConfirmationNames.size(); ++i) {
    if (kConfirmationNames[i] == name) return static_cast<Confirmation>(i);
  }
  return std::nullopt;
}

std::vector<std::string_view> AllStepNames() { return {kStepNames.begin() + 1, kStepNames.end()}; }

base::Result<uint64_t> JournalStore::NextCounter(std::string_view key) const {
  ASSIGN_OR_RETURN(auto v, db_.Get(key));
  if (!v) return uint64_t{1};
  ASSIGN_OR_RETURN(uint64_t n, base::WithContext(ParseCounter(*v), key));
  return n + 1;
}

std::string JournalStore::EntryJson(const UpgradeTxn& txn, Step step, bool failed,
                                    int64_t now_ms, std::string_view detail) const {
  return FormatJournalEntry(JournalEntry{0, txn.id, txn.name, step, failed, now_ms,
                                         base::RedactUrlUserInfo(detail)});
}

void JournalStore::Notify(uint64_t seq, const UpgradeTxn& txn, Step step, bool failed,
                          int64_t now_ms, std::string_view detail, bool completed) const {
  if (!observer_) return;
  UpgradeTxn shown = txn;
  shown.info = base::RedactUrlUserInfo(shown.info);
  observer_(JournalEvent{JournalEntry{seq, txn.id, txn.name, step, failed, now_ms,
                                      base::RedactUrlUserInfo(detail)},
                         std::move(shown), completed});
}

base::Result<std::optional<UpgradeTxn>> JournalStore::Active() const {
  ASSIGN_OR_RETURN(auto v, db_.Get(kActiveKey));
  if (!v) return std::optional<UpgradeTxn>();
  ASSIGN_OR_RETURN(auto t, base::WithContext(ParseUpgradeTxn(*v), "active upgrade transaction record"));
  return std::optional<UpgradeTxn>(std::move(t));
}

base::Result<UpgradeTxn> JournalStore::Begin(UpgradeTxn txn, int64_t now_ms,
                                             std::string_view detail) {
  ASSIGN_OR_RETURN(auto active, Active());
  if (active) {
    return base::Status::FailedPrecondition("upgrade transaction for \"" + active->name +
                                            "\" is still in progress");
  }
  ASSIGN_OR_RETURN(txn.id, NextCounter(kTxnCounter));
  ASSIGN_OR_RETURN(uint64_t seq, NextCounter(kEntryCounter));
  txn.last_step = Step::kDetected;
  txn.started_ms = now_ms;
  Database::Batch b;
  b.Put(kTxnCounter, std::to_string(txn.id));
  b.Put(kEntryCounter, std::to_string(seq));
  b.Put(OrderedKey(kEntryPrefix, seq), EntryJson(txn, Step::kDetected, false, now_ms, detail));
  b.Put(kActiveKey, TxnToJson(txn));
  RETURN_IF_ERROR(db_.Write(b));
  Notify(seq, txn, Step::kDetected, false, now_ms, detail, false);
  return txn;
}

base::Status JournalStore::Record(UpgradeTxn& txn, Step step, int64_t now_ms,
                                  std::string_view detail) {
  if (static_cast<int>(step) <= static_cast<int>(txn.last_step)) {
    return base::Status::Internal("journal: step " + std::string(StepName(step)) +
                                  " does not advance past " + std::string(StepName(txn.last_step)));
  }
  ASSIGN_OR_RETURN(uint64_t seq, NextCounter(kEntryCounter));
  UpgradeTxn next = txn;
  next.last_step = step;
  Database::Batch b;
  b.Put(kEntryCounter, std::to_string(seq));
  b.Put(OrderedKey(kEntryPrefix, seq), EntryJson(next, step, false, now_ms, detail));
  b.Put(kActiveKey, TxnToJson(next));
  RETURN_IF_ERROR(db_.Write(b));
  txn = std::move(next);
  Notify(seq, txn, step, false, now_ms, detail, false);
  return {};
}

base::Status JournalStore::RecordFailure(const UpgradeTxn& txn, Step step, int64_t now_ms,
                                         std::string_view detail) {
  ASSIGN_OR_RETURN(uint64_t seq, NextCounter(kEntryCounter));
  Database::Batch b;
  b.Put(kEntryCounter, std::to_string(seq));
  b.Put(OrderedKey(kEntryPrefix, seq), EntryJson(txn, step, true, now_ms, detail));
  RETURN_IF_ERROR(db_.Write(b));
  Notify(seq, txn, step, true, now_ms, detail, false);
  return {};
}

base::Status JournalStore::Complete(UpgradeTxn& txn, Step final_step, int64_t now_ms,
                                    std::string_view detail) {
  ASSIGN_OR_RETURN(uint64_t seq, NextCounter(kEntryCounter));
  ASSIGN_OR_RETURN(uint64_t applied, NextCounter(kAppliedCounter));
  Database::Batch b;
  b.Put(kEntryCounter, std::to_string(seq));
  b.Put(OrderedKey(kEntryPrefix, seq), EntryJson(txn, final_step, false, now_ms, detail));
  b.Put(kAppliedCounter, std::to_string(applied));
  AppliedUpgrade record;
  record.name = txn.name;
  record.dir = txn.dir;
  record.height = txn.height;
  record.applied_ms = now_ms;
  record.snapshot_path = txn.snapshot_path;
  record.txn_id = txn.id;
  record.confirmation = Confirmation::kPending;
  b.Put(OrderedKey(kAppliedPrefix, applied), FormatAppliedUpgrade(record));
  b.Delete(kActiveKey);
  RETURN_IF_ERROR(db_.Write(b));
  txn.last_step = final_step;
  Notify(seq, txn, final_step, false, now_ms, detail, true);
  return {};
}

base::Result<std::vector<JournalEntry>> JournalStore::LastEntries(size_t n) const {
  ASSIGN_OR_RETURN(auto rows, db_.Scan(kEntryPrefix, n, /*reverse=*/true));
  std::vector<JournalEntry> out;
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    const std::string context = "journal entry " + it->first;
    ASSIGN_OR_RETURN(uint64_t seq,
                     base::WithContext(ParseCounter(it->first.substr(kEntryPrefix.size())), context));
    ASSIGN_OR_RETURN(JournalEntry e, base::WithContext(ParseJournalEntry(it->second), context));
    e.seq = seq;
    out.push_back(std::move(e));
  }
  return out;
}

base::Result<std::vector<AppliedUpgrade>> JournalStore::Applied() const {
  ASSIGN_OR_RETURN(auto rows, db_.Scan(kAppliedPrefix));
  std::vector<AppliedUpgrade> out;
  for (const auto& [key, value] : rows) {
    ASSIGN_OR_RETURN(AppliedUpgrade a, base::WithContext(ParseAppliedUpgrade(value), "applied upgrade " + key));
    ASSIGN_OR_RETURN(a.seq, base::WithContext(ParseCounter(key.substr(kAppliedPrefix.size())),
                                              "applied upgrade " + key));
    out.push_back(std::move(a));
  }
  return out;
}

base::Status JournalStore::WriteConfirmation(AppliedUpgrade& applied, const AppliedUpgrade& next,
                                             bool failed, int64_t now_ms,
                                             std::string_view detail) {
  if (applied.seq == 0) return base::Status::Internal("journal: applied upgrade without a key");
  UpgradeTxn txn;  // the switch's transaction as far as the entry and its observer show it
  txn.id = applied.txn_id;
  txn.name = applied.name;
  txn.dir = applied.dir;
  txn.height = applied.height;
  txn.last_step = Step::kConfirmed;
  ASSIGN_OR_RETURN(uint64_t seq, NextCounter(kEntryCounter));
  Database::Batch b;
  b.Put(kEntryCounter, std::to_string(seq));
  b.Put(OrderedKey(kEntryPrefix, seq), EntryJson(txn, Step::kConfirmed, failed, now_ms, detail));
  b.Put(OrderedKey(kAppliedPrefix, applied.seq), FormatAppliedUpgrade(next));
  RETURN_IF_ERROR(db_.Write(b));
  Notify(seq, txn, Step::kConfirmed, failed, now_ms, detail, false);
  applied = next;
  return {};
}

base::Status JournalStore::Confirm(AppliedUpgrade& applied, int64_t height, int64_t now_ms,
                                   std::string_view detail) {
  AppliedUpgrade next = applied;
  next.confirmation = Confirmation::kConfirmed;
  next.confirmed_height = height;
  next.confirmed_ms = now_ms;
  next.confirm_detail = base::RedactUrlUserInfo(detail);
  return WriteConfirmation(applied, next, /*failed=*/false, now_ms, detail);
}

base::Status JournalStore::ReportUnconfirmed(AppliedUpgrade& applied, int64_t now_ms,
                                             std::string_view detail) {
  AppliedUpgrade next = applied;
  next.confirmation = Confirmation::kUnconfirmed;
  next.reported_ms = now_ms;
  next.confirm_detail = base::RedactUrlUserInfo(detail);
  return WriteConfirmation(applied, next, /*failed=*/true, now_ms, detail);
}

}  // namespace state
