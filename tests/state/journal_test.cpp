#include "state/journal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

namespace state {
namespace {

UpgradeTxn Txn(const std::string& name, int64_t height) {
  UpgradeTxn t;
  t.name = name;
  t.dir = name;
  t.height = height;
  t.from_dir = "genesis";
  return t;
}

TEST(Journal, StepsRoundTripByName) {
  for (auto name : AllStepNames()) {
    auto step = StepFromName(name);
    ASSERT_TRUE(step.has_value()) << name;
    EXPECT_EQ(StepName(*step), name);
  }
  EXPECT_FALSE(StepFromName("bogus").has_value());
}

TEST(Journal, TransactionAdvancesAndCompletes) {
  auto db = Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  JournalStore j(**db);
  auto txn = j.Begin(Txn("v2", 100), 1000);
  ASSERT_TRUE(txn.ok()) << txn.status().message();
  EXPECT_EQ(txn->last_step, Step::kDetected);
  ASSERT_TRUE(j.Record(*txn, Step::kNodeStopped, 1001).ok());
  ASSERT_TRUE(j.Record(*txn, Step::kSnapshotTaken, 1002).ok());

  auto active = j.Active();
  ASSERT_TRUE(active.ok());
  ASSERT_TRUE(active->has_value());
  EXPECT_EQ((*active)->last_step, Step::kSnapshotTaken);
  EXPECT_EQ((*active)->name, "v2");

  // A second transaction cannot start while one is active.
  EXPECT_FALSE(j.Begin(Txn("v3", 200), 1003).ok());
  // Steps never go backwards.
  EXPECT_FALSE(j.Record(*txn, Step::kNodeStopped, 1004).ok());

  ASSERT_TRUE(j.RecordFailure(*txn, Step::kBinaryReady, 1005, "missing").ok());
  ASSERT_TRUE(j.Complete(*txn, Step::kNodeRestarted, 1006).ok());
  active = j.Active();
  ASSERT_TRUE(active.ok());
  EXPECT_FALSE(active->has_value());

  auto applied = j.Applied();
  ASSERT_TRUE(applied.ok());
  ASSERT_EQ(applied->size(), 1u);
  EXPECT_EQ((*applied)[0].name, "v2");
  EXPECT_EQ((*applied)[0].height, 100);

  auto last = j.LastEntries(3);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->size(), 3u);
  EXPECT_EQ((*last)[0].step, Step::kSnapshotTaken);
  EXPECT_TRUE((*last)[1].failed);
  EXPECT_EQ((*last)[2].step, Step::kNodeRestarted);
}

// The observer (notifications) sees exactly what the journal stored, in order, with the
// credentials of URLs hidden, and nothing for a write that was refused.
TEST(Journal, ObserverSeesEveryStoredEntryInOrder) {
  auto db = Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  JournalStore j(**db);
  std::vector<JournalEvent> seen;
  j.set_observer([&seen](const JournalEvent& e) { seen.push_back(e); });
  UpgradeTxn t = Txn("v2", 100);
  t.info = "https://user:pw@host.invalid/bin.tgz";
  auto txn = j.Begin(t, 1000, "from upgrade-info.json");
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE(j.Record(*txn, Step::kNodeStopped, 1001).ok());
  EXPECT_FALSE(j.Record(*txn, Step::kDetected, 1002).ok());  // refused: no event
  ASSERT_TRUE(j.RecordFailure(*txn, Step::kSnapshotTaken, 1003, "fetch https://a:b@h.invalid/x").ok());
  ASSERT_TRUE(j.Complete(*txn, Step::kNodeRestarted, 1004, "done").ok());
  // The confirmation's entries, written through the applied record, are events too.
  auto applied = j.Applied();
  ASSERT_TRUE(applied.ok());
  ASSERT_EQ(applied->size(), 1u);
  AppliedUpgrade a = applied->front();
  ASSERT_TRUE(j.ReportUnconfirmed(a, 1005, "no block above 100").ok());
  ASSERT_TRUE(j.Confirm(a, 101, 1006, "committed height 101").ok());

  auto stored = j.LastEntries(10);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(seen.size(), stored->size());
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].entry, (*stored)[i]) << i;
    EXPECT_EQ(seen[i].txn.height, 100) << i;
    EXPECT_EQ(seen[i].txn.info.find("pw"), std::string::npos) << seen[i].txn.info;
  }
  EXPECT_EQ(seen[0].entry.step, Step::kDetected);
  EXPECT_EQ(seen[0].entry.detail, "from upgrade-info.json");
  EXPECT_TRUE(seen[2].entry.failed);
  EXPECT_EQ(seen[2].entry.detail, "fetch https://***@h.invalid/x");
  EXPECT_FALSE(seen[2].completed);
  EXPECT_TRUE(seen[3].completed);
  EXPECT_EQ(seen[3].txn.last_step, Step::kNodeRestarted);
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen[4].entry.step, Step::kConfirmed);
  EXPECT_TRUE(seen[4].entry.failed);
  EXPECT_EQ(seen[5].entry.step, Step::kConfirmed);
  EXPECT_FALSE(seen[5].entry.failed);
  EXPECT_EQ(seen[5].txn.height, 100);
  EXPECT_EQ(seen[5].txn.id, seen[0].txn.id);
}

// After completion the switch waits for its new binary to commit a block above the height:
// the applied record says pending, a report of "not confirmed" is a failed `confirmed` entry that
// changes nothing else, and a later confirmation still counts, each one synced batch.
TEST(Journal, AppliedSwitchIsPendingThenReportedThenConfirmed) {
  auto db = Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  JournalStore j(**db);
  auto txn = j.Begin(Txn("v2", 100), 1000);
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE(j.Complete(*txn, Step::kNodeRestarted, 1001).ok());
  auto applied = j.Applied();
  ASSERT_TRUE(applied.ok());
  ASSERT_EQ(applied->size(), 1u);
  AppliedUpgrade a = (*applied)[0];
  EXPECT_EQ(a.confirmation, Confirmation::kPending);
  EXPECT_EQ(a.txn_id, txn->id);
  EXPECT_EQ(a.seq, 1u);

  ASSERT_TRUE(j.ReportUnconfirmed(a, 2000, "no block above 100 within 10m0s").ok());
  auto again = j.Applied();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[0].confirmation, Confirmation::kUnconfirmed);
  EXPECT_EQ((*again)[0].reported_ms, 2000);
  EXPECT_EQ((*again)[0].confirm_detail, "no block above 100 within 10m0s");
  EXPECT_EQ((*again)[0], a);

  ASSERT_TRUE(j.Confirm(a, 101, 3000, "committed height 101").ok());
  again = j.Applied();
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].confirmation, Confirmation::kConfirmed);
  EXPECT_EQ((*again)[0].confirmed_height, 101);
  EXPECT_EQ((*again)[0].confirmed_ms, 3000);
  EXPECT_EQ((*again)[0].name, "v2");
  EXPECT_EQ((*again)[0].height, 100);

  auto last = j.LastEntries(3);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->size(), 3u);
  EXPECT_EQ((*last)[0].step, Step::kNodeRestarted);
  EXPECT_EQ((*last)[1].step, Step::kConfirmed);
  EXPECT_TRUE((*last)[1].failed);
  EXPECT_EQ((*last)[2].step, Step::kConfirmed);
  EXPECT_FALSE((*last)[2].failed);
  EXPECT_EQ((*last)[2].txn_id, txn->id);
  EXPECT_EQ((*last)[2].detail, "committed height 101");
  // Nothing else changed: no transaction is active again.
  auto active = j.Active();
  ASSERT_TRUE(active.ok());
  EXPECT_FALSE(active->has_value());
}

TEST(Journal, ConfirmationNeedsAStoredRecord) {
  auto db = Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  JournalStore j(**db);
  AppliedUpgrade never_stored;
  never_stored.name = "v2";
  EXPECT_FALSE(j.Confirm(never_stored, 5, 1, "").ok());
  EXPECT_FALSE(j.ReportUnconfirmed(never_stored, 1, "").ok());
  auto last = j.LastEntries(10);
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->empty());
}

TEST(Journal, ActiveTransactionSurvivesReopenOnDisk) {
  char tmpl[] = "/tmp/replayer-journal-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  {
    auto db = Database::Open(dir + "/db");
    ASSERT_TRUE(db.ok());
    JournalStore j(**db);
    auto txn = j.Begin(Txn("v2", 100), 1);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(j.Record(*txn, Step::kNodeStopped, 2).ok());
  }
  {
    auto db = Database::Open(dir + "/db");
    ASSERT_TRUE(db.ok());
    JournalStore j(**db);
    auto active = j.Active();
    ASSERT_TRUE(active.ok());
    ASSERT_TRUE(active->has_value());
    EXPECT_EQ((*active)->last_step, Step::kNodeStopped);
    // Ids keep counting after reopen.
    ASSERT_TRUE(j.Complete(**active, Step::kNodeRestarted, 3).ok());
    auto next = j.Begin(Txn("v3", 200), 4);
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next->id, 2u);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace state
