#include "demochain/node/stores.h"

#include <leveldb/cache.h>
#include <leveldb/write_batch.h>

#include "demochain/core/encoding.h"

namespace demochain {

namespace {
// Meta keys start with 0x00 so they sort before and never collide with state keys.
// (Built with an explicit length: GCC 12's -Wrestrict misfires on string + literal at -O3.)
const std::string kMetaHeight("\0meta/height", 12);
const std::string kMetaAppHash("\0meta/app_hash", 14);

std::string BlockKey(uint64_t h) {
  std::string key(1, 'b');
  key.append(EncodeU64BE(h));
  return key;
}

std::string OpenDb(const std::string& path, std::unique_ptr<leveldb::DB>* out) {
  leveldb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 8 << 20;
  leveldb::DB* db = nullptr;
  leveldb::Status st = leveldb::DB::Open(options, path, &db);
  if (!st.ok()) return "open " + path + ": " + st.ToString();
  out->reset(db);
  return "";
}

void SyncWrite(leveldb::DB* db) {
  if (!db) return;
  leveldb::WriteOptions wo;
  wo.sync = true;
  leveldb::WriteBatch empty;
  db->Write(wo, &empty);
}
}  // namespace

std::string BlockStore::Open(const std::string& path) {
  std::string err = OpenDb(path, &db_);
  if (!err.empty()) return err;
  std::string v;
  if (db_->Get(leveldb::ReadOptions(), kMetaHeight, &v).ok()) height_ = DecodeU64BE(v);
  return "";
}

uint64_t BlockStore::Height() const { return height_; }

std::optional<std::string> BlockStore::Get(uint64_t height) const {
  std::string v;
  if (!db_->Get(leveldb::ReadOptions(), BlockKey(height), &v).ok()) return std::nullopt;
  return v;
}

void BlockStore::Put(uint64_t height, const std::string& encoded_block) {
  leveldb::WriteBatch batch;
  batch.Put(BlockKey(height), encoded_block);
  batch.Put(kMetaHeight, EncodeU64BE(height));
  leveldb::Status st = db_->Write(leveldb::WriteOptions(), &batch);
  if (!st.ok()) throw std::runtime_error("blockstore write: " + st.ToString());
  height_ = height;
}

void BlockStore::Sync() { SyncWrite(db_.get()); }

std::string AppStore::Open(const std::string& path) { return OpenDb(path, &db_); }

uint64_t AppStore::Load(KvState& state, std::string* app_hash_raw) {
  uint64_t height = 0;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string key = it->key().ToString();
    if (key == kMetaHeight) {
      height = DecodeU64BE(it->value().ToString());
    } else if (key == kMetaAppHash) {
      *app_hash_raw = it->value().ToString();
    } else if (!key.empty() && key[0] != '\0') {
      state.LoadRaw(std::move(key), it->value().ToString());
    }
  }
  return height;
}

void AppStore::Commit(uint64_t height, const std::string& app_hash_raw,
                      const std::map<std::string, std::optional<std::string>>& dirty) {
  leveldb::WriteBatch batch;
  for (const auto& [k, v] : dirty) {
    if (v)
      batch.Put(k, *v);
    else
      batch.Delete(k);
  }
  batch.Put(kMetaHeight, EncodeU64BE(height));
  batch.Put(kMetaAppHash, app_hash_raw);
  leveldb::Status st = db_->Write(leveldb::WriteOptions(), &batch);
  if (!st.ok()) throw std::runtime_error("application.db write: " + st.ToString());
}

void AppStore::Sync() { SyncWrite(db_.get()); }

}  // namespace demochain
