#include "state/journal.h"

#include <nlohmann/json.hpp>

#include <array>

#include "base/redact.h"

namespace state {
namespace {

constexpr std::string_view kActiveKey = "txn/active";
constexpr std::string_view kTxnCounter = "counter/txn";
constexpr std::string_view kEntryCounter = "counter/journal";
constexpr std::string_view kAppliedCounter = "counter/applied";
constexpr std::string_view kEntryPrefix = "journal/";
constexpr std::string_view kAppliedPrefix = "applied/";

constexpr std::array<std::string_view, 9> kStepNames = {
    "none",          "detected",         "node-stopped",        "snapshot-taken",
    "binary-ready",  "custom-preupgrade", "current-switched",   "node-preupgrade",
    "node-restarted"};

using nlohmann::json;

json TxnToJson(const UpgradeTxn& t) {
  return json{{"id", t.id},
              {"name", t.name},
              {"dir", t.dir},
              {"height", t.height},
              {"info", base::RedactUrlUserInfo(t.info)},  // never store credentials
              {"from_dir", t.from_dir},
              {"last_step", static_cast<int>(t.last_step)},
              {"snapshot_path", t.snapshot_path},
              {"started_ms", t.started_ms}};
}

base::Result<UpgradeTxn> TxnFromJson(std::string_view text) {
  try {
    json j = json::parse(text);
    UpgradeTxn t;
    t.id = j.at("id").get<uint64_t>();
    t.name = j.at("name").get<std::string>();
    t.dir = j.at("dir").get<std::string>();
    t.height = j.at("height").get<int64_t>();
    t.info = j.at("info").get<std::string>();
    t.from_dir = j.at("from_dir").get<std::string>();
    t.last_step = static_cast<Step>(j.at("last_step").get<int>());
    t.snapshot_path = j.at("snapshot_path").get<std::string>();
    t.started_ms = j.at("started_ms").get<int64_t>();
    return t;
  } catch (const json::exception& e) {
    return base::Status::Corruption(std::string("active upgrade transaction record: ") + e.what());
  }
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

std::vector<std::string_view> AllStepNames() { return {kStepNames.begin() + 1, kStepNames.end()}; }

base::Result<uint64_t> JournalStore::NextCounter(std::string_view key) const {
  ASSIGN_OR_RETURN(auto v, db_.Get(key));
  if (!v) return uint64_t{1};
  return std::stoull(*v) + 1;
}

std::string JournalStore::EntryJson(const UpgradeTxn& txn, Step step, bool failed,
                                    int64_t now_ms, std::string_view detail) const {
  return json{{"txn_id", txn.id},
              {"upgrade", txn.name},
              {"step", static_cast<int>(step)},
              {"failed", failed},
              {"time_ms", now_ms},
              {"detail", base::RedactUrlUserInfo(detail)}}
      .dump();
}

base::Result<std::optional<UpgradeTxn>> JournalStore::Active() const {
  ASSIGN_OR_RETURN(auto v, db_.Get(kActiveKey));
  if (!v) return std::optional<UpgradeTxn>();
  ASSIGN_OR_RETURN(auto t, TxnFromJson(*v));
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
  b.Put(kActiveKey, TxnToJson(txn).dump());
  RETURN_IF_ERROR(db_.Write(b));
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
  b.Put(kActiveKey, TxnToJson(next).dump());
  RETURN_IF_ERROR(db_.Write(b));
  txn = std::move(next);
  return {};
}

base::Status JournalStore::RecordFailure(const UpgradeTxn& txn, Step step, int64_t now_ms,
                                         std::string_view detail) {
  ASSIGN_OR_RETURN(uint64_t seq, NextCounter(kEntryCounter));
  Database::Batch b;
  b.Put(kEntryCounter, std::to_string(seq));
  b.Put(OrderedKey(kEntryPrefix, seq), EntryJson(txn, step, true, now_ms, detail));
  return db_.Write(b);
}

base::Status JournalStore::Complete(UpgradeTxn& txn, Step final_step, int64_t now_ms,
                                    std::string_view detail) {
  ASSIGN_OR_RETURN(uint64_t seq, NextCounter(kEntryCounter));
  ASSIGN_OR_RETURN(uint64_t applied, NextCounter(kAppliedCounter));
  Database::Batch b;
  b.Put(kEntryCounter, std::to_string(seq));
  b.Put(OrderedKey(kEntryPrefix, seq), EntryJson(txn, final_step, false, now_ms, detail));
  b.Put(kAppliedCounter, std::to_string(applied));
  b.Put(OrderedKey(kAppliedPrefix, applied),
        json{{"name", txn.name},
             {"dir", txn.dir},
             {"height", txn.height},
             {"applied_ms", now_ms},
             {"snapshot_path", txn.snapshot_path}}
            .dump());
  b.Delete(kActiveKey);
  RETURN_IF_ERROR(db_.Write(b));
  txn.last_step = final_step;
  return {};
}

base::Result<std::vector<JournalEntry>> JournalStore::LastEntries(size_t n) const {
  ASSIGN_OR_RETURN(auto rows, db_.Scan(kEntryPrefix, n, /*reverse=*/true));
  std::vector<JournalEntry> out;
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    try {
      json j = json::parse(it->second);
      JournalEntry e;
      e.seq = std::stoull(it->first.substr(kEntryPrefix.size()));
      e.txn_id = j.at("txn_id").get<uint64_t>();
      e.upgrade = j.at("upgrade").get<std::string>();
      e.step = static_cast<Step>(j.at("step").get<int>());
      e.failed = j.at("failed").get<bool>();
      e.time_ms = j.at("time_ms").get<int64_t>();
      e.detail = j.at("detail").get<std::string>();
      out.push_back(std::move(e));
    } catch (const std::exception& e) {
      return base::Status::Corruption("journal entry " + it->first + ": " + e.what());
    }
  }
  return out;
}

base::Result<std::vector<AppliedUpgrade>> JournalStore::Applied() const {
  ASSIGN_OR_RETURN(auto rows, db_.Scan(kAppliedPrefix));
  std::vector<AppliedUpgrade> out;
  for (const auto& [key, value] : rows) {
    try {
      json j = json::parse(value);
      out.push_back({j.at("name").get<std::string>(), j.at("dir").get<std::string>(),
                     j.at("height").get<int64_t>(), j.at("applied_ms").get<int64_t>(),
                     j.value("snapshot_path", "")});
    } catch (const std::exception& e) {
      return base::Status::Corruption("applied upgrade " + key + ": " + e.what());
    }
  }
  return out;
}

}  // namespace state
