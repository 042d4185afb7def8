// Registry benchmarks (not part of the test run): see the "registry" section of bench/README.md.
//   1. download + verify of a large artefact from the loopback mirror, against `curl -o
//      /dev/null` of the same URL in the same run (goal: ours / curl throughput >= 0.8);
//   2. SHA-256 throughput of the hashing path (MultiHasher over memory, and HashFileHex over a
//      cached file);
//   3. prefetch of 10 binaries from a rate-limited server (as a remote host would be):
//      Downloader::FetchAll in parallel against the sum of 10 sequential fetches.
// Usage: registry_bench [--size-mb 500] [--dir /tmp] [--runs 3]
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "binary-registry/downloader.h"
#include "binary-registry/hashing.h"
#include "binary-registry/mirror_server.h"
#include "tests/binary-registry/test_server.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Secs(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

void MakeFile(const std::string& path, uint64_t bytes) {
  std::ofstream out(path, std::ios::binary);
  std::vector<char> block(1 << 20);
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (uint64_t done = 0; done < bytes; done += block.size()) {
    for (size_t i = 0; i < block.size(); i += 8) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      std::memcpy(block.data() + i, &x, 8);
    }
    out.write(block.data(), static_cast<std::streamsize>(std::min<uint64_t>(block.size(), bytes - done)));
  }
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t size_mb = 500;
  std::string base_dir = "/tmp";
  int runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--size-mb") size_mb = std::stoull(argv[i + 1]);
    if (a == "--dir") base_dir = argv[i + 1];
    if (a == "--runs") runs = std::stoi(argv[i + 1]);
  }
  std::string dir = base_dir + "/replayer-registry-bench-" + std::to_string(::getpid());
  fs::create_directories(dir + "/store/sha256");
  const uint64_t bytes = size_mb << 20;

  // --- 2. hashing path -----------------------------------------------------------------------
  {
    std::vector<char> buf(256 << 20, 'x');
    registry::MultiHasher h;
    auto t0 = Clock::now();
    for (int r = 0; r < 4; ++r) h.Update(buf.data(), buf.size());
    auto d = h.Finish();
    double s = Secs(Clock::now() - t0);
    std::printf("sha256 (MultiHasher, memory): %.2f GB/s  (%s...)\n", 4.0 * buf.size() / s / 1e9,
                d->sha256.substr(0, 12).c_str());
  }
  std::string src = dir + "/src.bin";
  MakeFile(src, bytes);
  auto t0 = Clock::now();
  auto sha = registry::HashFileHex(src, plans::HashAlgo::kSha256);
  double hs = Secs(Clock::now() - t0);
  std::printf("sha256 (HashFileHex, %llu MB cached file): %.2f GB/s\n",
              static_cast<unsigned long long>(size_mb), static_cast<double>(bytes) / hs / 1e9);
  fs::create_directories(dir + "/store/sha256/" + *sha);
  fs::rename(src, dir + "/store/sha256/" + *sha + "/artifact");

  // --- 1. download + verify vs curl ----------------------------------------------------------
  registry::MirrorServer mirror(dir + "/store", [] { return base::Result<registry::MirrorCatalog>(registry::MirrorCatalog{}); },
                                registry::MirrorOptions{});
  auto port = mirror.Start();
  if (!port.ok()) {
    std::fprintf(stderr, "%s\n", port.status().message().c_str());
    return 1;
  }
  std::string url = "http://127.0.0.1:" + std::to_string(*port) + "/sha256/" + *sha;
  registry::Downloader dl(registry::DownloadOptions{});
  double best_ours = 1e9, best_curl = 1e9;
  for (int r = 0; r < runs; ++r) {
    std::string dest = dir + "/dl.bin";
    fs::remove(dest);
    auto a = Clock::now();
    auto res = dl.Fetch({url, plans::Checksum{plans::HashAlgo::kSha256, *sha}, dest});
    double ours = Secs(Clock::now() - a);
    if (!res.ok()) {
      std::fprintf(stderr, "download failed: %s\n", res.status().message().c_str());
      return 1;
    }
    fs::remove(dest);
    a = Clock::now();
    int rc = std::system(("curl -s -o /dev/null " + url).c_str());
    double curl = Secs(Clock::now() - a);
    if (rc != 0) std::fprintf(stderr, "curl failed\n");
    // For context: curl writing the same bytes to a file (no hashing, no fsync).
    a = Clock::now();
    rc = std::system(("curl -s -o " + dir + "/curl.bin " + url).c_str());
    double curl_file = Secs(Clock::now() - a);
    fs::remove(dir + "/curl.bin");
    std::printf("        curl -o file %.2fs (%.0f MB/s)\n", curl_file,
                static_cast<double>(bytes) / curl_file / 1e6);
    std::printf("run %d: ours %.2fs (%.0f MB/s, download+sha256+write+fsync), curl -o /dev/null %.2fs (%.0f MB/s)\n",
                r + 1, ours, static_cast<double>(bytes) / ours / 1e6, curl,
                static_cast<double>(bytes) / curl / 1e6);
    best_ours = std::min(best_ours, ours);
    best_curl = std::min(best_curl, curl);
  }
  std::printf("download+verify %llu MB: best ours %.2fs, best curl %.2fs, throughput ratio %.2f\n",
              static_cast<unsigned long long>(size_mb), best_ours, best_curl, best_curl / best_ours);
  mirror.Stop();

  // --- 3. prefetch of 10 binaries, parallel vs sequential ------------------------------------
  {
    const size_t n = 10, each = 8 << 20;
    std::vector<std::string> bodies;
    for (size_t i = 0; i < n; ++i) bodies.push_back(std::string(each, static_cast<char>('a' + i)));
    // ~16 MB/s per connection (16 KiB per ms), like a remote release host.
    registry_test::TestServer server([&](const registry_test::Request& q, int) {
      registry_test::Reply r{200, bodies[static_cast<size_t>(q.path[1] - '0')]};
      r.chunk_delay_ms = 1;
      return r;
    });
    std::vector<registry::DownloadRequest> reqs;
    for (size_t i = 0; i < n; ++i) {
      reqs.push_back({server.Url("/" + std::to_string(i)),
                      plans::Checksum{plans::HashAlgo::kSha256, registry_test::Sha256Hex(bodies[i])},
                      dir + "/p" + std::to_string(i)});
    }
    registry::DownloadOptions o;
    o.max_parallel = n;
    registry::Downloader pd(o);
    double sequential = 0;
    for (const auto& r : reqs) {
      auto a = Clock::now();
      auto res = pd.Fetch(r);
      sequential += Secs(Clock::now() - a);
      if (!res.ok()) std::fprintf(stderr, "%s\n", res.status().message().c_str());
      fs::remove(r.dest);
    }
    auto a = Clock::now();
    auto all = pd.FetchAll(reqs);
    double parallel = Secs(Clock::now() - a);
    for (auto& r : all) {
      if (!r.ok()) std::fprintf(stderr, "%s\n", r.status().message().c_str());
    }
    std::printf("prefetch 10 x %zu MB (16 MB/s per connection): sequential sum %.2fs, parallel %.2fs, speed-up %.1fx\n",
                each >> 20, sequential, parallel, sequential / parallel);
  }
  fs::remove_all(dir);
  return 0;
}
