#include "binary-registry/minisign.h"

#include <fcntl.h>
#include <unistd.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>

namespace registry {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    if (!line.empty()) out.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

std::optional<std::vector<uint8_t>> Base64(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0) return std::nullopt;
  if (!std::all_of(in.begin(), in.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '+' || c == '/' || c == '=';
      })) {
    return std::nullopt;
  }
  std::vector<uint8_t> out(in.size() / 4 * 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  size_t pad = in.size() >= 2 && in[in.size() - 2] == '=' ? 2 : (in.back() == '=' ? 1 : 0);
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

bool Ed25519Verify(const std::array<uint8_t, 32>& pk, const uint8_t* sig, const uint8_t* msg,
                   size_t len) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pk.data(), pk.size()));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!key || !ctx) return false;
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), sig, 64, msg, len) == 1;
}

base::Result<std::vector<uint8_t>> ReadOrBlake2b(const std::string& path, bool prehash) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return base::Status::IoError("open " + path + ": " + std::strerror(errno));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (prehash && EVP_DigestInit_ex(ctx.get(), EVP_blake2b512(), nullptr) != 1) {
    ::close(fd);
    return base::Status::Internal("OpenSSL has no BLAKE2b-512");
  }
  std::vector<uint8_t> data;
  std::vector<uint8_t> buf(1 << 20);
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return base::Status::IoError("read " + path);
    }
    if (n == 0) break;
    if (prehash) {
      EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
    } else {
      data.insert(data.end(), buf.begin(), buf.begin() + n);
    }
  }
  ::close(fd);
  if (!prehash) return data;
  std::vector<uint8_t> digest(64);
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest.data(), &len) != 1 || len != 64) {
    return base::Status::Internal("BLAKE2b-512 failed");
  }
  return digest;
}

std::string IdHex(const std::array<uint8_t, 8>& id) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  for (size_t i = id.size(); i-- > 0;) {  // minisign prints the id as a little-endian integer
    out += kDigits[id[i] >> 4];
    out += kDigits[id[i] & 15];
  }
  // ...with "%" PRIX64, so without leading zeros.
  size_t first = out.find_first_not_of('0');
  return first == std::string::npos ? "0" : out.substr(first);
}

}  // namespace

std::string MinisignKey::IdHex() const { return registry::IdHex(id); }

base::Result<MinisignKey> ParseMinisignPublicKey(std::string_view text) {
  std::optional<std::vector<uint8_t>> raw;
  for (auto line : Lines(text)) {
    if (line.rfind("untrusted comment:", 0) == 0) continue;
    raw = Base64(line);
    break;
  }
  if (!raw || raw->size() != 42 || (*raw)[0] != 'E' || (*raw)[1] != 'd') {
    return base::Status::InvalidArgument(
        "not a minisign public key (expected base64 of \"Ed\" + 8-byte id + 32-byte key)");
  }
  MinisignKey k;
  std::copy(raw->begin() + 2, raw->begin() + 10, k.id.begin());
  std::copy(raw->begin() + 10, raw->end(), k.public_key.begin());
  return k;
}

base::Result<MinisignSignature> ParseMinisignSignature(std::string_view text) {
  auto lines = Lines(text);
  auto bad = [](const std::string& why) {
    return base::Status::InvalidArgument("malformed minisign signature: " + why);
  };
  size_t i = 0;
  if (i < lines.size() && lines[i].rfind("untrusted comment:", 0) == 0) ++i;
  if (i + 3 > lines.size()) return bad("expected a signature, a trusted comment and a global signature");
  auto sig = Base64(lines[i]);
  if (!sig || sig->size() != 74) return bad("signature line is not base64 of 74 bytes");
  MinisignSignature out;
  if ((*sig)[0] == 'E' && (*sig)[1] == 'd') {
    out.prehashed = false;
  } else if ((*sig)[0] == 'E' && (*sig)[1] == 'D') {
    out.prehashed = true;
  } else {
    return bad("unknown signature algorithm");
  }
  std::copy(sig->begin() + 2, sig->begin() + 10, out.key_id.begin());
  std::copy(sig->begin() + 10, sig->end(), out.signature.begin());
  constexpr std::string_view kTrusted = "trusted comment: ";
  std::string_view tc = lines[i + 1];
  if (tc.rfind(kTrusted, 0) != 0) return bad("missing \"trusted comment: \" line");
  out.trusted_comment = std::string(tc.substr(kTrusted.size()));
  auto global = Base64(lines[i + 2]);
  if (!global || global->size() != 64) return bad("global signature is not base64 of 64 bytes");
  std::copy(global->begin(), global->end(), out.global_signature.begin());
  return out;
}

namespace {

// The message a signature covers: the content itself ("Ed") or its BLAKE2b-512 ("ED").
using MessageFn = std::function<base::Result<std::vector<uint8_t>>(bool prehashed)>;

base::Result<std::string> Verify(const std::string& name, std::string_view sig_text,
                                 const std::vector<MinisignKey>& trusted, const MessageFn& message_of) {
  ASSIGN_OR_RETURN(MinisignSignature sig, ParseMinisignSignature(sig_text));
  auto key = std::find_if(trusted.begin(), trusted.end(),
                          [&](const MinisignKey& k) { return k.id == sig.key_id; });
  if (key == trusted.end()) {
    std::string ids;
    for (const auto& k : trusted) ids += (ids.empty() ? "" : ", ") + k.IdHex();
    return base::Status::NotFound("signature of " + name + " is by unknown key " +
                                  IdHex(sig.key_id) + " (trusted: " +
                                  (ids.empty() ? "none" : ids) + ")");
  }
  ASSIGN_OR_RETURN(std::vector<uint8_t> message, message_of(sig.prehashed));
  if (!Ed25519Verify(key->public_key, sig.signature.data(), message.data(), message.size())) {
    return base::Status::Corruption("signature of " + name + " does not verify with key " +
                                    key->IdHex());
  }
  std::vector<uint8_t> global(sig.signature.begin(), sig.signature.end());
  global.insert(global.end(), sig.trusted_comment.begin(), sig.trusted_comment.end());
  if (!Ed25519Verify(key->public_key, sig.global_signature.data(), global.data(), global.size())) {
    return base::Status::Corruption("trusted comment of the signature of " + name +
                                    " does not verify with key " + key->IdHex());
  }
  return key->IdHex();
}

}  // namespace

base::Result<std::string> VerifyMinisignFile(const std::string& path, std::string_view sig_text,
                                             const std::vector<MinisignKey>& trusted) {
  return Verify(path, sig_text, trusted,
                [&](bool prehashed) { return ReadOrBlake2b(path, prehashed); });
}

base::Result<std::string> VerifyMinisignData(std::string_view data, std::string_view sig_text,
                                             const std::vector<MinisignKey>& trusted,
                                             std::string_view name) {
  return Verify(std::string(name), sig_text, trusted,
                [&](bool prehashed) -> base::Result<std::vector<uint8_t>> {
                  if (!prehashed) return std::vector<uint8_t>(data.begin(), data.end());
                  std::vector<uint8_t> digest(64);
                  unsigned int len = 0;
                  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
                  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_blake2b512(), nullptr) != 1 ||
                      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
                      EVP_DigestFinal_ex(ctx.get(), digest.data(), &len) != 1 || len != 64) {
                    return base::Status::Internal("BLAKE2b-512 failed");
                  }
                  return digest;
                });
}

}  // namespace registry
