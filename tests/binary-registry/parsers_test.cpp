// The registry's pure entry points on strings: minisign verification of content in memory,
// the executable check on a header's bytes, the mirror's routing and percent-decoding.
#include <gtest/gtest.h>

#include <string>

#include "binary-registry/minisign.h"
#include "binary-registry/mirror_server.h"
#include "binary-registry/verify.h"
#include "tests/binary-registry/test_server.h"
#include "tests/testing/temp_dir.h"

namespace registry {
namespace {

// A 64-byte ELF header: class, byte order, type and machine as given.
std::string ElfHeader(uint8_t elf_class, uint8_t data, uint16_t type, uint16_t machine) {
  std::string h(64, '\0');
  h[0] = 0x7f, h[1] = 'E', h[2] = 'L', h[3] = 'F', h[4] = static_cast<char>(elf_class);
  h[5] = static_cast<char>(data), h[6] = 1;
  bool le = data == 1;
  h[le ? 16 : 17] = static_cast<char>(type & 0xff), h[le ? 17 : 16] = static_cast<char>(type >> 8);
  h[le ? 18 : 19] = static_cast<char>(machine & 0xff);
  h[le ? 19 : 18] = static_cast<char>(machine >> 8);
  return h;
}

TEST(ExecutableHeader, PlatformsFromHeaderBytes) {
  EXPECT_EQ(DetectPlatformFromHeader(ElfHeader(2, 1, 3, 62)), "linux/amd64");
  EXPECT_EQ(DetectPlatformFromHeader(ElfHeader(2, 1, 2, 183)), "linux/arm64");
  EXPECT_EQ(DetectPlatformFromHeader(ElfHeader(1, 1, 2, 40)), "linux/arm");
  EXPECT_EQ(DetectPlatformFromHeader(ElfHeader(2, 1, 2, 243)), "linux/machine 243");
  EXPECT_EQ(DetectPlatformFromHeader("#!/bin/sh\n"), "any");
  EXPECT_EQ(DetectPlatformFromHeader("MZ"), "");
  EXPECT_EQ(DetectPlatformFromHeader(""), "");
  EXPECT_TRUE(CheckExecutableHeader(ElfHeader(2, 1, 2, 183), "appd", "linux/arm64").ok());
  EXPECT_TRUE(CheckExecutableHeader(ElfHeader(1, 1, 3, 40), "appd", "linux/arm").ok());
  auto wrong = CheckExecutableHeader(ElfHeader(2, 1, 2, 183), "appd", "linux/amd64");
  EXPECT_NE(wrong.message().find("appd is an ELF executable for linux/arm64, not for linux/amd64"),
            std::string::npos)
      << wrong.message();
  EXPECT_FALSE(CheckExecutableHeader(ElfHeader(1, 1, 2, 183), "appd", "linux/arm64").ok());
  EXPECT_FALSE(CheckExecutableHeader(ElfHeader(2, 2, 2, 183), "appd", "linux/arm64").ok());
  auto object = CheckExecutableHeader(ElfHeader(2, 1, 1, 62), "appd.o", "linux/amd64");
  EXPECT_NE(object.message().find("object file"), std::string::npos);
  EXPECT_FALSE(CheckExecutableHeader(ElfHeader(2, 1, 2, 62).substr(0, 19), "x", "linux/amd64").ok());
}

TEST(MinisignData, VerifiesContentInMemory) {
  testing_util::TempDir dir{"replayer-minisign-data"};
  ASSERT_EQ(registry_test::Shell("minisign -G -W -p " + dir / "k.pub" + " -s " + dir / "k.sec"), 0);
  registry_test::WriteFile(dir / "f", "release notes v2\n");
  ASSERT_EQ(registry_test::Shell("minisign -S -s " + dir / "k.sec" + " -m " + dir / "f"), 0);
  ASSERT_EQ(registry_test::Shell("minisign -S -l -s " + dir / "k.sec" + " -m " + dir / "f" +
                                 " -x " + dir / "f.legacy"),
            0);
  auto key = ParseMinisignPublicKey(registry_test::ReadFile(dir / "k.pub"));
  ASSERT_TRUE(key.ok());
  for (std::string sig_file : {"f.minisig", "f.legacy"}) {
    std::string sig = registry_test::ReadFile(dir / sig_file);
    auto id = VerifyMinisignData("release notes v2\n", sig, {*key}, "notes");
    ASSERT_TRUE(id.ok()) << sig_file << ": " << id.status().message();
    EXPECT_EQ(*id, key->IdHex());
    EXPECT_EQ(*id, *VerifyMinisignFile(dir / "f", sig, {*key}));
    auto bad = VerifyMinisignData("release notes v3\n", sig, {*key}, "notes");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.status().message().find("signature of notes does not verify"), std::string::npos);
  }
}

TEST(MirrorRoute, RequestLines) {
  using Kind = MirrorRoute::Kind;
  const std::string sha(64, 'e');
  EXPECT_EQ(RouteRequest("GET", "/sha256/" + sha + "/appd.tar.gz").kind, Kind::kArtifact);
  EXPECT_EQ(RouteRequest("HEAD", "/sha256/" + sha + "?x").sha256, sha);
  EXPECT_EQ(RouteRequest("GET", "/sha256/" + std::string(64, 'E')).kind, Kind::kNotFound);
  EXPECT_EQ(RouteRequest("GET", "/plans/v2%2Frc%201.json?x=1").name, "v2/rc 1");
  EXPECT_EQ(RouteRequest("GET", "/plans/.json").kind, Kind::kNotFound);
  EXPECT_EQ(RouteRequest("GET", "/index.json").kind, Kind::kIndex);
  EXPECT_EQ(RouteRequest("POST", "/index.json").kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(RouteRequest("GET", "/../etc/passwd").kind, Kind::kNotFound);
}

// Found while writing fuzz_mirror_route: from_chars takes a sign, so "%-1" decoded to 0xff.
TEST(MirrorRoute, PercentDecodeTakesExactlyTwoHexDigits) {
  EXPECT_EQ(PercentDecode("%-1"), "%-1");
  EXPECT_EQ(PercentDecode("%+f"), "%+f");
  EXPECT_EQ(PercentDecode("a%2fb%2Fc%zz%4"), "a/b/c%zz%4");
  const std::string all = [] {
    std::string s;
    for (int c = 0; c < 256; ++c) s.push_back(static_cast<char>(c));
    return s;
  }();
  EXPECT_EQ(PercentDecode(PercentEncode(all)), all);
}

}  // namespace
}  // namespace registry
