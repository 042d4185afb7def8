// The stored records' text, parsed from strings (state/records.h): round trips, and what the
// writers never write is refused instead of cast.
#include "state/records.h"

#include <gtest/gtest.h>

#include "state/registry_index.h"
#include "tests/testing/temp_dir.h"

namespace state {
namespace {

TEST(Records, EveryRecordRoundTrips) {
  UpgradeTxn t{7, "v2", "v2", 120, "{\"binaries\":{}}", "genesis", Step::kSnapshotTaken,
               "/b/data-backup-v2-120", 1764623901005};
  EXPECT_EQ(ParseUpgradeTxn(FormatUpgradeTxn(t)).value(), t);
  JournalEntry e{0, 7, "v2", Step::kNodePreUpgradeDone, true, -3, "pre-upgrade exited 31"};
  EXPECT_EQ(ParseJournalEntry(FormatJournalEntry(e)).value(), e);
  AppliedUpgrade a{"v2", "v2", INT64_MAX, INT64_MIN, ""};
  EXPECT_EQ(ParseAppliedUpgrade(FormatAppliedUpgrade(a)).value(), a);
  AppliedUpgrade confirmed{"v2", "v2", 4, 9, "", 3, Confirmation::kConfirmed, 5, 10, 8, "committed"};
  EXPECT_EQ(ParseAppliedUpgrade(FormatAppliedUpgrade(confirmed)).value(), confirmed);
  RegistryEntry r;
  r.sha256 = std::string(64, 'a');
  r.size = UINT64_MAX;
  r.sources = {"https://e.org/a.tar.gz"};
  r.signature = SignatureStatus::kVerified;
  EXPECT_EQ(ParseRegistryEntry(FormatRegistryEntry(r)).value(), r);
  NameTargets n{{"linux/amd64", std::string(64, 'b')}};
  EXPECT_EQ(ParseNameTargets(FormatNameTargets(n)).value(), n);
  AuditFacts f;
  f.http_status = 200;
  f.version = AuditVerdict{true, "v2.0.0"};
  f.formats["linux/arm64"] = AuditVerdict{false, "ELF for linux/amd64"};
  EXPECT_EQ(ParseAuditFacts(FormatAuditFacts(f)).value(), f);
  EXPECT_EQ(ParseCounter("00000000000000000042").value(), 42u);
}

// Applied records written before switches were confirmed have no confirmation fields: they read
// as unknown; a stored state the writer never writes is corruption.
TEST(Records, AppliedConfirmationOlderRecordsAndUnknownStates) {
  auto old = ParseAppliedUpgrade(R"({"name":"v2","dir":"v2","height":4,"applied_ms":1})");
  ASSERT_TRUE(old.ok()) << old.status().message();
  EXPECT_EQ(old->confirmation, Confirmation::kUnknown);
  auto bad = ParseAppliedUpgrade(
      R"({"name":"v2","dir":"v2","height":4,"applied_ms":1,"txn_id":1,"confirmation":"maybe",)"
      R"("confirmed_height":0,"confirmed_ms":0,"reported_ms":0,"confirm_detail":""})");
  EXPECT_TRUE(bad.status().Is(base::Status::Code::kCorruption)) << bad.status().message();
  auto unknown = ParseAppliedUpgrade(
      R"({"name":"v2","dir":"v2","height":4,"applied_ms":1,"txn_id":1,"confirmation":"unknown",)"
      R"("confirmed_height":0,"confirmed_ms":0,"reported_ms":0,"confirm_detail":""})");
  EXPECT_FALSE(unknown.ok());
  auto pending = ParseAppliedUpgrade(
      R"({"name":"v2","dir":"v2","height":4,"applied_ms":1,"txn_id":1,"confirmation":"pending",)"
      R"("confirmed_height":0,"confirmed_ms":0,"reported_ms":0,"confirm_detail":""})");
  ASSERT_TRUE(pending.ok()) << pending.status().message();
  EXPECT_EQ(pending->confirmation, Confirmation::kPending);
  // The step after node-restarted is stored as 9.
  auto entry = ParseJournalEntry(
      R"({"txn_id":1,"upgrade":"v2","step":9,"failed":false,"time_ms":1,"detail":""})");
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->step, Step::kConfirmed);
  EXPECT_FALSE(ParseJournalEntry(
                   R"({"txn_id":1,"upgrade":"v2","step":10,"failed":false,"time_ms":1,"detail":""})")
                   .ok());
}

// Seen while writing fuzz_state_records: get<uint64_t>() of 1e300 or -5 is a cast (undefined
// behaviour, or a wrapped size); these are corrupt records now.
TEST(Records, NumbersOutOfRangeAreCorruption) {
  auto t = ParseUpgradeTxn(R"({"id":1e300,"name":"v2","dir":"v2","height":1,"info":"",)"
                           R"("from_dir":"genesis","last_step":1,"snapshot_path":"","started_ms":0})");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), base::Status::Code::kCorruption);
  EXPECT_NE(t.status().message().find("\"id\" must be an integer in range"), std::string::npos)
      << t.status().message();
  auto r = ParseRegistryEntry(R"({"added_ms":0,"artifact_name":"","checksums":[],"platform":"any",)"
                              R"("sha256":"x","signature":0,"signer_key_id":"","size":-5,)"
                              R"("sources":[],"verified_ms":0,"version_output":""})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("\"size\""), std::string::npos) << r.status().message();
  auto step = ParseJournalEntry(
      R"({"detail":"","failed":false,"step":99,"time_ms":1,"txn_id":1,"upgrade":"v2"})");
  ASSERT_FALSE(step.ok());
  EXPECT_NE(step.status().message().find("unknown step 99"), std::string::npos);
  EXPECT_FALSE(ParseCounter("12x").ok());
  EXPECT_FALSE(ParseCounter("").ok());
  EXPECT_FALSE(ParseCounter("18446744073709551616").ok());
}

// Seen while writing fuzz_state_records: a `version` output that is not UTF-8 made json::dump
// throw, out of RegistryIndex::Put and through Replayer; it is stored with U+FFFD now.
TEST(Records, StringsThatAreNotUtf8AreStored) {
  testing_util::TempDir dir;
  auto db = Database::Open(dir / "db");
  ASSERT_TRUE(db.ok()) << db.status().message();
  RegistryIndex index(**db);
  RegistryEntry e;
  e.sha256 = std::string(64, 'c');
  e.version_output = "appd \xff\xfe v2";
  ASSERT_TRUE(index.Put(e).ok());
  auto got = index.Get(e.sha256);
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status().message();
  EXPECT_EQ((*got)->version_output, "appd \xEF\xBF\xBD\xEF\xBF\xBD v2");
}

}  // namespace
}  // namespace state
