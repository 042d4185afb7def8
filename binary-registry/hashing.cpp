#include "binary-registry/hashing.h"

#include <fcntl.h>
#include <unistd.h>
#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "base/hex.h"

namespace registry {
namespace {

const EVP_MD* MdFor(plans::HashAlgo algo) {
  switch (algo) {
    case plans::HashAlgo::kMd5: return EVP_md5();
    case plans::HashAlgo::kSha1: return EVP_sha1();
    case plans::HashAlgo::kSha256: return EVP_sha256();
    case plans::HashAlgo::kSha512: return EVP_sha512();
  }
  return EVP_sha256();
}

}  // namespace

struct Hasher::Ctx {
  EVP_MD_CTX* md = nullptr;
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Hasher::Hasher(plans::HashAlgo algo) : algo_(algo), ctx_(std::make_unique<Ctx>()) {
  ctx_->md = EVP_MD_CTX_new();
  Reset();
}
Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::Reset() {
  failed_ = ctx_->md == nullptr || EVP_DigestInit_ex(ctx_->md, MdFor(algo_), nullptr) != 1;
}

void Hasher::Update(const void* data, size_t size) {
  if (failed_ || size == 0) return;
  if (EVP_DigestUpdate(ctx_->md, data, size) != 1) failed_ = true;
}

base::Result<std::string> Hasher::FinishHex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (failed_ || EVP_DigestFinal_ex(ctx_->md, digest, &len) != 1) {
    Reset();
    return base::Status::Internal("OpenSSL " + std::string(plans::HashAlgoName(algo_)) +
                                  " digest failed");
  }
  Reset();
  return base::HexLower(digest, len);
}

MultiHasher::MultiHasher(std::optional<plans::HashAlgo> extra) : sha256_(plans::HashAlgo::kSha256) {
  if (extra && *extra != plans::HashAlgo::kSha256) extra_.emplace(*extra);
}

void MultiHasher::Update(const void* data, size_t size) {
  sha256_.Update(data, size);
  if (extra_) extra_->Update(data, size);
}

void MultiHasher::Reset() {
  sha256_.Reset();
  if (extra_) extra_->Reset();
}

base::Result<MultiHasher::Digests> MultiHasher::Finish() {
  Digests d;
  ASSIGN_OR_RETURN(d.sha256, sha256_.FinishHex());
  if (extra_) {
    ASSIGN_OR_RETURN(std::string hex, extra_->FinishHex());
    d.extra = plans::Checksum{extra_->algo(), std::move(hex)};
  }
  return d;
}

base::Status HashFilePrefix(const std::string& path, uint64_t limit, MultiHasher& hasher) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return base::Status::IoError("open " + path + ": " + std::strerror(errno));
  std::vector<char> buf(1 << 20);
  uint64_t left = limit;
  while (left > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
    ssize_t n = ::read(fd, buf.data(), want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return base::Status::IoError("read " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    hasher.Update(buf.data(), static_cast<size_t>(n));
    left -= static_cast<uint64_t>(n);
  }
  ::close(fd);
  return base::Status::Ok();
}

base::Result<std::string> HashFileHex(const std::string& path, plans::HashAlgo algo) {
  MultiHasher h(algo);
  RETURN_IF_ERROR(HashFilePrefix(path, UINT64_MAX, h));
  ASSIGN_OR_RETURN(auto d, h.Finish());
  if (algo == plans::HashAlgo::kSha256) return d.sha256;
  return d.extra->hex;
}

}  // namespace registry
