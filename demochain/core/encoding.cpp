#include "demochain/core/encoding.h"

#include <openssl/evp.h>

#include <cstring>

namespace demochain {

void ByteWriter::U64(uint64_t v) { out_.append(EncodeU64BE(v)); }

void ByteWriter::Bytes(std::string_view s) {
  uint32_t n = static_cast<uint32_t>(s.size());
  for (int i = 3; i >= 0; --i) out_.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out_.append(s);
}

void ByteReader::Need(size_t n) const {
  if (in_.size() - pos_ < n) throw DecodeError("truncated input");
}

uint8_t ByteReader::U8() {
  Need(1);
  return static_cast<uint8_t>(in_[pos_++]);
}

uint32_t ByteReader::U32() {
  Need(4);
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in_[pos_++]);
  return v;
}

uint64_t ByteReader::U64() {
  Need(8);
  uint64_t v = DecodeU64BE(in_.substr(pos_, 8));
  pos_ += 8;
  return v;
}

std::string ByteReader::Bytes() {
  uint32_t n = U32();
  Need(n);
  std::string s(in_.substr(pos_, n));
  pos_ += n;
  return s;
}

Hash ByteReader::HashBytes() {
  Need(32);
  Hash h;
  std::memcpy(h.data(), in_.data() + pos_, 32);
  pos_ += 32;
  return h;
}

std::string EncodeU64BE(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i) {
    s[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return s;
}

uint64_t DecodeU64BE(std::string_view s) {
  if (s.size() != 8) throw DecodeError("expected 8 bytes");
  uint64_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

static std::string Hex(std::string_view bytes, const char* digits) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto b = static_cast<uint8_t>(c);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0xf]);
  }
  return out;
}

std::string HexUpper(std::string_view bytes) { return Hex(bytes, "0123456789ABCDEF"); }
std::string HexUpper(const Hash& h) { return HexUpper(HashToString(h)); }
std::string HexLower(std::string_view bytes) { return Hex(bytes, "0123456789abcdef"); }

static int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool HexDecode(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexVal(hex[i]);
    int lo = HexVal(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>((hi << 4) | lo));
  }
  return true;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool Base64Decode(std::string_view text, std::string* out) {
  if (text.size() % 4 != 0) return false;
  out->assign(3 * text.size() / 4 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return false;
  size_t len = static_cast<size_t>(n);
  // EVP_DecodeBlock keeps the zero bytes that padding stands for; drop them.
  if (!text.empty() && text.back() == '=') --len;
  if (text.size() >= 2 && text[text.size() - 2] == '=') --len;
  out->resize(len);
  return true;
}

std::string HashToString(const Hash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr);
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256Stream::Update(std::string_view bytes) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size());
}

Hash Sha256Stream::Final() {
  Hash h{};
  unsigned int n = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), h.data(), &n);
  return h;
}

Hash Sha256(std::string_view bytes) {
  Sha256Stream s;
  s.Update(bytes);
  return s.Final();
}

}  // namespace demochain
