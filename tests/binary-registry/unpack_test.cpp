#include "binary-registry/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/binary-registry/test_server.h"
#include "tests/testing/temp_dir.h"

namespace registry {
namespace {

namespace fs = std::filesystem;
using registry_test::Shell;
using registry_test::WriteFile;

const char* kScript = "#!/bin/sh\necho v1.2.3\n";

struct Entry {
  std::string name;
  unsigned type = AE_IFREG;
  std::string content;
  std::string link;      // symlink target
  std::string hardlink;  // hard link target
};

// Writes a tar with entries exactly as given (tools refuse to make most of these).
void WriteTar(const std::string& path, const std::vector<Entry>& entries) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open_filename(a, path.c_str());
  for (const auto& e : entries) {
    archive_entry* en = archive_entry_new();
    archive_entry_set_pathname(en, e.name.c_str());
    archive_entry_set_filetype(en, e.type);
    archive_entry_set_perm(en, 0755);
    if (!e.link.empty()) archive_entry_set_symlink(en, e.link.c_str());
    if (!e.hardlink.empty()) archive_entry_set_hardlink(en, e.hardlink.c_str());
    archive_entry_set_size(en, static_cast<la_int64_t>(e.content.size()));
    archive_write_header(a, en);
    if (!e.content.empty()) archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(en);
  }
  archive_write_close(a);
  archive_write_free(a);
}

class UnpackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "src/bin");
    fs::create_directories(dir_ / "src/lib");
    WriteFile(dir_ / "src/bin/appd", kScript, 0755);
    WriteFile(dir_ / "src/lib/libwasmvm.x86_64.so", "not really a library");
    fs::create_directories(dir_ / "out");
  }
  base::Result<UnpackResult> Unpack(const std::string& artifact, UnpackOptions o = {}) {
    return UnpackArtifact(artifact, dir_ / "out", "appd", o);
  }
  void ExpectInstalled(const base::Result<UnpackResult>& r) {
    ASSERT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) return;
    EXPECT_EQ(registry_test::ReadFile(dir_ / "out/bin/appd"), kScript);
    EXPECT_TRUE(fs::status(dir_ / "out/bin/appd").permissions() != fs::perms::none);
    EXPECT_EQ(access((dir_ / "out/bin/appd").c_str(), X_OK), 0);
  }
  testing_util::TempDir dir_{"replayer-unpack"};
};

TEST_F(UnpackTest, RawExecutable) {
  auto r = Unpack(dir_ / "src/bin/appd");
  ExpectInstalled(r);
  EXPECT_EQ(r->format, "raw");
}

TEST_F(UnpackTest, GzippedRawExecutable) {
  ASSERT_EQ(registry_test::Shell("gzip -c " + dir_ / "src/bin/appd" + " > " + dir_ / "appd.gz"), 0);
  auto r = Unpack(dir_ / "appd.gz");
  ExpectInstalled(r);
  if (r.ok()) {
    EXPECT_EQ(r->format, "raw (gzip)");
  }
}

TEST_F(UnpackTest, EveryArchiveFormatKeepsLibraries) {
  const std::string src = dir_ / "src";
  struct Case {
    std::string file, command;
  } cases[] = {
      {"a.tar", "tar -C " + src + " -cf %s bin lib"},
      {"a.tar.gz", "tar -C " + src + " -czf %s bin lib"},
      {"a.tgz", "tar -C " + src + " -czf %s bin lib"},
      {"a.tar.xz", "tar -C " + src + " -cJf %s bin lib"},
      {"a.zip", "cd " + src + " && zip -qr %s bin lib"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    std::string path = dir_ / c.file;
    std::string cmd = c.command;
    cmd.replace(cmd.find("%s"), 2, path);
    ASSERT_EQ(registry_test::Shell(cmd), 0) << cmd;
    fs::remove_all(dir_ / "out");
    fs::create_directories(dir_ / "out");
    auto r = Unpack(path);
    ExpectInstalled(r);
    ASSERT_EQ(r->libraries.size(), 1u);
    EXPECT_EQ(r->libraries[0], "lib/libwasmvm.x86_64.so");
    EXPECT_TRUE(fs::exists(dir_ / "out/lib/libwasmvm.x86_64.so"));
  }
}

TEST_F(UnpackTest, ExecutableAtTheArchiveRootMovesIntoBin) {
  ASSERT_EQ(registry_test::Shell("tar -C " + dir_ / "src/bin" + " -czf " + dir_ / "root.tar.gz appd"), 0);
  ExpectInstalled(Unpack(dir_ / "root.tar.gz"));
  EXPECT_FALSE(fs::exists(dir_ / "out/appd"));
}

TEST_F(UnpackTest, MissingExecutableIsNamed) {
  ASSERT_EQ(registry_test::Shell("tar -C " + dir_ / "src" + " -cf " + dir_ / "nolib.tar lib"), 0);
  auto r = Unpack(dir_ / "nolib.tar");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no appd or bin/appd"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("lib"), std::string::npos);
}

TEST_F(UnpackTest, NotAnArchiveNorAnExecutable) {
  WriteFile(dir_ / "junk", "this is some text");
  auto r = Unpack(dir_ / "junk");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("neither an executable"), std::string::npos);
}

struct Trick {
  std::string label;
  std::vector<Entry> entries;
  std::string expect;
};

TEST_F(UnpackTest, RefusesEveryArchiveTrick) {
  std::string outside = dir_ / "outside";
  std::vector<Trick> tricks = {
      {"absolute", {{"/tmp/replayer-evil-abs", AE_IFREG, "x"}}, "absolute path"},
      {"dotdot", {{"../outside", AE_IFREG, "x"}}, "contains \"..\""},
      {"nested dotdot", {{"bin/../../outside", AE_IFREG, "x"}}, "contains \"..\""},
      {"symlink absolute", {{"bin/appd", AE_IFLNK, "", "/etc/passwd"}}, "absolute path"},
      {"symlink escaping", {{"bin/x", AE_IFLNK, "", "../../outside"}}, "pointing outside"},
      {"hardlink escaping", {{"h", AE_IFREG, "", "", "../outside"}}, "hard link"},
      {"char device", {{"dev", AE_IFCHR, ""}}, "device file"},
      {"fifo", {{"fifo", AE_IFIFO, ""}}, "device file"},
  };
  for (const auto& t : tricks) {
    SCOPED_TRACE(t.label);
    std::vector<Entry> entries = {{"bin/appd", AE_IFREG, kScript}};
    entries.insert(entries.end(), t.entries.begin(), t.entries.end());
    std::string path = dir_ / "trick.tar";
    WriteTar(path, entries);
    fs::remove_all(dir_ / "out");
    fs::create_directories(dir_ / "out");
    auto r = Unpack(path);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(t.expect), std::string::npos) << r.status().message();
    EXPECT_FALSE(fs::exists(outside));
    EXPECT_FALSE(fs::exists("/tmp/replayer-evil-abs"));
  }
}

TEST_F(UnpackTest, RefusesMoreThanTheSizeLimit) {
  WriteTar(dir_ / "big.tar", {{"bin/appd", AE_IFREG, kScript}, {"blob", AE_IFREG, std::string(5000, 'a')}});
  UnpackOptions o;
  o.max_total_bytes = 1000;
  auto r = Unpack(dir_ / "big.tar", o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("more than the limit"), std::string::npos);
}

TEST_F(UnpackTest, RefusesACompressionBombByCountingWrittenBytes) {
  ASSERT_EQ(registry_test::Shell("head -c 3000000 /dev/zero > " + dir_ / "src/zeros"), 0);
  ASSERT_EQ(registry_test::Shell("tar -C " + dir_ / "src" + " -czf " + dir_ / "bomb.tgz bin zeros"), 0);
  UnpackOptions o;
  o.max_total_bytes = 1000000;
  auto r = Unpack(dir_ / "bomb.tgz", o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("more than the limit"), std::string::npos);
}

TEST_F(UnpackTest, InsideSymlinksAreKept) {
  WriteTar(dir_ / "ok.tar", {{"bin/appd", AE_IFREG, kScript},
                             {"lib/libwasmvm.so.1", AE_IFREG, "lib"},
                             {"lib/libwasmvm.so", AE_IFLNK, "", "libwasmvm.so.1"}});
  auto r = Unpack(dir_ / "ok.tar");
  ExpectInstalled(r);
  EXPECT_TRUE(fs::is_symlink(dir_ / "out/lib/libwasmvm.so"));
  EXPECT_EQ(r->libraries.size(), 2u);
}

// Links that each pass the lexical check but compose into an escape: `d/up -> ..` is the root,
// so `d/up/d/up/../..` is two levels above it. Nothing outside may be changed, and the unpack is
// refused whatever the link is called.
TEST_F(UnpackTest, RefusesChainedSymlinksThatComposeIntoAnEscape) {
  std::string outside = dir_ / "outside";
  fs::create_directories(outside + "/bin");
  WriteFile(outside + "/bin/appd", kScript, 0600);
  struct Case {
    std::string label;
    std::vector<Entry> entries;
  } cases[] = {
      {"bin dir through the chain",
       {{"d", AE_IFDIR}, {"d/up", AE_IFLNK, "", ".."}, {"bin", AE_IFLNK, "", "d/up/../outside/bin"}}},
      {"binary through the chain",
       {{"d", AE_IFDIR},
        {"d/up", AE_IFLNK, "", ".."},
        {"c1", AE_IFLNK, "", "d/up/.."},
        {"bin/appd", AE_IFLNK, "", "../c1/outside/bin/appd"}}},
      {"a lib through the chain",
       {{"bin/appd", AE_IFREG, kScript},
        {"d", AE_IFDIR},
        {"d/up", AE_IFLNK, "", ".."},
        {"lib", AE_IFLNK, "", "d/up/d/up/../../outside/bin"}}},
      {"an entry written through a link",
       {{"d", AE_IFDIR},
        {"d/up", AE_IFLNK, "", ".."},
        {"c1", AE_IFLNK, "", "d/up/.."},
        {"c1/outside/bin/appd", AE_IFREG, "overwritten"}}},
      {"a hard link through a link",
       {{"d", AE_IFDIR},
        {"d/up", AE_IFLNK, "", ".."},
        {"c1", AE_IFLNK, "", "d/up/.."},
        {"bin/appd", AE_IFREG, "", "", "c1/outside/bin/appd"}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    WriteTar(dir_ / "chain.tar", c.entries);
    fs::remove_all(dir_ / "out");
    fs::create_directories(dir_ / "out");
    auto r = Unpack(dir_ / "chain.tar");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("refused"), std::string::npos) << r.status().message();
    EXPECT_EQ(registry_test::ReadFile(outside + "/bin/appd"), kScript);
    EXPECT_EQ(fs::status(outside + "/bin/appd").permissions(),
              fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(fs::hard_link_count(outside + "/bin/appd"), 1u);
  }
}

TEST_F(UnpackTest, BinaryMustNotBeASymlinkEvenInside) {
  WriteTar(dir_ / "ok.tar", {{"real/appd", AE_IFREG, kScript}, {"bin", AE_IFLNK, "", "real"}});
  auto r = Unpack(dir_ / "ok.tar");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bin/appd in the artefact is not a regular file"),
            std::string::npos)
      << r.status().message();
}

TEST_F(UnpackTest, LaterEntriesReplaceEarlierOnesInPlace) {
  WriteTar(dir_ / "dup.tar", {{"bin/appd", AE_IFLNK, "", "x"}, {"bin/appd", AE_IFREG, kScript}});
  ExpectInstalled(Unpack(dir_ / "dup.tar"));
}

TEST(SafeEntryPath, Normalises) {
  EXPECT_EQ(*SafeEntryPath("./bin//appd"), "bin/appd");
  EXPECT_EQ(*SafeEntryPath("./"), "");
  EXPECT_FALSE(SafeEntryPath("/abs").ok());
  EXPECT_FALSE(SafeEntryPath("a/../b").ok());
  EXPECT_TRUE(CheckSymlinkTarget("lib/x.so", "x.so.1").ok());
  EXPECT_TRUE(CheckSymlinkTarget("lib/x.so", "../bin/appd").ok());
  EXPECT_FALSE(CheckSymlinkTarget("lib/x.so", "../../etc").ok());
  EXPECT_FALSE(CheckSymlinkTarget("x", "a/../../b").ok());
}

}  // namespace
}  // namespace registry
