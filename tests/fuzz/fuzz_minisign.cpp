// Fuzz target: minisign verification must never crash, whatever the key, the .minisig and the
// signed content; a signature that verifies names its key, and no longer verifies once one
// byte of the content changes. Input: <public key file> NUL <.minisig> NUL <signed content>.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "binary-registry/minisign.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t a = text.find('\0');
  if (a == std::string_view::npos) return 0;
  size_t b = text.find('\0', a + 1);
  if (b == std::string_view::npos) return 0;
  std::string_view key_text = text.substr(0, a), sig_text = text.substr(a + 1, b - a - 1);
  std::string content(text.substr(b + 1));

  std::vector<registry::MinisignKey> trusted;
  if (auto key = registry::ParseMinisignPublicKey(key_text); key.ok()) trusted.push_back(*key);
  auto verified = registry::VerifyMinisignData(content, sig_text, trusted, "fuzz.bin");
  if (!verified.ok()) return 0;
  if (trusted.empty() || *verified != trusted.front().IdHex()) std::abort();
  auto sig = registry::ParseMinisignSignature(sig_text);
  if (!sig.ok() || sig->key_id != trusted.front().id) std::abort();
  content.empty() ? content.push_back('x') : (void)(content.back() ^= 1);
  if (registry::VerifyMinisignData(content, sig_text, trusted, "fuzz.bin").ok()) std::abort();
  return 0;
}
