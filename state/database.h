// state::Database: the only code in Replayer that sees LevelDB.
//
// A small typed key/value surface over one LevelDB directory. Every write goes through a Batch
// and is applied with sync=true, so a batch is either wholly on disk or not at all after a crash
// or power loss. LevelDB's LOCK file makes a second opener of the same directory fail, which is
// how two Replayers on one home are refused. Not thread-safe beyond what LevelDB gives: the
// application uses it from its single event-loop thread. Never exposes leveldb types.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace leveldb {
class Env;
}  // namespace leveldb

namespace state {

class Database;
// Opens `path` like Database::Open, but through `env` (which must outlive the database): for
// fault-injection tests that drop what was not synced (tests/state/fault_injection_test.cpp).
// Application code never calls it.
base::Result<std::unique_ptr<Database>> OpenDatabaseWithEnvForTesting(const std::string& path,
                                                                      leveldb::Env* env);

class Database {
 public:
  class Batch {
   public:
    void Put(std::string_view key, std::string_view value);
    void Delete(std::string_view key);
    bool empty() const { return ops_.empty(); }

   private:
    friend class Database;
    struct Op {
      bool is_delete;
      std::string key;
      std::string value;
    };
    std::vector<Op> ops_;
  };

  // Opens (creating if needed) the database in directory `path`. Fails with a message naming
  // the path if another process holds it.
  static base::Result<std::unique_ptr<Database>> Open(const std::string& path);
  // A database that lives in memory only (LevelDB's MemEnv); for tests where the lock and the
  // disk do not matter.
  static base::Result<std::unique_ptr<Database>> OpenInMemory();
  // For readers that must not wait for the writer (e.g. `replayer status` while `replayer run`
  // holds the lock): opens `path` if it is free, else a private copy of it (LevelDB recovers a
  // log whose tail was being appended while copied), removed again when the Database is
  // destroyed. A missing `path` gives an empty in-memory database. Writes to a copy are lost.
  static base::Result<std::unique_ptr<Database>> OpenForReading(const std::string& path);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  base::Result<std::optional<std::string>> Get(std::string_view key) const;
  // Applies the batch atomically and durably (sync=true).
  base::Status Write(const Batch& batch);
  base::Status Put(std::string_view key, std::string_view value);
  // A write that survives a crash of this process but not of the machine (no fsync): for facts
  // that only matter while the machine stays up, such as the pid of a running child.
  base::Status PutVolatile(std::string_view key, std::string_view value);
  // All pairs whose key starts with `prefix`, in key order. `limit` 0 means all; `reverse`
  // returns the last ones first.
  base::Result<std::vector<std::pair<std::string, std::string>>> Scan(std::string_view prefix,
                                                                      size_t limit = 0,
                                                                      bool reverse = false) const;

  const std::string& path() const { return path_; }
  // True for OpenForReading's private copy: the live database was locked, so a Replayer is
  // running on it right now.
  bool IsPrivateCopy() const { return !remove_on_close_.empty(); }

 private:
  struct Impl;
  explicit Database(std::unique_ptr<Impl> impl, std::string path);
  static base::Result<std::unique_ptr<Database>> OpenWith(const std::string& path,
                                                          leveldb::Env* env);
  friend base::Result<std::unique_ptr<Database>> OpenDatabaseWithEnvForTesting(
      const std::string& path, leveldb::Env* env);
  std::unique_ptr<Impl> impl_;
  std::string path_;
  std::string remove_on_close_;  // a private copy's directory
};

// Fixed-width decimal so lexicographic key order equals numeric order.
std::string OrderedKey(std::string_view prefix, uint64_t n);

}  // namespace state
