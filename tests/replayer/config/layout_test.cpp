// Tests for replayer::Layout and the atomic file helpers, on real temporary directories.
#include "replayer/config/layout.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/testing/temp_dir.h"

namespace replayer {
namespace {

namespace fs = std::filesystem;
using base::Status;
using testing_util::TempDir;

using testing_util::WriteText;

std::string ReadText(const std::string& path) {
  auto r = ReadFile(path);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : "";
}

std::string LinkText(const std::string& path) {
  std::error_code ec;
  return fs::read_symlink(path, ec).string();
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

bool HasTempEntries(const std::string& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().find(".tmp") != std::string::npos) return true;
  }
  return false;
}

class LayoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(layout_.GenesisDir());
    fs::create_directories(layout_.UpgradeDir("v2"));
  }
  TempDir tmp_;
  Layout layout_{tmp_.path() + "/home", "simd"};
};

TEST_F(LayoutTest, PathsFollowCosmovisorLayout) {
  const std::string h = tmp_.path() + "/home";
  EXPECT_EQ(layout_.home(), h);
  EXPECT_EQ(layout_.daemon_name(), "simd");
  EXPECT_EQ(layout_.CosmovisorDir(), h + "/cosmovisor");
  EXPECT_EQ(layout_.GenesisDir(), h + "/cosmovisor/genesis");
  EXPECT_EQ(layout_.UpgradesDir(), h + "/cosmovisor/upgrades");
  EXPECT_EQ(layout_.UpgradeDir("v2"), h + "/cosmovisor/upgrades/v2");
  EXPECT_EQ(layout_.CurrentLink(), h + "/cosmovisor/current");
  EXPECT_EQ(layout_.DataDir(), h + "/data");
  EXPECT_EQ(layout_.UpgradeInfoFile(), h + "/data/upgrade-info.json");
  EXPECT_EQ(layout_.StateDir(), h + "/cosmovisor/.replayer");
  EXPECT_EQ(Layout::UpgradeTarget("v2"), "upgrades/v2");
  EXPECT_EQ(layout_.TargetDir("genesis"), layout_.GenesisDir());
  EXPECT_EQ(layout_.TargetBinary("upgrades/v2"), h + "/cosmovisor/upgrades/v2/bin/simd");
  EXPECT_EQ(Layout(h + "//", "simd").CosmovisorDir(), h + "/cosmovisor");
}

TEST_F(LayoutTest, SwitchCurrentCreatesRelativeSymlink) {
  ASSERT_TRUE(layout_.SwitchCurrent("genesis").ok());
  EXPECT_EQ(LinkText(layout_.CurrentLink()), "genesis");
  auto cur = layout_.ReadCurrent();
  ASSERT_TRUE(cur.ok()) << cur.status().ToString();
  EXPECT_EQ(*cur, "genesis");

  ASSERT_TRUE(layout_.SwitchCurrent("upgrades/v2/").ok());  // normalised
  EXPECT_EQ(LinkText(layout_.CurrentLink()), "upgrades/v2");
  EXPECT_EQ(*layout_.ReadCurrent(), "upgrades/v2");
  EXPECT_FALSE(HasTempEntries(layout_.CosmovisorDir()));
}

// A reader polling `current` while it is switched back and forth must always find it.
TEST_F(LayoutTest, SwitchCurrentIsAtomicForConcurrentReaders) {
  ASSERT_TRUE(layout_.SwitchCurrent("genesis").ok());
  std::atomic<bool> stop{false};
  std::atomic<int> missing{0}, reads{0};
  std::thread reader([&] {
    const std::string link = layout_.CurrentLink();
    while (!stop.load()) {
      struct stat st;
      if (::lstat(link.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) ++missing;
      auto cur = layout_.ReadCurrent();
      if (!cur.ok() || (*cur != "genesis" && *cur != "upgrades/v2")) ++missing;
      ++reads;
    }
  });
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(layout_.SwitchCurrent(i % 2 ? "genesis" : "upgrades/v2").ok());
  }
  while (reads.load() < 100) std::this_thread::yield();
  stop = true;
  reader.join();
  EXPECT_EQ(missing.load(), 0);
  EXPECT_EQ(*layout_.ReadCurrent(), "genesis");
}

TEST_F(LayoutTest, SwitchCurrentRemovesStaleTempLinks) {
  const std::string stale = layout_.CosmovisorDir() + "/current.tmp-999999";
  ASSERT_EQ(::symlink("genesis", stale.c_str()), 0);
  ASSERT_TRUE(layout_.SwitchCurrent("upgrades/v2").ok());
  EXPECT_FALSE(fs::exists(fs::symlink_status(stale)));
  EXPECT_EQ(*layout_.ReadCurrent(), "upgrades/v2");
}

TEST_F(LayoutTest, SwitchCurrentToMissingDirFailsAndKeepsCurrent) {
  ASSERT_TRUE(layout_.SwitchCurrent("genesis").ok());
  Status st = layout_.SwitchCurrent("upgrades/nope");
  EXPECT_TRUE(st.Is(Status::Code::kNotFound)) << st.ToString();
  EXPECT_NE(st.message().find("upgrades/nope"), std::string::npos) << st.ToString();
  EXPECT_EQ(*layout_.ReadCurrent(), "genesis");
}

TEST_F(LayoutTest, SwitchCurrentRejectsTargetsOutsideCosmovisorDir) {
  for (const char* bad : {"", ".", "../data", "upgrades/../../data", "/etc"}) {
    Status st = layout_.SwitchCurrent(bad);
    EXPECT_TRUE(st.Is(Status::Code::kInvalidArgument)) << bad << ": " << st.ToString();
  }
  EXPECT_TRUE(layout_.ReadCurrent().status().Is(Status::Code::kNotFound));
}

TEST_F(LayoutTest, SwitchCurrentOverARealDirectoryFailsAndKeepsIt) {
  fs::create_directories(layout_.CurrentLink() + "/bin");
  Status st = layout_.SwitchCurrent("genesis");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find(layout_.CurrentLink()), std::string::npos) << st.ToString();
  EXPECT_TRUE(fs::is_directory(layout_.CurrentLink() + "/bin"));
  EXPECT_FALSE(HasTempEntries(layout_.CosmovisorDir()));
}

TEST_F(LayoutTest, ReadCurrentMapsOldAbsoluteLinkBack) {
  ASSERT_EQ(::symlink(layout_.UpgradeDir("v2").c_str(), layout_.CurrentLink().c_str()), 0);
  auto cur = layout_.ReadCurrent();
  ASSERT_TRUE(cur.ok()) << cur.status().ToString();
  EXPECT_EQ(*cur, "upgrades/v2");
  // And the next switch writes the relative form.
  ASSERT_TRUE(layout_.SwitchCurrent("genesis").ok());
  EXPECT_EQ(LinkText(layout_.CurrentLink()), "genesis");
}

TEST_F(LayoutTest, ReadCurrentMapsAbsoluteLinkThroughSymlinkedHome) {
  // The old link names the home through an alias path (e.g. /home -> /data/home).
  const std::string alias = tmp_.path() + "/alias";
  ASSERT_EQ(::symlink(layout_.home().c_str(), alias.c_str()), 0);
  const std::string via_alias = alias + "/cosmovisor/genesis";
  ASSERT_EQ(::symlink(via_alias.c_str(), layout_.CurrentLink().c_str()), 0);
  auto cur = layout_.ReadCurrent();
  ASSERT_TRUE(cur.ok()) << cur.status().ToString();
  EXPECT_EQ(*cur, "genesis");
  // The other way round: the layout is given the alias, the link names the real path.
  Layout aliased(alias, "simd");
  ASSERT_TRUE(aliased.SwitchCurrent("upgrades/v2").ok());
  ::unlink(layout_.CurrentLink().c_str());
  ASSERT_EQ(::symlink(layout_.UpgradeDir("v2").c_str(), layout_.CurrentLink().c_str()), 0);
  EXPECT_EQ(*aliased.ReadCurrent(), "upgrades/v2");
}

TEST_F(LayoutTest, ReadCurrentRejectsLinkOutside) {
  ASSERT_EQ(::symlink(tmp_.path().c_str(), layout_.CurrentLink().c_str()), 0);
  auto cur = layout_.ReadCurrent();
  EXPECT_TRUE(cur.status().Is(Status::Code::kInvalidArgument)) << cur.status().ToString();
  EXPECT_NE(cur.status().message().find(layout_.CurrentLink()), std::string::npos);
  EXPECT_NE(cur.status().message().find("outside"), std::string::npos);

  ::unlink(layout_.CurrentLink().c_str());
  ASSERT_EQ(::symlink("../../elsewhere", layout_.CurrentLink().c_str()), 0);
  EXPECT_TRUE(layout_.ReadCurrent().status().Is(Status::Code::kInvalidArgument));
}

TEST_F(LayoutTest, ReadCurrentMissingIsNotFound) {
  auto cur = layout_.ReadCurrent();
  EXPECT_TRUE(cur.status().Is(Status::Code::kNotFound)) << cur.status().ToString();
  EXPECT_NE(cur.status().message().find(layout_.CurrentLink()), std::string::npos);
}

TEST_F(LayoutTest, ReadCurrentNotASymlinkIsInvalid) {
  fs::create_directories(layout_.CurrentLink());  // e.g. someone copied the tree without -P
  auto cur = layout_.ReadCurrent();
  EXPECT_TRUE(cur.status().Is(Status::Code::kInvalidArgument)) << cur.status().ToString();
  EXPECT_NE(cur.status().message().find(layout_.CurrentLink() + " is not a symlink"),
            std::string::npos)
      << cur.status().ToString();
}

TEST_F(LayoutTest, TargetUpgradeInfoRoundTrip) {
  auto none = layout_.ReadTargetUpgradeInfo("upgrades/v2");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());

  plans::UpgradeInfo info{"v2", 120, R"({"binaries":{}})", "0001-01-01T00:00:00Z"};
  ASSERT_TRUE(layout_.WriteTargetUpgradeInfo("upgrades/v2", info).ok());
  auto back = layout_.ReadTargetUpgradeInfo("upgrades/v2");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ(**back, info);
  EXPECT_FALSE(HasTempEntries(layout_.UpgradeDir("v2")));

  WriteText(layout_.UpgradeDir("v2") + "/upgrade-info.json", "{\"name\": 5}");
  auto bad = layout_.ReadTargetUpgradeInfo("upgrades/v2");
  EXPECT_TRUE(bad.status().Is(Status::Code::kCorruption)) << bad.status().ToString();
  EXPECT_NE(bad.status().message().find("upgrades/v2/upgrade-info.json"), std::string::npos);
}

TEST_F(LayoutTest, InstallBinaryWithMode0755AndForce) {
  const std::string src = tmp_.path() + "/simd-v2";
  WriteText(src, "#!/bin/sh\necho v2\n", 0644);
  ASSERT_TRUE(layout_.InstallBinary(src, "upgrades/v2", false).ok());
  const std::string dest = layout_.TargetBinary("upgrades/v2");
  EXPECT_EQ(ReadText(dest), "#!/bin/sh\necho v2\n");
  EXPECT_EQ(ModeOf(dest), 0755u);
  EXPECT_TRUE(Layout::CheckExecutable(dest).ok());

  WriteText(src, "#!/bin/sh\necho v2-fixed\n", 0600);
  Status again = layout_.InstallBinary(src, "upgrades/v2", false);
  EXPECT_TRUE(again.Is(Status::Code::kAlreadyExists)) << again.ToString();
  EXPECT_NE(again.message().find(dest), std::string::npos) << again.ToString();
  EXPECT_EQ(ReadText(dest), "#!/bin/sh\necho v2\n");

  ASSERT_TRUE(layout_.InstallBinary(src, "upgrades/v2", true).ok());
  EXPECT_EQ(ReadText(dest), "#!/bin/sh\necho v2-fixed\n");
  EXPECT_EQ(ModeOf(dest), 0755u);
  EXPECT_FALSE(HasTempEntries(fs::path(dest).parent_path().string()));
}

TEST_F(LayoutTest, InstallBinaryCreatesTargetDirs) {
  const std::string src = tmp_.path() + "/simd-v3";
  WriteText(src, "bin", 0755);
  ASSERT_TRUE(layout_.InstallBinary(src, Layout::UpgradeTarget("v3"), false).ok());
  EXPECT_EQ(ReadText(layout_.TargetBinary("upgrades/v3")), "bin");
}

TEST_F(LayoutTest, InstallBinaryMissingSourceNamesIt) {
  const std::string src = tmp_.path() + "/does-not-exist";
  Status st = layout_.InstallBinary(src, "genesis", false);
  EXPECT_TRUE(st.Is(Status::Code::kNotFound)) << st.ToString();
  EXPECT_NE(st.message().find(src), std::string::npos) << st.ToString();
  EXPECT_FALSE(fs::exists(layout_.TargetBinary("genesis")));

  Status dir = layout_.InstallBinary(tmp_.path(), "genesis", false);
  EXPECT_TRUE(dir.Is(Status::Code::kInvalidArgument)) << dir.ToString();
}

TEST(CheckExecutableTest, ClearMessages) {
  TempDir tmp;
  const std::string missing = tmp / "missing";
  Status st = Layout::CheckExecutable(missing);
  EXPECT_TRUE(st.Is(Status::Code::kNotFound));
  EXPECT_EQ(st.message(), "binary not found: " + missing);

  st = Layout::CheckExecutable(tmp.path());
  EXPECT_TRUE(st.Is(Status::Code::kInvalidArgument));
  EXPECT_EQ(st.message(), "binary " + tmp.path() + " is not a regular file");

  const std::string plain = tmp / "plain";
  WriteText(plain, "x", 0644);
  st = Layout::CheckExecutable(plain);
  EXPECT_TRUE(st.Is(Status::Code::kFailedPrecondition));
  EXPECT_EQ(st.message(), "binary " + plain + " is not executable (mode 0644)");

  const std::string exe = tmp / "exe";
  WriteText(exe, "x", 0755);
  EXPECT_TRUE(Layout::CheckExecutable(exe).ok());

  const std::string dangling = tmp / "dangling";
  ASSERT_EQ(::symlink((tmp / "nowhere").c_str(), dangling.c_str()), 0);
  st = Layout::CheckExecutable(dangling);
  EXPECT_TRUE(st.Is(Status::Code::kNotFound));
  EXPECT_EQ(st.message(), "binary " + dangling + " is a dangling symlink");

  const std::string link = tmp / "link";
  ASSERT_EQ(::symlink(exe.c_str(), link.c_str()), 0);
  EXPECT_TRUE(Layout::CheckExecutable(link).ok());
}

TEST(FileUtilTest, WriteFileAtomicReplacesAndKeepsMode) {
  TempDir tmp;
  const std::string path = tmp / "f.json";
  ASSERT_TRUE(WriteFileAtomic(path, "one").ok());
  EXPECT_EQ(ReadText(path), "one");
  EXPECT_EQ(ModeOf(path), 0644u);
  ASSERT_TRUE(WriteFileAtomic(path, std::string(1 << 20, 'x'), 0600).ok());
  EXPECT_EQ(ReadText(path).size(), 1u << 20);
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_FALSE(HasTempEntries(tmp.path()));

  Status st = WriteFileAtomic(tmp / "no/such/dir/f", "x");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find(tmp / "no/such/dir/f"), std::string::npos) << st.ToString();
}

TEST(FileUtilTest, ReadFileMissingIsNotFound) {
  TempDir tmp;
  auto r = ReadFile(tmp / "missing");
  EXPECT_TRUE(r.status().Is(Status::Code::kNotFound)) << r.status().ToString();
  EXPECT_NE(r.status().message().find(tmp / "missing"), std::string::npos);
  EXPECT_TRUE(ReadFile(tmp / "missing").status().message().find("No such file") !=
              std::string::npos);
}

TEST(FileUtilTest, MakeDirsAndParentDir) {
  TempDir tmp;
  ASSERT_TRUE(MakeDirs(tmp / "a/b/c").ok());
  EXPECT_TRUE(fs::is_directory(tmp / "a/b/c"));
  EXPECT_TRUE(MakeDirs(tmp / "a/b/c").ok());
  WriteText(tmp / "file", "x");
  EXPECT_TRUE(MakeDirs(tmp / "file").Is(Status::Code::kInvalidArgument));
  EXPECT_EQ(ParentDir("/a/b/c"), "/a/b");
  EXPECT_EQ(ParentDir("/a/b/"), "/a");
  EXPECT_EQ(ParentDir("/a"), "/");
  EXPECT_EQ(ParentDir("a"), ".");
}

}  // namespace
}  // namespace replayer
