// The whole application state as one sorted in-memory key/value map (the demochain analogue of
// the SDK multistore), with the set of keys changed since the last commit so a node persists only
// those. Keys are prefixed by module ("bank/...", "gov/...", "upgrade/..."). The app hash is
// SHA-256 over every (key, value) pair in key order, so any difference anywhere in the state
// shows up in the hash. Not thread-safe; the node serialises access.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "demochain/core/encoding.h"

namespace demochain {

class KvState {
 public:
  std::optional<std::string> Get(const std::string& key) const;
  void Set(const std::string& key, std::string value);
  void Delete(const std::string& key);
  // Calls fn(key, value) for every key starting with prefix, in order; fn returns false to stop.
  void ForEachPrefix(const std::string& prefix,
                     const std::function<bool(const std::string&, const std::string&)>& fn) const;

  // Loading from disk: no dirty tracking.
  void LoadRaw(std::string key, std::string value) { data_[std::move(key)] = std::move(value); }

  Hash AppHash() const;
  // Keys changed since the last call: value, or nullopt when deleted.
  std::map<std::string, std::optional<std::string>> TakeDirty();
  size_t size() const { return data_.size(); }
  const std::map<std::string, std::string>& data() const { return data_; }

 private:
  std::map<std::string, std::string> data_;
  std::map<std::string, std::optional<std::string>> dirty_;
};

}  // namespace demochain
