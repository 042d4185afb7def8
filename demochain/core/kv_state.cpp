#include "demochain/core/kv_state.h"

namespace demochain {

std::optional<std::string> KvState::Get(const std::string& key) const {
  auto it = data_.find(key);
  if (it == data_.end()) return std::nullopt;
  return it->second;
}

void KvState::Set(const std::string& key, std::string value) {
  dirty_[key] = value;
  data_[key] = std::move(value);
}

void KvState::Delete(const std::string& key) {
  if (data_.erase(key) > 0) dirty_[key] = std::nullopt;
}

void KvState::ForEachPrefix(
    const std::string& prefix,
    const std::function<bool(const std::string&, const std::string&)>& fn) const {
  for (auto it = data_.lower_bound(prefix); it != data_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (!fn(it->first, it->second)) break;
  }
}

Hash KvState::AppHash() const {
  Sha256Stream s;
  ByteWriter w;
  for (const auto& [k, v] : data_) {
    w.Bytes(k);
    w.Bytes(v);
    if (w.str().size() > 16384) {
      s.Update(w.str());
      w = ByteWriter();
    }
  }
  s.Update(w.str());
  return s.Final();
}

std::map<std::string, std::optional<std::string>> KvState::TakeDirty() {
  std::map<std::string, std::optional<std::string>> out;
  out.swap(dirty_);
  return out;
}

}  // namespace demochain
