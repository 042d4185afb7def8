#include "state/journal.h"

#include <gtest/gtest.h>

#include <filesystem>

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
