// registry::Minisign: verifies minisign signatures (Ed25519) with OpenSSL, no minisign library.
//
// Debian ships the minisign tool but no library, so the two small text formats are parsed here
// (written by hand, see below) and the cryptography is OpenSSL's EVP Ed25519 and BLAKE2b-512.
// Public key: an optional "untrusted comment:" line, then base64 of "Ed" + 8-byte key id + 32-byte
// key. Signature (.minisig): untrusted comment, base64 of algorithm ("Ed" legacy: signs the file;
// "ED": signs BLAKE2b-512 of the file, minisign's default since 0.10) + key id + 64-byte
// signature, "trusted comment: <text>", base64 of a 64-byte signature over signature || text.
// Both signatures must verify. Parsers are pure; VerifyMinisignFile reads the signed file.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace registry {

struct MinisignKey {
  std::array<uint8_t, 8> id{};
  std::array<uint8_t, 32> public_key{};
  std::string IdHex() const;  // as minisign prints it: upper-case hex, no leading zeros
};

struct MinisignSignature {
  bool prehashed = true;  // "ED"
  std::array<uint8_t, 8> key_id{};
  std::array<uint8_t, 64> signature{};
  std::string trusted_comment;
  std::array<uint8_t, 64> global_signature{};
};

// Accepts the key file's content or just its base64 line.
base::Result<MinisignKey> ParseMinisignPublicKey(std::string_view text);
base::Result<MinisignSignature> ParseMinisignSignature(std::string_view text);

// Verifies `path` against a .minisig text with one of `trusted`. Returns the key id (IdHex) that
// signed. Errors: kInvalidArgument for malformed input, kNotFound "signed by unknown key <id>",
// kCorruption "signature of <path> does not verify with key <id>".
base::Result<std::string> VerifyMinisignFile(const std::string& path, std::string_view sig_text,
                                             const std::vector<MinisignKey>& trusted);

// The same check on content in memory; `name` stands for the path in messages. Pure.
base::Result<std::string> VerifyMinisignData(std::string_view data, std::string_view sig_text,
                                             const std::vector<MinisignKey>& trusted,
                                             std::string_view name);

}  // namespace registry
