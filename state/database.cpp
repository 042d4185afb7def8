#include "state/database.h"

#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/helpers/memenv.h>
#include <leveldb/write_batch.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace state {

struct Database::Impl {
  std::unique_ptr<leveldb::Env> mem_env;  // set only for in-memory databases; outlives db
  std::unique_ptr<leveldb::DB> db;
  ~Impl() { db.reset(); }
};

namespace {
base::Status FromLevelDb(const leveldb::Status& s, std::string_view what) {
  if (s.ok()) return {};
  if (s.IsNotFound()) return base::Status::NotFound(std::string(what) + ": " + s.ToString());
  if (s.IsCorruption()) return base::Status::Corruption(std::string(what) + ": " + s.ToString());
  return base::Status::IoError(std::string(what) + ": " + s.ToString());
}
}  // namespace

void Database::Batch::Put(std::string_view key, std::string_view value) {
  ops_.push_back({false, std::string(key), std::string(value)});
}
void Database::Batch::Delete(std::string_view key) { ops_.push_back({true, std::string(key), {}}); }

Database::Database(std::unique_ptr<Impl> impl, std::string path)
    : impl_(std::move(impl)), path_(std::move(path)) {}
Database::~Database() {
  impl_.reset();
  if (!remove_on_close_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(remove_on_close_, ec);
  }
}

base::Result<std::unique_ptr<Database>> Database::Open(const std::string& path) {
  return OpenWith(path, nullptr);
}

base::Result<std::unique_ptr<Database>> OpenDatabaseWithEnvForTesting(const std::string& path,
                                                                      leveldb::Env* env) {
  return Database::OpenWith(path, env);
}

base::Result<std::unique_ptr<Database>> Database::OpenWith(const std::string& path,
                                                           leveldb::Env* env) {
  leveldb::Options options;
  if (env != nullptr) options.env = env;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  leveldb::DB* raw = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, path, &raw);
  if (!s.ok()) {
    std::string msg = s.ToString();
    if (msg.find("lock") != std::string::npos) {
      return base::Status::FailedPrecondition("state database " + path +
                                              " is in use by another process (" + msg + ")");
    }
    return FromLevelDb(s, "open state database " + path);
  }
  auto impl = std::make_unique<Impl>();
  impl->db.reset(raw);
  return std::unique_ptr<Database>(new Database(std::move(impl), path));
}

base::Result<std::unique_ptr<Database>> Database::OpenInMemory() {
  auto impl = std::make_unique<Impl>();
  impl->mem_env.reset(leveldb::NewMemEnv(leveldb::Env::Default()));
  leveldb::Options options;
  options.create_if_missing = true;
  options.env = impl->mem_env.get();
  leveldb::DB* raw = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, "/mem/state", &raw);
  if (!s.ok()) return FromLevelDb(s, "open in-memory state database");
  impl->db.reset(raw);
  return std::unique_ptr<Database>(new Database(std::move(impl), ":memory:"));
}

base::Result<std::unique_ptr<Database>> Database::OpenForReading(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) return OpenInMemory();
  auto db = Open(path);
  if (db.ok() || !db.status().Is(base::Status::Code::kFailedPrecondition)) return db;
  std::string tmpl = "/tmp/replayer-state-view-XXXXXX";
  if (!mkdtemp(tmpl.data())) return base::Status::IoError("cannot make a copy of " + path);
  for (const auto& e : fs::directory_iterator(path, ec)) {
    if (e.path().filename() == "LOCK") continue;
    fs::copy(e.path(), tmpl + "/" + e.path().filename().string(), ec);
  }
  auto copy = Open(tmpl);
  if (!copy.ok()) {
    fs::remove_all(tmpl, ec);
    return copy.status().WithContext("reading a copy of " + path);
  }
  (*copy)->remove_on_close_ = tmpl;
  return copy;
}

base::Result<std::optional<std::string>> Database::Get(std::string_view key) const {
  std::string value;
  leveldb::Status s = impl_->db->Get(leveldb::ReadOptions(), leveldb::Slice(key.data(), key.size()),
                                     &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromLevelDb(s, "read " + std::string(key) + " from " + path_);
  return std::optional<std::string>(std::move(value));
}

base::Status Database::Write(const Batch& batch) {
  leveldb::WriteBatch wb;
  for (const auto& op : batch.ops_) {
    if (op.is_delete) {
      wb.Delete(op.key);
    } else {
      wb.Put(op.key, op.value);
    }
  }
  leveldb::WriteOptions wo;
  wo.sync = true;
  return FromLevelDb(impl_->db->Write(wo, &wb), "write to state database " + path_);
}

base::Status Database::Put(std::string_view key, std::string_view value) {
  Batch b;
  b.Put(key, value);
  return Write(b);
}

base::Status Database::PutVolatile(std::string_view key, std::string_view value) {
  leveldb::WriteOptions wo;
  wo.sync = false;
  return FromLevelDb(impl_->db->Put(wo, leveldb::Slice(key.data(), key.size()),
                                    leveldb::Slice(value.data(), value.size())),
                     "write to state database " + path_);
}

base::Result<std::vector<std::pair<std::string, std::string>>> Database::Scan(
    std::string_view prefix, size_t limit, bool reverse) const {
  std::vector<std::pair<std::string, std::string>> out;
  std::unique_ptr<leveldb::Iterator> it(impl_->db->NewIterator(leveldb::ReadOptions()));
  leveldb::Slice p(prefix.data(), prefix.size());
  if (!reverse) {
    for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
      out.emplace_back(it->key().ToString(), it->value().ToString());
      if (limit && out.size() >= limit) break;
    }
  } else {
    // Seek just past the prefix range, then walk back.
    std::string end(prefix);
    end.push_back('\xff');
    it->Seek(end);
    if (it->Valid()) {
      it->Prev();
    } else {
      it->SeekToLast();
    }
    for (; it->Valid() && it->key().starts_with(p); it->Prev()) {
      out.emplace_back(it->key().ToString(), it->value().ToString());
      if (limit && out.size() >= limit) break;
    }
  }
  if (!it->status().ok()) return FromLevelDb(it->status(), "scan state database " + path_);
  return out;
}

std::string OrderedKey(std::string_view prefix, uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(n));
  return std::string(prefix) + buf;
}

}  // namespace state
