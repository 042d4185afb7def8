#include "state/registry_index.h"

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"

namespace state {
namespace {

RegistryEntry MakeEntry(const std::string& sha) {
  RegistryEntry e;
  e.sha256 = sha;
  e.size = 1234;
  e.sources = {"https://e.org/appd.tar.gz"};
  e.checksums = {"sha512:" + std::string(128, 'b')};
  e.artifact_name = "appd.tar.gz";
  e.platform = "linux/amd64";
  e.signature = SignatureStatus::kVerified;
  e.signer_key_id = "0011223344556677";
  e.version_output = "v7.0.0";
  e.added_ms = 10;
  e.verified_ms = 20;
  return e;
}

TEST(RegistryIndex, EntriesAndNamesSurviveReopen) {
  testing_util::TempDir dir;
  const std::string sha(64, 'a');
  {
    auto db = Database::Open(dir / "db");
    ASSERT_TRUE(db.ok()) << db.status().message();
    RegistryIndex index(**db);
    ASSERT_TRUE(index.PutAndName(MakeEntry(sha), "v7-theta", "linux/amd64").ok());
  }
  auto db = Database::Open(dir / "db");
  ASSERT_TRUE(db.ok());
  RegistryIndex index(**db);
  auto got = index.Get(sha);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, MakeEntry(sha));
  auto name = index.GetName("v7-theta");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->at("linux/amd64"), sha);
}

TEST(RegistryIndex, FindsByAnyDeclaredChecksum) {
  auto db = Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  RegistryIndex index(**db);
  const std::string sha(64, 'c');
  ASSERT_TRUE(index.Put(MakeEntry(sha)).ok());
  EXPECT_EQ(index.FindByChecksum("sha256:" + sha)->value(), sha);
  EXPECT_EQ(index.FindByChecksum("sha512:" + std::string(128, 'b'))->value(), sha);
  EXPECT_FALSE(index.FindByChecksum("sha256:" + std::string(64, 'd'))->has_value());
}

TEST(RegistryIndex, RemoveDropsNamesAndAlternates) {
  auto db = Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  RegistryIndex index(**db);
  const std::string a(64, 'a'), b(64, 'e');
  RegistryEntry eb = MakeEntry(b);
  eb.checksums.clear();
  ASSERT_TRUE(index.PutAndName(MakeEntry(a), "v1", "linux/amd64").ok());
  ASSERT_TRUE(index.PutAndName(eb, "v1", "linux/arm64").ok());
  ASSERT_TRUE(index.SetName("only-a", "any", a).ok());
  ASSERT_TRUE(index.Remove(a).ok());
  EXPECT_FALSE(index.Get(a)->has_value());
  EXPECT_FALSE(index.FindByChecksum("sha512:" + std::string(128, 'b'))->has_value());
  auto names = index.ListNames();
  ASSERT_TRUE(names.ok());
  ASSERT_EQ(names->size(), 1u);
  EXPECT_EQ((*names)[0].first, "v1");
  EXPECT_EQ((*names)[0].second, (NameTargets{{"linux/arm64", b}}));
  EXPECT_EQ(index.List()->size(), 1u);
}

TEST(RegistryIndex, CorruptRecordIsReportedNotThrown) {
  auto db = Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Put("registry/blob/x", "{not json").ok());
  RegistryIndex index(**db);
  auto got = index.Get("x");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), base::Status::Code::kCorruption);
}

}  // namespace
}  // namespace state
