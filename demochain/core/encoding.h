// Byte-level helpers shared by every demochain module: a compact binary writer/reader used for
// blocks, transactions and state values, hex and base64 text forms, and SHA-256 (OpenSSL).
// Nothing here does I/O. Readers throw DecodeError on malformed input; callers at module
// boundaries turn that into a user-facing error.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace demochain {

using Hash = std::array<uint8_t, 32>;

struct DecodeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Appends fixed-width big-endian integers and length-prefixed strings to a byte string.
class ByteWriter {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U64(uint64_t v);
  void Bytes(std::string_view s);  // u32 length + bytes
  void Raw(std::string_view s) { out_.append(s); }
  void HashBytes(const Hash& h) { out_.append(reinterpret_cast<const char*>(h.data()), h.size()); }
  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads what ByteWriter wrote; every read checks bounds.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  uint8_t U8();
  uint64_t U64();
  uint32_t U32();
  std::string Bytes();
  Hash HashBytes();
  bool AtEnd() const { return pos_ == in_.size(); }
  size_t pos() const { return pos_; }

 private:
  void Need(size_t n) const;
  std::string_view in_;
  size_t pos_ = 0;
};

std::string EncodeU64BE(uint64_t v);
uint64_t DecodeU64BE(std::string_view s);  // throws DecodeError unless exactly 8 bytes

std::string HexUpper(std::string_view bytes);
std::string HexUpper(const Hash& h);
std::string HexLower(std::string_view bytes);
bool HexDecode(std::string_view hex, std::string* out);
std::string Base64Encode(std::string_view bytes);
bool Base64Decode(std::string_view text, std::string* out);

Hash Sha256(std::string_view bytes);
std::string HashToString(const Hash& h);  // the 32 raw bytes

// Incremental SHA-256 (OpenSSL EVP) for hashing large state without copying it.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(std::string_view bytes);
  Hash Final();

 private:
  void* ctx_;
};

}  // namespace demochain
