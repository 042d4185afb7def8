// Tests for replayer snapshots on real temporary directories, including the key proof: a
// snapshot of a real LevelDB survives later writes and compactions of the live database.
#include "replayer/upgrade/snapshot.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <leveldb/options.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "replayer/config/file_util.h"
#include "tests/testing/temp_dir.h"

namespace replayer {
namespace {

namespace fs = std::filesystem;
using base::Status;
using testing_util::TempDir;

using testing_util::WriteText;

struct stat Lstat(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st;
}

// Every regular file below `root` (relative path -> contents), leaving out our marker.
std::map<std::string, std::string> Contents(const std::string& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_symlink() || !e.is_regular_file()) continue;
    std::string rel = fs::relative(e.path(), root).string();
    if (rel == kSnapshotMarker) continue;
    auto text = ReadFile(e.path().string());
    EXPECT_TRUE(text.ok());
    out[rel] = text.ok() ? *text : "";
  }
  return out;
}

bool ReflinkHere(const std::string& dir) {
  auto r = ReflinkSupported(dir);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() && *r;
}

TEST(SnapshotTest, Name) {
  EXPECT_EQ(SnapshotName("v2", 120), "data-backup-v2-120");
  EXPECT_EQ(SnapshotName("some%20spaces", 7), "data-backup-some%20spaces-7");
}

TEST(SnapshotTest, CountsPerMethodAndKeepsMetadata) {
  TempDir tmp;
  const std::string data = tmp / "data";
  WriteText(data + "/application.db/000005.ldb", std::string(10000, 'a'));
  WriteText(data + "/application.db/000007.ldb", std::string(3000, 'b'));
  WriteText(data + "/application.db/MANIFEST-000004", "manifest");
  WriteText(data + "/application.db/CURRENT", "MANIFEST-000004\n");
  WriteText(data + "/application.db/000006.log", "wal", 0600);
  WriteText(data + "/pebble.db/000012.sst", std::string(500, 'c'));
  WriteText(data + "/priv_validator_state.json", "{\"height\":\"9\"}", 0600);
  fs::create_directories(data + "/cs.wal/empty");
  ASSERT_EQ(::symlink("application.db/CURRENT", (data + "/link").c_str()), 0);
  ASSERT_EQ(::mkfifo((data + "/fifo").c_str(), 0600), 0);
  const struct timespec old[2] = {{1000000000, 0}, {1234567890, 123456789}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (data + "/priv_validator_state.json").c_str(), old, 0), 0);
  ASSERT_EQ(::utimensat(AT_FDCWD, (data + "/cs.wal/empty").c_str(), old, 0), 0);
  ::chmod((data + "/cs.wal").c_str(), 0750);

  const std::string dest = tmp / "backups/data-backup-v2-10";
  auto stats = TakeSnapshot(data, dest);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->files, 7u);
  EXPECT_EQ(stats->dirs, 4u);  // application.db, pebble.db, cs.wal, cs.wal/empty
  EXPECT_EQ(stats->symlinks, 1u);
  EXPECT_EQ(stats->skipped, 1u);  // the FIFO
  const uint64_t table_bytes = 10000 + 3000 + 500;
  const uint64_t other_bytes = 8 + 16 + 3 + 14;
  EXPECT_EQ(stats->bytes, table_bytes + other_bytes);
  EXPECT_EQ(stats->reflinked + stats->hardlinked + stats->copied, stats->files);
  if (ReflinkHere(tmp.path())) {
    EXPECT_EQ(stats->reflinked, 7u);
    EXPECT_EQ(stats->bytes_copied, 0u);
  } else {  // e.g. ext4: links for the three table files, copies for the rest
    EXPECT_EQ(stats->reflinked, 0u);
    EXPECT_EQ(stats->hardlinked, 3u);
    EXPECT_EQ(stats->copied, 4u);
    EXPECT_EQ(stats->bytes_copied, other_bytes);
    EXPECT_EQ(Lstat(dest + "/application.db/000005.ldb").st_ino,
              Lstat(data + "/application.db/000005.ldb").st_ino);
    EXPECT_NE(Lstat(dest + "/application.db/MANIFEST-000004").st_ino,
              Lstat(data + "/application.db/MANIFEST-000004").st_ino);
  }
  EXPECT_EQ(Contents(dest), Contents(data));
  EXPECT_TRUE(fs::is_directory(dest + "/cs.wal/empty"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(dest + "/fifo")));
  EXPECT_EQ(fs::read_symlink(dest + "/link").string(), "application.db/CURRENT");
  EXPECT_EQ(Lstat(dest + "/priv_validator_state.json").st_mode & 07777, 0600u);
  EXPECT_EQ(Lstat(dest + "/application.db/000006.log").st_mode & 07777, 0600u);
  EXPECT_EQ(Lstat(dest + "/cs.wal").st_mode & 07777, 0750u);
  EXPECT_EQ(Lstat(dest + "/priv_validator_state.json").st_mtim.tv_sec, 1234567890);
  EXPECT_EQ(Lstat(dest + "/priv_validator_state.json").st_mtim.tv_nsec, 123456789);
  EXPECT_EQ(Lstat(dest + "/cs.wal/empty").st_mtim.tv_sec, 1234567890);
  EXPECT_TRUE(fs::exists(dest + "/" + std::string(kSnapshotMarker)));
  EXPECT_FALSE(fs::exists(dest + ".partial"));

  // A copied (not linked) file in the snapshot does not see later writes to the live one.
  WriteText(data + "/priv_validator_state.json", "{\"height\":\"10\"}");
  EXPECT_EQ(*ReadFile(dest + "/priv_validator_state.json"), "{\"height\":\"9\"}");
}

std::string Value(int i, int generation) {
  // Incompressible-ish and distinct per key and generation.
  std::string v(200, '\0');
  uint64_t x = static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(generation);
  for (char& c : v) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>('!' + x % 90);
  }
  return v;
}

std::string Key(int i) { return "key" + std::to_string(1000000 + i); }

std::unique_ptr<leveldb::DB> OpenDb(const std::string& path) {
  leveldb::Options opt;
  opt.create_if_missing = true;
  opt.write_buffer_size = 64 * 1024;  // many small tables, so compaction has work to do
  opt.max_file_size = 64 * 1024;
  opt.compression = leveldb::kNoCompression;
  leveldb::DB* db = nullptr;
  leveldb::Status st = leveldb::DB::Open(opt, path, &db);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return std::unique_ptr<leveldb::DB>(db);
}

void WriteGeneration(leveldb::DB* db, int first, int count, int generation) {
  for (int i = first; i < first + count; ++i) {
    ASSERT_TRUE(db->Put(leveldb::WriteOptions(), Key(i), Value(i, generation)).ok());
  }
}

std::set<std::string> TableFiles(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".ldb") out.insert(e.path().filename().string());
  }
  return out;
}

// THE proof: writes and compactions of the live LevelDB after a snapshot (which delete the old
// table files the snapshot may share by hard link) never change the snapshot, and the snapshot
// opens as a database holding the original values.
TEST(SnapshotTest, LevelDbSnapshotSurvivesLiveWritesAndCompaction) {
  TempDir tmp;
  const std::string data = tmp / "home/data";
  const std::string live_db = data + "/application.db";
  constexpr int kKeys = 20000;
  {
    fs::create_directories(data);
    auto db = OpenDb(live_db);
    ASSERT_NE(db, nullptr);
    WriteGeneration(db.get(), 0, kKeys, 1);
  }
  WriteText(data + "/priv_validator_state.json", "{\"height\":\"100\"}");
  const std::set<std::string> tables_before = TableFiles(live_db);
  ASSERT_GE(tables_before.size(), 5u);
  const auto before = Contents(data);

  const std::string dest = tmp / "home" + "/" + SnapshotName("v2", 100);
  auto stats = TakeSnapshot(data, dest);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->files, before.size());
  EXPECT_EQ(stats->reflinked + stats->hardlinked + stats->copied, stats->files);
  if (!ReflinkHere(tmp.path())) {
    EXPECT_EQ(stats->hardlinked, tables_before.size());
  }
  ASSERT_EQ(Contents(dest), before);

  {  // The node runs on: overwrite every key, add as many, compact everything.
    auto db = OpenDb(live_db);
    ASSERT_NE(db, nullptr);
    WriteGeneration(db.get(), 0, kKeys, 2);
    WriteGeneration(db.get(), kKeys, kKeys, 2);
    db->CompactRange(nullptr, nullptr);
  }
  WriteText(data + "/priv_validator_state.json", "{\"height\":\"101\"}");
  const std::set<std::string> tables_after = TableFiles(live_db);
  int deleted = 0;
  for (const auto& t : tables_before) deleted += tables_after.count(t) == 0;
  EXPECT_GE(deleted, static_cast<int>(tables_before.size()) / 2)
      << "the compaction should have deleted most of the old tables";

  // Every byte of the snapshot is as it was.
  EXPECT_EQ(Contents(dest), before);

  // And it is a working database with the original values (opened from a copy, because
  // opening a database writes to it).
  const std::string restored = tmp / "restored/application.db";
  fs::create_directories(tmp / "restored");
  fs::copy(dest + "/application.db", restored, fs::copy_options::recursive);
  auto db = OpenDb(restored);
  ASSERT_NE(db, nullptr);
  std::string v;
  for (int i = 0; i < kKeys; i += 7) {
    ASSERT_TRUE(db->Get(leveldb::ReadOptions(), Key(i), &v).ok()) << Key(i);
    ASSERT_EQ(v, Value(i, 1)) << Key(i);
  }
  EXPECT_TRUE(db->Get(leveldb::ReadOptions(), Key(kKeys + 1), &v).IsNotFound());
  // The live database has the new values.
  db.reset();
  auto live = OpenDb(live_db);
  ASSERT_TRUE(live->Get(leveldb::ReadOptions(), Key(3), &v).ok());
  EXPECT_EQ(v, Value(3, 2));
}

TEST(SnapshotTest, StalePartialFromACrashIsReplaced) {
  TempDir tmp;
  WriteText(tmp / "data/a.ldb", "table");
  WriteText(tmp / "data/LOG", "log");
  const std::string dest = tmp / "snap";
  WriteText(dest + ".partial/junk", "half a snapshot");
  WriteText(dest + ".partial/a.ldb", "torn");
  auto stats = TakeSnapshot(tmp / "data", dest);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_FALSE(fs::exists(dest + ".partial"));
  EXPECT_FALSE(fs::exists(dest + "/junk"));
  EXPECT_EQ(Contents(dest), Contents(tmp / "data"));
}

TEST(SnapshotTest, RerunAfterCompletionIsIdempotent) {
  TempDir tmp;
  WriteText(tmp / "data/a.ldb", "table");
  WriteText(tmp / "data/LOG", "log");
  const std::string dest = tmp / "snap";
  auto first = TakeSnapshot(tmp / "data", dest);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  WriteText(tmp / "data/LOG", "log grew after the snapshot");
  auto second = TakeSnapshot(tmp / "data", dest);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->files, first->files);
  EXPECT_EQ(second->hardlinked, first->hardlinked);
  EXPECT_EQ(second->copied, first->copied);
  EXPECT_EQ(second->bytes, first->bytes);
  EXPECT_EQ(*ReadFile(dest + "/LOG"), "log");  // not taken again
}

TEST(SnapshotTest, CompleteSnapshotIsReusedOnlyByItsOwner) {
  TempDir tmp;
  WriteText(tmp / "data/LOG", "log");
  const std::string dest = tmp / "snap";
  SnapshotOwner a{"/homes/a", "v2", 5, 1, 1700000000000};
  SnapshotOwner b{"/homes/b", "v2", 5, 1, 1700000000500};
  ASSERT_TRUE(TakeSnapshot(tmp / "data", dest, a).ok());
  auto marker = ReadSnapshotMarker(dest);
  ASSERT_TRUE(marker.ok()) << marker.status().ToString();
  EXPECT_EQ(marker->owner, a);
  EXPECT_TRUE(TakeSnapshot(tmp / "data", dest, a).ok());  // the same transaction, after a crash
  auto other = TakeSnapshot(tmp / "data", dest, b);
  ASSERT_FALSE(other.ok());
  EXPECT_TRUE(other.status().Is(base::Status::Code::kAlreadyExists));
  EXPECT_NE(other.status().message().find("home /homes/a"), std::string::npos)
      << other.status().message();
  EXPECT_NE(other.status().message().find("home /homes/b"), std::string::npos);
  EXPECT_FALSE(TakeSnapshot(tmp / "data", dest).ok());  // no owner is not the owner
}

TEST(SnapshotTest, RefusesForeignDestinationAndBadSources) {
  TempDir tmp;
  WriteText(tmp / "data/a.ldb", "table");
  WriteText(tmp / "other/keep", "mine");
  auto st = TakeSnapshot(tmp / "data", tmp / "other");
  EXPECT_TRUE(st.status().Is(Status::Code::kAlreadyExists)) << st.status().ToString();
  EXPECT_NE(st.status().message().find(tmp / "other"), std::string::npos);
  EXPECT_EQ(*ReadFile(tmp / "other/keep"), "mine");

  st = TakeSnapshot(tmp / "data", tmp / "data/backup");
  EXPECT_TRUE(st.status().Is(Status::Code::kInvalidArgument)) << st.status().ToString();

  st = TakeSnapshot(tmp / "missing", tmp / "snap");
  EXPECT_TRUE(st.status().Is(Status::Code::kNotFound)) << st.status().ToString();
  EXPECT_FALSE(fs::exists(tmp / "snap"));
}

TEST(SnapshotTest, PruneKeepsNewestAndNeverTouchesOthers) {
  TempDir tmp;
  const std::string backups = tmp.path();
  WriteText(tmp / "data/a.ldb", "table");
  WriteText(tmp / "data/MANIFEST-000001", "m");
  for (int h = 1; h <= 4; ++h) {
    ASSERT_TRUE(
        TakeSnapshot(tmp / "data", backups + "/" + SnapshotName("v" + std::to_string(h), h * 10))
            .ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(3));  // distinct created times
  }
  WriteText(tmp / "data-backup-2021-8-10/x", "a Cosmovisor backup, not ours");
  auto listed = ListSnapshots(backups);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 4u);
  EXPECT_EQ(listed->front().name, "data-backup-v1-10");
  EXPECT_EQ(listed->front().source, tmp / "data");

  ASSERT_TRUE(PruneSnapshots(backups, 2).ok());
  EXPECT_FALSE(fs::exists(tmp / "data-backup-v1-10"));
  EXPECT_FALSE(fs::exists(tmp / "data-backup-v2-20"));
  EXPECT_TRUE(fs::exists(tmp / "data-backup-v3-30/a.ldb"));
  EXPECT_TRUE(fs::exists(tmp / "data-backup-v4-40/a.ldb"));
  EXPECT_EQ(*ReadFile(tmp / "data/a.ldb"), "table");  // unlinking a hard link keeps the live file
  ASSERT_TRUE(PruneSnapshots(backups, 2).ok());
  EXPECT_EQ(ListSnapshots(backups)->size(), 2u);

  ASSERT_TRUE(PruneSnapshots(backups, 0).ok());
  EXPECT_TRUE(ListSnapshots(backups)->empty());
  EXPECT_EQ(*ReadFile(tmp / "data-backup-2021-8-10/x"), "a Cosmovisor backup, not ours");
  EXPECT_EQ(*ReadFile(tmp / "data/a.ldb"), "table");
  for (const auto& e : fs::directory_iterator(backups)) {
    EXPECT_EQ(e.path().string().find(".pruning"), std::string::npos) << e.path();
  }
  EXPECT_TRUE(PruneSnapshots(backups, -1).Is(Status::Code::kInvalidArgument));
  EXPECT_TRUE(PruneSnapshots(tmp / "no-such-dir", 2).ok());
}

TEST(SnapshotTest, PruneFinishesADeletionACrashInterrupted) {
  TempDir tmp;
  WriteText(tmp / "data/a.ldb", "table");
  WriteText(tmp / "data/sub/LOG", "log");
  ASSERT_TRUE(TakeSnapshot(tmp / "data", tmp / "snap-old").ok());
  // Crash state: renamed for pruning, partly deleted, marker still there.
  fs::rename(tmp / "snap-old", tmp / "snap-old.pruning");
  fs::remove_all(tmp / "snap-old.pruning/sub");
  fs::create_directories(tmp / "empty.pruning");      // crash after the marker went
  fs::create_directories(tmp / "foreign.pruning/x");  // not ours: left alone
  ASSERT_TRUE(PruneSnapshots(tmp.path(), 2).ok());
  EXPECT_FALSE(fs::exists(tmp / "snap-old.pruning"));
  EXPECT_FALSE(fs::exists(tmp / "empty.pruning"));
  EXPECT_TRUE(fs::exists(tmp / "foreign.pruning/x"));
  EXPECT_TRUE(ListSnapshots(tmp.path())->empty());
}

// A backup dir on another file system (DAEMON_DATA_BACKUP_DIR elsewhere): links are impossible
// (EXDEV), so everything is copied, and the stats say so.
TEST(SnapshotTest, CopiesAcrossFileSystems) {
  struct stat shm, tmpfs;
  if (::stat("/dev/shm", &shm) != 0 || ::stat("/tmp", &tmpfs) != 0 || shm.st_dev == tmpfs.st_dev) {
    GTEST_SKIP() << "needs /dev/shm on another file system than /tmp";
  }
  char tmpl[] = "/dev/shm/replayer-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string data = std::string(tmpl) + "/data";
  WriteText(data + "/db/000005.ldb", "table one");
  WriteText(data + "/db/000006.ldb", "table two");
  WriteText(data + "/db/MANIFEST-000004", "manifest");
  TempDir tmp;
  auto stats = TakeSnapshot(data, tmp / "snap");
  EXPECT_TRUE(stats.ok()) << stats.status().ToString();
  if (stats.ok()) {
    EXPECT_EQ(stats->hardlinked, 0u);
    EXPECT_EQ(stats->reflinked, 0u);
    EXPECT_EQ(stats->copied, 3u);
    EXPECT_EQ(stats->bytes_copied, stats->bytes);
    EXPECT_EQ(Contents(tmp / "snap"), Contents(data));
  }
  fs::remove_all(tmpl);
}

TEST(SnapshotTest, ReflinkProbeIsHonest) {
  TempDir tmp;
  auto r = ReflinkSupported(tmp.path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Either answer is fine; the probe must leave nothing behind.
  EXPECT_TRUE(fs::is_empty(tmp.path()));
  EXPECT_FALSE(ReflinkSupported(tmp / "missing").ok());
}

}  // namespace
}  // namespace replayer

namespace replayer {
namespace {

TEST(SnapshotMarker, ParsesWhatItWritesAndRefusesNumbersOutOfRange) {
  SnapshotStats stats;
  stats.files = 1204;
  stats.reflinked = 1204;
  stats.bytes = UINT64_MAX;
  stats.seconds = 0.0312;
  auto info = ParseSnapshotMarker(FormatSnapshotMarker(1764623901040, "/home/node/data", stats), "/b/s");
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->path, "/b/s");
  EXPECT_EQ(info->created_ms, 1764623901040);
  EXPECT_EQ(info->source, "/home/node/data");
  EXPECT_EQ(info->stats, stats);
  for (const char* bad : {R"({"format":2,"created_ms":1})", R"({"format":1e300})", "[1]", "x",
                          R"({"format":1,"created_ms":1e19,"source":"/d","stats":{}})"}) {
    auto r = ParseSnapshotMarker(bad, "/b/s");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), base::Status::Code::kCorruption) << bad;
  }
  // A source path that is not UTF-8 no longer makes the marker's writer throw.
  EXPECT_TRUE(ParseSnapshotMarker(FormatSnapshotMarker(1, "/data/\xff", stats), "/b/s").ok());
}

}  // namespace
}  // namespace replayer
