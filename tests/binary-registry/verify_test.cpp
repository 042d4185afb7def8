#include "binary-registry/minisign.h"
#include "binary-registry/verify.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "process/process.h"
#include "tests/binary-registry/test_server.h"
#include "tests/testing/temp_dir.h"
#include "upgrade-plans/plan_info.h"

namespace registry {
namespace {

namespace fs = std::filesystem;
using registry_test::ReadFile;
using registry_test::WriteFile;

class VerifyTest : public ::testing::Test {
 protected:
  testing_util::TempDir dir_{"replayer-verify"};
};

TEST_F(VerifyTest, HostElfAndScriptsPass) {
  fs::copy_file("/bin/true", dir_ / "true");
  EXPECT_TRUE(CheckExecutableFormat(dir_ / "true", plans::HostPlatform()).ok());
  EXPECT_TRUE(CheckExecutableFormat(dir_ / "true", "any").ok());
  EXPECT_EQ(DetectPlatform(dir_ / "true"), plans::HostPlatform());
  WriteFile(dir_ / "s", "#!/bin/sh\necho hi\n", 0755);
  EXPECT_TRUE(CheckExecutableFormat(dir_ / "s", "linux/amd64").ok());
  EXPECT_EQ(DetectPlatform(dir_ / "s"), "any");
}

TEST_F(VerifyTest, WrongArchitectureIsNamed) {
  std::string elf = ReadFile("/bin/true");
  // Flip e_machine to the other common architecture.
  uint16_t other = plans::HostPlatform() == "linux/arm64" ? 62 : 183;
  elf[18] = static_cast<char>(other & 0xff);
  elf[19] = static_cast<char>(other >> 8);
  WriteFile(dir_ / "foreign", elf, 0755);
  auto st = CheckExecutableFormat(dir_ / "foreign", plans::HostPlatform());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("ELF executable for linux/"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("not for " + std::string(plans::HostPlatform())), std::string::npos);
}

TEST_F(VerifyTest, ScriptWithoutItsInterpreterIsNamed) {
  WriteFile(dir_ / "lost", "#!/nonexistent/sh\necho v1\n", 0755);
  auto st = CheckExecutableFormat(dir_ / "lost", "any");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("interpreter \"/nonexistent/sh\""), std::string::npos)
      << st.message();
  WriteFile(dir_ / "env", "#! /usr/bin/env bash\necho v1\n", 0755);
  EXPECT_TRUE(CheckExecutableFormat(dir_ / "env", "any").ok());
  WriteFile(dir_ / "relative", "#!sh\n", 0755);
  EXPECT_FALSE(CheckExecutableFormat(dir_ / "relative", "any").ok());
}

TEST_F(VerifyTest, OtherFormatsAreNamed) {
  WriteFile(dir_ / "macho", std::string("\xcf\xfa\xed\xfe", 4) + "rest");
  WriteFile(dir_ / "pe", "MZ....");
  WriteFile(dir_ / "text", "hello");
  EXPECT_NE(CheckExecutableFormat(dir_ / "macho", "linux/amd64").message().find("Mach-O"),
            std::string::npos);
  EXPECT_NE(CheckExecutableFormat(dir_ / "pe", "linux/amd64").message().find("Windows"),
            std::string::npos);
  EXPECT_NE(CheckExecutableFormat(dir_ / "text", "linux/amd64").message().find("neither ELF"),
            std::string::npos);
}

TEST_F(VerifyTest, VersionProbe) {
  WriteFile(dir_ / "appd", "#!/bin/sh\n[ \"$1\" = version ] && echo v7.0.1 && exit 0\nexit 3\n", 0755);
  auto out = ProbeVersion(dir_ / "appd", {});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, "v7.0.1");
  EXPECT_TRUE(CheckVersionOutput(*out, "7.0.1").ok());
  EXPECT_TRUE(CheckVersionOutput(*out, "v7.0.1").ok());
  EXPECT_FALSE(CheckVersionOutput(*out, "7.0.0").ok());
  EXPECT_FALSE(CheckVersionOutput(*out, "7.0").ok());
  EXPECT_TRUE(CheckVersionOutput("name: gaia\nversion: 7.0.1\ncommit: abc", "v7.0.1").ok());
  ProbeOptions bad;
  bad.args = {"nope"};
  auto failed = ProbeVersion(dir_ / "appd", bad);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("exited with 3"), std::string::npos);
}

TEST_F(VerifyTest, VersionProbeTimesOut) {
  WriteFile(dir_ / "hang", "#!/bin/sh\nsleep 30\n", 0755);
  ProbeOptions o;
  o.timeout = std::chrono::milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  auto r = ProbeVersion(dir_ / "hang", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Status::Code::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// A binary that closes its output and stays: end of output is not an exit, and the probe must
// not wait for one (waitpid) beyond its timeout. Before, this returned only when the sleep
// ended, with success.
TEST_F(VerifyTest, VersionProbeOfABinaryThatClosesItsOutputAndStaysTimesOut) {
  WriteFile(dir_ / "stays", "#!/bin/sh\necho v1\nexec >/dev/null 2>&1\nsleep 20\n", 0755);
  ProbeOptions o;
  o.timeout = std::chrono::milliseconds(300);
  auto r = ProbeVersion(dir_ / "stays", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Status::Code::kUnavailable) << r.status().message();
}

TEST_F(VerifyTest, VersionProbeSeesTheLibraryDir) {
  WriteFile(dir_ / "appd", "#!/bin/sh\necho \"$LD_LIBRARY_PATH\"\n", 0755);
  ProbeOptions o;
  o.library_dir = dir_ / "lib";
  auto r = ProbeVersion(dir_ / "appd", o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rfind(dir_ / "lib", 0), 0u) << *r;
}

// The real launcher, with a record of what went through it.
class RecordingLauncher final : public process::ProcessLauncher {
 public:
  base::Result<process::SpawnedProcess> Spawn(const process::SpawnOptions& o) override {
    spawned.push_back(o);
    return real_.Spawn(o);
  }
  base::Status Signal(pid_t pid, int sig, bool group) override {
    ++signals;
    return real_.Signal(pid, sig, group);
  }
  std::optional<process::ExitInfo> TryReap(pid_t pid, bool kill_group) override {
    auto e = real_.TryReap(pid, kill_group);
    if (e) ++reaped;
    return e;
  }
  process::ExitInfo Wait(pid_t pid) override {
    ++reaped;
    return real_.Wait(pid);
  }
  std::vector<process::SpawnOptions> spawned;
  int signals = 0;
  int reaped = 0;

 private:
  process::PosixProcessLauncher real_;
};

// The probe starts, reads and reaps its child through the process seam (no second hand-written
// posix_spawn/waitpid): stdin from /dev/null, stderr with stdout, the artefact's lib/ first on
// LD_LIBRARY_PATH, in its own process group.
TEST_F(VerifyTest, VersionProbeGoesThroughTheProcessSeam) {
  WriteFile(dir_ / "appd", "#!/bin/sh\necho \"v7.0.2 $LD_LIBRARY_PATH\" >&2\n", 0755);
  RecordingLauncher launcher;
  ProbeOptions o;
  o.library_dir = dir_ / "lib";
  o.launcher = &launcher;
  auto r = ProbeVersion(dir_ / "appd", o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rfind("v7.0.2 " + dir_ / "lib", 0), 0u) << *r;
  ASSERT_EQ(launcher.spawned.size(), 1u);
  const auto& spawned = launcher.spawned[0];
  EXPECT_EQ(spawned.path, dir_ / "appd");
  EXPECT_EQ(spawned.args, std::vector<std::string>{"version"});
  EXPECT_TRUE(spawned.capture_output && spawned.merge_stderr && spawned.stdin_null);
  EXPECT_TRUE(spawned.new_process_group);
  EXPECT_EQ(launcher.reaped, 1);
}

// Past the timeout the seam kills the probe's whole group (a child it started included).
TEST_F(VerifyTest, VersionProbeTimeoutKillsTheGroupThroughTheSeam) {
  WriteFile(dir_ / "forks", "#!/bin/sh\nsleep 30 &\necho $! > \"$0.child\"\nwait\n", 0755);
  RecordingLauncher launcher;
  ProbeOptions o;
  o.timeout = std::chrono::milliseconds(300);
  o.launcher = &launcher;
  auto r = ProbeVersion(dir_ / "forks", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Status::Code::kUnavailable) << r.status().message();
  EXPECT_NE(r.status().message().find("did not finish within 300 ms"), std::string::npos)
      << r.status().message();
  EXPECT_GE(launcher.signals, 1);
  EXPECT_EQ(launcher.reaped, 1);
  // Killed with the group: gone, or a zombie until whoever adopted it reaps it.
  std::string child = ReadFile(dir_ / "forks.child");
  while (!child.empty() && child.back() == '\n') child.pop_back();
  auto gone = [&] {
    std::string stat = ReadFile("/proc/" + child + "/stat");
    size_t close = stat.rfind(')');
    return close == std::string::npos || stat.substr(close + 2, 1) == "Z";
  };
  for (int i = 0; i < 500 && !gone(); ++i) {  // SIGKILL is sent; its delivery is not instant
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone()) << "the probe's child outlived the probe";
}

class MinisignTest : public VerifyTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(registry_test::Shell("minisign -G -W -p " + dir_ / "a.pub" + " -s " + dir_ / "a.sec"), 0);
    ASSERT_EQ(registry_test::Shell("minisign -G -W -p " + dir_ / "b.pub" + " -s " + dir_ / "b.sec"), 0);
    WriteFile(dir_ / "artifact", std::string(100000, 'q') + "payload");
    auto a = ParseMinisignPublicKey(ReadFile(dir_ / "a.pub"));
    ASSERT_TRUE(a.ok()) << a.status().message();
    trusted_ = {*a};
  }
  std::string Sign(const std::string& key, const std::string& extra = "") {
    std::string sig = dir_ / ("artifact." + key + ".minisig");
    EXPECT_EQ(registry_test::Shell("minisign -S " + extra + " -s " + dir_ / (key + ".sec") + " -m " +
                                 dir_ / "artifact" + " -x " + sig),
              0);
    return ReadFile(sig);
  }
  std::vector<MinisignKey> trusted_;
};

TEST_F(MinisignTest, GoodSignatureVerifies) {
  auto id = VerifyMinisignFile(dir_ / "artifact", Sign("a"), trusted_);
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(*id, trusted_[0].IdHex());
  EXPECT_NE(ReadFile(dir_ / "a.pub").find(*id), std::string::npos);  // same id minisign prints
}

TEST_F(MinisignTest, LegacyUnhashedSignatureVerifies) {
  auto id = VerifyMinisignFile(dir_ / "artifact", Sign("a", "-l"), trusted_);
  ASSERT_TRUE(id.ok()) << id.status().message();
}

TEST_F(MinisignTest, TamperedFileFails) {
  std::string sig = Sign("a");
  WriteFile(dir_ / "artifact", std::string(100000, 'q') + "payloaX");
  auto r = VerifyMinisignFile(dir_ / "artifact", sig, trusted_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Status::Code::kCorruption);
  EXPECT_NE(r.status().message().find("does not verify"), std::string::npos);
}

TEST_F(MinisignTest, TamperedTrustedCommentFails) {
  std::string sig = Sign("a");
  size_t pos = sig.find("\ntrusted comment: ");  // not the untrusted one
  sig.insert(pos + 18, "x");
  auto r = VerifyMinisignFile(dir_ / "artifact", sig, trusted_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("trusted comment"), std::string::npos);
}

TEST_F(MinisignTest, UnknownKeyIsNamed) {
  auto r = VerifyMinisignFile(dir_ / "artifact", Sign("b"), trusted_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Status::Code::kNotFound);
  EXPECT_NE(r.status().message().find("unknown key"), std::string::npos);
  EXPECT_NE(r.status().message().find(trusted_[0].IdHex()), std::string::npos);
}

TEST_F(MinisignTest, MalformedInputsAreErrorsNotCrashes) {
  EXPECT_FALSE(ParseMinisignPublicKey("").ok());
  EXPECT_FALSE(ParseMinisignPublicKey("untrusted comment: x\nAAAA").ok());
  EXPECT_FALSE(ParseMinisignSignature("untrusted comment: x\n").ok());
  EXPECT_FALSE(ParseMinisignSignature("a\nb\nc\nd\n").ok());
  // The bare base64 line of a key is accepted too.
  std::string pub = ReadFile(dir_ / "a.pub");
  std::string line = pub.substr(pub.find('\n') + 1);
  EXPECT_TRUE(ParseMinisignPublicKey(line).ok());
}

}  // namespace
}  // namespace registry
