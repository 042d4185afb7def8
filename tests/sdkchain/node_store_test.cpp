// Issue 14 item 6 on a real home: state/cometbft_store reads the block store and state store of
// a real simd v0.50.15 localnet (CometBFT v0.38 goleveldb) with Replayer's LevelDB. While the
// node runs its goleveldb lock is held and the reader says so (callers ask the node instead);
// once it is stopped, a copy of its stores taken at test time gives its height, and the node's
// own directories are left byte-for-byte. `replayer sync` on the stopped home learns the height
// from those stores (no `simd status` probe) and continues the segment to --until.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "state/cometbft_store.h"
#include "tests/sdkchain/sdkchain_fixture.h"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::map<std::string, std::string> Files(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    out[e.path().filename().string()] = std::string(std::istreambuf_iterator<char>(in), {});
  }
  return out;
}

std::string Sha256Of(const std::string& path) {
  sdkchain::Cmd c = sdkchain::RunCmd({"/usr/bin/sha256sum", path}, {{"PATH", "/usr/bin:/bin"}},
                                     "/tmp", 60s);
  return c.out.substr(0, 64);
}

TEST(NodeStore, RealHomeRunningThenStoppedThenSyncResumes) {
  std::string missing = sdkchain::MissingBinaries();
  ASSERT_TRUE(missing.empty()) << missing;
  e2e::TestHome h;
  sdkchain::Localnet net(h);
  const std::string data = h.home() + "/data";

  ASSERT_EQ(h.Run({"init", sdkchain::Simd050()}).exit_code, 0);
  pid_t run = h.Start({"run", "start", "--home", h.home()});
  const int64_t seen = net.WaitHeight(6, 90s);
  if (seen < 6) {
    kill(run, SIGTERM);
    e2e::RunResult r = h.Wait(run, 60s);
    FAIL() << "the node never reached height 6 under replayer run: " << r.out << r.err;
  }
  auto locked = state::ReadNodeStoreHeights(data);
  ASSERT_FALSE(locked.ok());
  EXPECT_TRUE(locked.status().Is(base::Status::Code::kUnavailable)) << locked.status().ToString();
  EXPECT_NE(locked.status().message().find("blockstore.db is locked by another process"),
            std::string::npos)
      << locked.status().ToString();
  kill(run, SIGTERM);
  e2e::RunResult stopped = h.Wait(run, 60s);
  ASSERT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err;

  // A copy of the real stores, made now, in a temp dir.
  const fs::path copy = fs::path(h.home()).parent_path() / "store-copy";
  fs::create_directories(copy);
  for (const char* db : {"blockstore.db", "state.db"}) {
    fs::copy(fs::path(data) / db, copy / db, fs::copy_options::recursive);
  }
  const auto before = Files(fs::path(data) / "blockstore.db");
  auto r = state::ReadNodeStoreHeights(copy.string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->block_store.base, 1);
  EXPECT_GE(r->block_store.height, seen);
  ASSERT_TRUE(r->last_executed.has_value());
  EXPECT_GE(*r->last_executed, seen);
  EXPECT_LE(*r->last_executed, r->block_store.height);
  EXPECT_GE(*r->last_executed, r->block_store.height - 1);

  // The node's own directory read in place: same answer, nothing in it changed.
  auto in_place = state::ReadNodeStoreHeights(data);
  ASSERT_TRUE(in_place.ok()) << in_place.status().ToString();
  EXPECT_EQ(in_place->block_store.height, r->block_store.height);
  EXPECT_EQ(Files(fs::path(data) / "blockstore.db"), before);

  // replayer sync on the stopped home: the height comes from the node's stores.
  const std::string simd = sdkchain::Simd050();
  const std::string bin = "file://" + simd + "?checksum=sha256:" + Sha256Of(simd);
  const std::string plans = h.home() + "/../plans.json";
  {
    std::ofstream p(plans);
    p << R"({"format_version":1,"chain_id":"sdkchain-1","daemon_name":"simd","segments":[)"
      << R"({"first_height":1,"kind":"genesis","name":"genesis","version":"v0.50.15","halt_semantics":"stop-before",)"
      << R"("binaries":{"linux/amd64":")" << bin << R"("}}]})";
  }
  const int64_t until = *r->last_executed + 4;
  e2e::RunResult s = h.Run({"sync", "--plans", plans, "--until", std::to_string(until),
                            "--progress-interval", "0", "--", "start", "--home", h.home()},
                           {}, 180s);
  const std::string all = s.out + s.err;
  ASSERT_EQ(s.exit_code, 0) << all;
  EXPECT_NE(all.find("the node's own data says height " + std::to_string(*r->last_executed)),
            std::string::npos)
      << all;
  EXPECT_EQ(all.find("asking the node instead"), std::string::npos) << all;
  EXPECT_NE(all.find("final height " + std::to_string(until)), std::string::npos) << all;
}

}  // namespace
