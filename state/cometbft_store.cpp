#include "state/cometbft_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>

#include "state/database.h"

namespace state {
namespace {

namespace fs = std::filesystem;

bool ReadVarint(std::string_view in, size_t* pos, uint64_t* out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (*pos >= in.size()) return false;
    auto b = static_cast<uint8_t>(in[(*pos)++]);
    if (shift == 63 && (b & 0x7e) != 0) return false;  // more than 64 bits
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *out = v;
      return true;
    }
  }
  return false;
}

// Walks the top-level fields of a protobuf message; `on_varint(field, value)` sees every varint
// field. Other wire types are skipped; groups and bad lengths are errors.
base::Status WalkFields(std::string_view in, std::string_view what,
                        const std::function<base::Status(uint64_t, uint64_t)>& on_varint) {
  size_t pos = 0;
  while (pos < in.size()) {
    uint64_t tag = 0;
    if (!ReadVarint(in, &pos, &tag)) {
      return base::Status::Corruption(std::string(what) + ": truncated field tag at byte " +
                                      std::to_string(pos));
    }
    const uint64_t field = tag >> 3;
    if (field == 0) return base::Status::Corruption(std::string(what) + ": field number 0");
    const std::string name = std::string(what) + " field " + std::to_string(field);
    switch (tag & 7) {
      case 0: {
        uint64_t v = 0;
        if (!ReadVarint(in, &pos, &v)) return base::Status::Corruption(name + ": truncated varint");
        RETURN_IF_ERROR(on_varint(field, v));
        break;
      }
      case 1:
        if (in.size() - pos < 8) return base::Status::Corruption(name + ": truncated fixed64");
        pos += 8;
        break;
      case 5:
        if (in.size() - pos < 4) return base::Status::Corruption(name + ": truncated fixed32");
        pos += 4;
        break;
      case 2: {
        uint64_t len = 0;
        if (!ReadVarint(in, &pos, &len) || len > in.size() - pos) {
          return base::Status::Corruption(name + ": bad length");
        }
        pos += static_cast<size_t>(len);
        break;
      }
      default:
        return base::Status::Corruption(name + ": unsupported wire type " +
                                        std::to_string(tag & 7));
    }
  }
  return {};
}

base::Result<int64_t> Height(uint64_t v, const std::string& name) {
  auto h = static_cast<int64_t>(v);
  if (h < 0) return base::Status::Corruption(name + " is negative (" + std::to_string(h) + ")");
  return h;
}

// A private, read-only-for-the-node snapshot of a LevelDB directory: table files hard-linked
// (they are never rewritten, only deleted), everything else copied; LOCK left out.
class Snapshot {
 public:
  ~Snapshot() {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  base::Status Make(const std::string& src) {
    std::string tmpl = (fs::temp_directory_path() / "replayer-cometbft-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) return base::Status::IoError("cannot make a snapshot of " + src);
    dir_ = tmpl;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(src, ec)) {
      const std::string name = e.path().filename().string();
      if (name == "LOCK" || name == "LOG" || name == "LOG.old") continue;
      const fs::path to = fs::path(dir_) / name;
      std::error_code lec;
      const bool table = name.ends_with(".ldb") || name.ends_with(".sst");
      if (table) fs::create_hard_link(e.path(), to, lec);
      if (!table || lec) {
        std::error_code cec;
        fs::copy_file(e.path(), to, cec);
        if (cec && fs::exists(e.path())) {
          return base::Status::IoError("cannot copy " + e.path().string() + ": " + cec.message());
        }
      }
    }
    if (ec) return base::Status::IoError("cannot list " + src + ": " + ec.message());
    return {};
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// Reads `key` from the goleveldb directory `db_dir` through a snapshot.
base::Result<std::optional<std::string>> ReadKey(const std::string& db_dir, std::string_view key) {
  std::error_code ec;
  if (!fs::exists(fs::path(db_dir) / "CURRENT", ec)) {
    return base::Status::NotFound(db_dir + " is not a LevelDB database (no CURRENT)");
  }
  if (GoLevelDbLockHeld(db_dir)) {
    return base::Status::Unavailable(db_dir +
                                     " is locked by another process (the node is running)");
  }
  Snapshot snap;
  RETURN_IF_ERROR(snap.Make(db_dir));
  auto db = Database::Open(snap.dir());
  if (!db.ok()) return db.status().WithContext("reading a snapshot of " + db_dir);
  auto v = (*db)->Get(key);
  if (!v.ok()) return v.status().WithContext("reading " + db_dir);
  return v;
}

}  // namespace

base::Result<BlockStoreState> ParseBlockStoreState(std::string_view record) {
  BlockStoreState s;
  RETURN_IF_ERROR(WalkFields(record, "BlockStoreState", [&](uint64_t f, uint64_t v) -> base::Status {
    if (f == 1) {
      ASSIGN_OR_RETURN(s.base, Height(v, "BlockStoreState.base"));
    } else if (f == 2) {
      ASSIGN_OR_RETURN(s.height, Height(v, "BlockStoreState.height"));
    }
    return {};
  }));
  if (s.height < s.base) {
    return base::Status::Corruption("BlockStoreState: height " + std::to_string(s.height) +
                                    " is below base " + std::to_string(s.base));
  }
  return s;
}

base::Result<int64_t> ParseStateLastBlockHeight(std::string_view record) {
  int64_t h = 0;
  RETURN_IF_ERROR(WalkFields(record, "State", [&](uint64_t f, uint64_t v) -> base::Status {
    if (f == 3) {
      ASSIGN_OR_RETURN(h, Height(v, "State.last_block_height"));
    }
    return {};
  }));
  return h;
}

bool GoLevelDbLockHeld(const std::string& db_dir) {
  const std::string lock = (fs::path(db_dir) / "LOCK").string();
  int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // no LOCK file: nobody ever opened it for writing
  bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  if (!held) ::flock(fd, LOCK_UN);
  ::close(fd);
  return held;
}

base::Result<NodeStoreHeights> ReadNodeStoreHeights(const std::string& data_dir) {
  const std::string bs = (fs::path(data_dir) / "blockstore.db").string();
  ASSIGN_OR_RETURN(auto raw, ReadKey(bs, "blockStore"));
  if (!raw) return base::Status::NotFound(bs + " holds no blockStore key (no block stored yet)");
  NodeStoreHeights out;
  auto parsed = ParseBlockStoreState(*raw);
  if (!parsed.ok()) return parsed.status().WithContext(bs + " key blockStore");
  out.block_store = *parsed;
  const std::string st = (fs::path(data_dir) / "state.db").string();
  std::error_code ec;
  if (fs::exists(fs::path(st) / "CURRENT", ec)) {
    ASSIGN_OR_RETURN(auto state_raw, ReadKey(st, "stateKey"));
    if (state_raw) {
      auto h = ParseStateLastBlockHeight(*state_raw);
      if (!h.ok()) return h.status().WithContext(st + " key stateKey");
      out.last_executed = *h;
    }
  }
  return out;
}

}  // namespace state
