// Power loss, not only a killed process: the journal on a LevelDB Env that remembers, per file,
// how much was synced, and on "power loss" truncates every file it wrote to that length (as
// LevelDB's own fault_injection_test does). The database is closed at each step of an upgrade
// transaction, the unsynced data is dropped, and the journal read back must hold every step
// that was recorded: each step is one synced batch. A control proves the injection bites: a
// volatile write (no fsync, by design) is there after a plain close and gone after power loss.
#include <gtest/gtest.h>
#include <leveldb/env.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "state/database.h"
#include "state/journal.h"
#include "tests/testing/temp_dir.h"

namespace state {
namespace {

class FaultInjectionEnv final : public leveldb::EnvWrapper {
 public:
  FaultInjectionEnv() : EnvWrapper(leveldb::Env::Default()) {}

  leveldb::Status NewWritableFile(const std::string& f, leveldb::WritableFile** r) override {
    leveldb::WritableFile* file = nullptr;
    leveldb::Status s = target()->NewWritableFile(f, &file);
    if (!s.ok()) return s;
    Track(f, 0);
    *r = new TrackedFile(this, f, file, 0);
    return s;
  }

  leveldb::Status NewAppendableFile(const std::string& f, leveldb::WritableFile** r) override {
    uint64_t size = 0;
    if (!target()->GetFileSize(f, &size).ok()) size = 0;
    leveldb::WritableFile* file = nullptr;
    leveldb::Status s = target()->NewAppendableFile(f, &file);
    if (!s.ok()) return s;
    Track(f, size);
    *r = new TrackedFile(this, f, file, size);
    return s;
  }

  leveldb::Status RemoveFile(const std::string& f) override {
    {
      std::lock_guard<std::mutex> l(mu_);
      files_.erase(f);
    }
    return target()->RemoveFile(f);
  }

  leveldb::Status RenameFile(const std::string& from, const std::string& to) override {
    leveldb::Status s = target()->RenameFile(from, to);
    if (s.ok()) {
      std::lock_guard<std::mutex> l(mu_);
      auto it = files_.find(from);
      if (it != files_.end()) {
        files_[to] = it->second;
        files_.erase(it);
      }
    }
    return s;
  }

  // The machine loses power: every file keeps only what was synced. Call with the database
  // closed.
  void DropUnsyncedData() {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [name, state] : files_) {
      if (state.written > state.synced) {
        ASSERT_EQ(::truncate(name.c_str(), static_cast<off_t>(state.synced)), 0) << name;
        ++dropped_files_;
      }
    }
    files_.clear();
  }
  int dropped_files() const { return dropped_files_; }

 private:
  struct FileState {
    uint64_t written = 0;
    uint64_t synced = 0;
  };

  class TrackedFile final : public leveldb::WritableFile {
   public:
    TrackedFile(FaultInjectionEnv* env, std::string name, leveldb::WritableFile* file,
                uint64_t size)
        : env_(env), name_(std::move(name)), file_(file), pos_(size) {}
    leveldb::Status Append(const leveldb::Slice& data) override {
      leveldb::Status s = file_->Append(data);
      if (s.ok()) {
        pos_ += data.size();
        env_->Written(name_, pos_);
      }
      return s;
    }
    leveldb::Status Close() override { return file_->Close(); }  // closing is not syncing
    leveldb::Status Flush() override { return file_->Flush(); }
    leveldb::Status Sync() override {
      leveldb::Status s = file_->Sync();
      if (s.ok()) env_->Synced(name_, pos_);
      return s;
    }

   private:
    FaultInjectionEnv* env_;
    std::string name_;
    std::unique_ptr<leveldb::WritableFile> file_;
    uint64_t pos_;
  };

  void Track(const std::string& f, uint64_t size) {
    std::lock_guard<std::mutex> l(mu_);
    files_[f] = FileState{size, size};
  }
  void Written(const std::string& f, uint64_t pos) {
    std::lock_guard<std::mutex> l(mu_);
    files_[f].written = pos;
  }
  void Synced(const std::string& f, uint64_t pos) {
    std::lock_guard<std::mutex> l(mu_);
    files_[f].synced = pos;
  }

  std::mutex mu_;
  std::map<std::string, FileState> files_;
  int dropped_files_ = 0;
};

UpgradeTxn Txn() {
  UpgradeTxn t;
  t.name = "v2";
  t.dir = "v2";
  t.height = 100;
  t.from_dir = "genesis";
  return t;
}

const std::vector<Step> kSteps = {Step::kNodeStopped,          Step::kSnapshotTaken,
                                  Step::kBinaryReady,          Step::kCustomPreUpgradeDone,
                                  Step::kCurrentSwitched,      Step::kNodePreUpgradeDone};

// The control: the injection really drops what was not synced.
TEST(JournalPowerLoss, UnsyncedWritesAreLostAndSyncedOnesKept) {
  testing_util::TempDir dir;
  const std::string path = dir.path() + "/state";
  FaultInjectionEnv env;
  {
    auto db = OpenDatabaseWithEnvForTesting(path, &env);
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE((*db)->Put("synced", "1").ok());
    ASSERT_TRUE((*db)->PutVolatile("volatile", "1").ok());
  }
  env.DropUnsyncedData();
  EXPECT_GE(env.dropped_files(), 1);
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok()) << db.status().message();
  EXPECT_EQ(*(*db)->Get("synced"), std::optional<std::string>("1"));
  EXPECT_EQ(*(*db)->Get("volatile"), std::nullopt) << "the unsynced write survived";
}

// Power lost after each recorded step (k = 0: right after Begin): the journal read back names
// exactly the last recorded step, and after Complete the upgrade is applied and nothing open.
TEST(JournalPowerLoss, EveryRecordedStepSurvivesAPowerLoss) {
  for (size_t k = 0; k <= kSteps.size() + 1; ++k) {
    SCOPED_TRACE("power lost after " + std::to_string(k) + " steps");
    testing_util::TempDir dir;
    const std::string path = dir.path() + "/state";
    FaultInjectionEnv env;
    {
      auto db = OpenDatabaseWithEnvForTesting(path, &env);
      ASSERT_TRUE(db.ok()) << db.status().message();
      JournalStore j(**db);
      auto txn = j.Begin(Txn(), 1000);
      ASSERT_TRUE(txn.ok()) << txn.status().message();
      for (size_t i = 0; i < k && i < kSteps.size(); ++i) {
        ASSERT_TRUE(j.Record(*txn, kSteps[i], 1001 + static_cast<int64_t>(i)).ok());
      }
      if (k > kSteps.size()) {
        ASSERT_TRUE(j.Complete(*txn, Step::kNodeRestarted, 2000).ok());
      }
      // A volatile write after the last step, as the supervisor's node pid is: it may be lost.
      ASSERT_TRUE((*db)->PutVolatile("node-pid", "123").ok());
    }
    env.DropUnsyncedData();
    auto db = Database::Open(path);
    ASSERT_TRUE(db.ok()) << db.status().message();
    JournalStore j(**db);
    auto active = j.Active();
    ASSERT_TRUE(active.ok()) << active.status().message();
    auto applied = j.Applied();
    ASSERT_TRUE(applied.ok()) << applied.status().message();
    if (k > kSteps.size()) {
      EXPECT_FALSE(active->has_value());
      ASSERT_EQ(applied->size(), 1u);
      EXPECT_EQ((*applied)[0].name, "v2");
    } else {
      ASSERT_TRUE(active->has_value()) << "the begun transaction was lost";
      EXPECT_EQ((*active)->last_step, k == 0 ? Step::kDetected : kSteps[k - 1]);
      EXPECT_TRUE(applied->empty());
    }
  }
}

}  // namespace
}  // namespace state
