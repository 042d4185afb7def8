#include "state/database.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace state {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/replayer-state-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Database, WritesSurviveReopen) {
  TempDir dir;
  {
    auto db = Database::Open(dir.path() + "/db");
    ASSERT_TRUE(db.ok()) << db.status().message();
    Database::Batch b;
    b.Put("a", "1");
    b.Put("b", "2");
    ASSERT_TRUE((*db)->Write(b).ok());
  }
  auto db = Database::Open(dir.path() + "/db");
  ASSERT_TRUE(db.ok());
  auto a = (*db)->Get("a");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ(**a, "1");
  auto missing = (*db)->Get("zzz");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST(Database, SecondOpenerIsRefusedWithThePath) {
  TempDir dir;
  auto first = Database::Open(dir.path() + "/db");
  ASSERT_TRUE(first.ok());
  auto second = Database::Open(dir.path() + "/db");
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find(dir.path() + "/db"), std::string::npos);
  EXPECT_TRUE(second.status().Is(base::Status::Code::kFailedPrecondition));
}

TEST(Database, ScanForwardAndBackwardWithinPrefix) {
  auto db = Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE((*db)->Put(OrderedKey("p/", i), std::to_string(i)).ok());
  ASSERT_TRUE((*db)->Put("q/1", "other").ok());
  ASSERT_TRUE((*db)->Put("o/1", "other").ok());
  auto all = (*db)->Scan("p/");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ(all->front().second, "1");
  auto last2 = (*db)->Scan("p/", 2, true);
  ASSERT_TRUE(last2.ok());
  ASSERT_EQ(last2->size(), 2u);
  EXPECT_EQ((*last2)[0].second, "5");
  EXPECT_EQ((*last2)[1].second, "4");
  auto lastq = (*db)->Scan("q/", 0, true);
  ASSERT_TRUE(lastq.ok());
  ASSERT_EQ(lastq->size(), 1u);
}

TEST(Database, OrderedKeysSortNumerically) {
  EXPECT_LT(OrderedKey("x/", 9), OrderedKey("x/", 10));
  EXPECT_LT(OrderedKey("x/", 99999), OrderedKey("x/", 100000));
}

}  // namespace
}  // namespace state

namespace state {
namespace {

TEST(Database, ReadersGetACopyWhileTheWriterHoldsTheLock) {
  TempDir dir;
  std::string path = dir.path() + "/db";
  auto writer = Database::Open(path);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Put("k", "v1").ok());
  std::string copy_path;
  {
    auto reader = Database::OpenForReading(path);
    ASSERT_TRUE(reader.ok()) << reader.status().message();
    copy_path = (*reader)->path();
    EXPECT_NE(copy_path, path);
    auto v = (*reader)->Get("k");
    ASSERT_TRUE(v.ok());
    ASSERT_TRUE(v->has_value());
    EXPECT_EQ(**v, "v1");
  }
  EXPECT_FALSE(std::filesystem::exists(copy_path)) << "the private copy must be removed";
  // The writer is untouched and still usable.
  ASSERT_TRUE((*writer)->Put("k", "v2").ok());
  auto missing = Database::OpenForReading(dir.path() + "/none");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/none"));
}

}  // namespace
}  // namespace state
