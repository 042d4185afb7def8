// End to end: an archive whose relative symlinks each pass the per-link check but compose into
// an escape (`d/up -> ..` is the unpack root, so `d/up/d/up/../..` is two levels above it) must
// not make the real `replayer` chmod or run a file outside the home, neither when `run` fetches
// the upgrade binary nor in `registry add`. Issue 10, item 1.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "tests/e2e/harness.h"

namespace e2e {
namespace {

namespace fs = std::filesystem;

std::string Sha256Of(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(("sha256sum " + path).c_str(), "r"), pclose);
  char buf[65] = {};
  if (!p || std::fread(buf, 1, 64, p.get()) != 64) return "";
  return buf;
}

void WriteText(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr) << path;
  std::fputs(text.c_str(), f);
  std::fclose(f);
}

// <home>/../outside/bin/simd: a script that leaves a marker if it ever runs, mode 0600.
class ArchiveEscape : public ::testing::Test {
 protected:
  void SetUp() override {
    outside_ = fs::weakly_canonical(h_.home() + "/..").string();
    fs::create_directories(outside_ + "/outside/bin");
    victim_ = outside_ + "/outside/bin/simd";
    WriteText(victim_, "#!/bin/sh\ntouch " + outside_ + "/ran-outside\nexit 0\n");
    ::chmod(victim_.c_str(), 0600);
  }
  // A tar.gz with d/, d/up -> .., bin -> (d/up/){levels} (../){levels} outside/bin.
  std::string MakeArchive(int levels) {
    std::string src = outside_ + "/src" + std::to_string(levels);
    fs::create_directories(src + "/d");
    fs::create_symlink("..", src + "/d/up");
    std::string target;
    for (int i = 0; i < levels; ++i) target += "d/up/";
    for (int i = 0; i < levels; ++i) target += "../";
    fs::create_symlink(target + "outside/bin", src + "/bin");
    std::string archive = outside_ + "/chain" + std::to_string(levels) + ".tar.gz";
    EXPECT_EQ(std::system(("tar -C " + src + " -czf " + archive + " d bin").c_str()), 0);
    return archive;
  }
  void ExpectOutsideUntouched() {
    struct stat st {};
    ASSERT_EQ(::stat(victim_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u) << "the file outside the home was chmodded";
    EXPECT_FALSE(fs::exists(outside_ + "/ran-outside")) << "the file outside the home ran";
  }
  TestHome h_;
  std::string outside_, victim_;
};

TEST_F(ArchiveEscape, RunRefusesTheDownloadAndRunsNothingOutside) {
  std::string archive = MakeArchive(4);  // upgrades/.replayer-staging-v2-<pid> is 4 below
  std::string doc = outside_ + "/v2-info.json";
  WriteText(doc, "{\"binaries\":{\"linux/amd64\":\"file://" + archive +
                     "?checksum=sha256:" + Sha256Of(archive) + "\"}}");
  std::string info = "file://" + doc + "?checksum=sha256:" + Sha256Of(doc);
  h_.InitGenesis(NodeSpec{"v1", "v2", 4});
  std::string path = h_.home() + "/cosmovisor/genesis/bin/simd";
  std::string script = h_.ReadFile("cosmovisor/genesis/bin/simd");
  size_t p = script.find("from $VERSION\\\"}");
  ASSERT_NE(p, std::string::npos);
  script.replace(p, std::string("from $VERSION").size(), info);
  WriteText(path, script);
  auto r = h_.Run({"run", "start"}, {{"STOP_AT", "6"},
                                     {"UNSAFE_SKIP_BACKUP", "true"},
                                     {"DAEMON_ALLOW_DOWNLOAD_BINARIES", "true"}});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("leads outside the target; refused"), std::string::npos) << r.err;
  ExpectOutsideUntouched();
  EXPECT_EQ(h_.Current(), "genesis");
  EXPECT_FALSE(h_.Exists("cosmovisor/upgrades/v2"));
}

TEST_F(ArchiveEscape, RegistryAddRefusesTheArchive) {
  h_.InitGenesis(NodeSpec{"v1"});
  std::string archive = MakeArchive(5);  // registry/tmp/check-<sha> is 5 below
  auto r = h_.Run({"registry", "add", archive, "--name", "v2"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("leads outside the target; refused"), std::string::npos) << r.err;
  ExpectOutsideUntouched();
  auto list = h_.Run({"registry", "list"});
  EXPECT_EQ(list.out.find("chain5"), std::string::npos) << list.out;
}

// A symlink placed by hand at upgrades/<dir>/bin/<daemon> is not run either: the binary must be
// a regular file inside its folder.
TEST_F(ArchiveEscape, LaunchRefusesASymlinkedBinary) {
  h_.InitGenesis(NodeSpec{"v1"});
  ::chmod(victim_.c_str(), 0755);
  fs::remove(h_.home() + "/cosmovisor/genesis/bin/simd");
  fs::create_symlink(victim_, h_.home() + "/cosmovisor/genesis/bin/simd");
  auto r = h_.Run({"run", "start"}, {{"STOP_AT", "3"}});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("is a symlink or is reached through one"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(outside_ + "/ran-outside"));
}

}  // namespace
}  // namespace e2e
