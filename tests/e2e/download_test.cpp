// End to end: DAEMON_ALLOW_DOWNLOAD_BINARIES=true, the real `replayer run` fetches the next
// binary from the plan's info (a file:// URL with its checksum), verifies and installs it, then
// switches. A wrong checksum installs nothing and leaves `current` and the data as they were.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/e2e/harness.h"
#include "tests/testing/temp_dir.h"

namespace e2e {
namespace {

std::string Sha256Of(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(("sha256sum " + path).c_str(), "r"), pclose);
  char buf[65] = {};
  if (!p || std::fread(buf, 1, 64, p.get()) != 64) return "";
  return buf;
}

// The plan's info: a URL to a plan-info document (with its own checksum) listing the v2 binary
// with its checksum (or `checksum_override`). `tag` keeps documents apart.
std::string PlanInfo(TestHome& h, const std::string& checksum_override, const std::string& tag) {
  std::string v2 = h.home() + "/../dl-v2";
  h.WriteNode(v2, NodeSpec{"v2"});
  std::string sum = checksum_override.empty() ? Sha256Of(v2) : checksum_override;
  EXPECT_EQ(sum.size(), 64u);
  std::string doc = h.home() + "/../v2-info-" + tag + ".json";
  {
    FILE* f = std::fopen(doc.c_str(), "w");
    std::fprintf(f, "{\"binaries\":{\"linux/amd64\":\"file://%s?checksum=sha256:%s\"}}",
                 v2.c_str(), sum.c_str());
    std::fclose(f);
  }
  return "file://" + doc + "?checksum=sha256:" + Sha256Of(doc);
}

void SetUpDownload(TestHome& h, const std::string& checksum_override) {
  std::string info = PlanInfo(h, checksum_override, "node");
  h.InitGenesis(NodeSpec{"v1", "v2", 4});
  std::string path = h.home() + "/cosmovisor/genesis/bin/simd";
  std::string script = h.ReadFile("cosmovisor/genesis/bin/simd");
  size_t p = script.find("from $VERSION\\\"}");
  ASSERT_NE(p, std::string::npos);
  script.replace(p, std::string("from $VERSION").size(), info);
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs(script.c_str(), f);
  std::fclose(f);
}

TEST(Download, MissingBinaryIsFetchedVerifiedAndInstalled) {
  TestHome h;
  SetUpDownload(h, "");
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "6"},
                                    {"UNSAFE_SKIP_BACKUP", "true"},
                                    {"DAEMON_ALLOW_DOWNLOAD_BINARIES", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(h.CountInLog("v2 start"), 1) << h.NodeLog();
  EXPECT_EQ(h.Height(), 6);
}

TEST(Download, WrongChecksumInstallsNothing) {
  TestHome h;
  SetUpDownload(h, std::string(64, 'e'));
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "6"},
                                    {"UNSAFE_SKIP_BACKUP", "true"},
                                    {"DAEMON_ALLOW_DOWNLOAD_BINARIES", "true"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("checksum mismatch"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(std::string(64, 'e')), std::string::npos) << r.err;
  EXPECT_EQ(h.Current(), "genesis");
  EXPECT_FALSE(h.Exists("cosmovisor/upgrades/v2/bin/simd"));
  EXPECT_EQ(h.Height(), 3);
}

// After a checksum failure the error says how to recover; a corrected upgrade-info.json (same
// name and height, new info) is used on the next run, as binary-ready has not completed.
TEST(Download, CorrectedPlanInfoIsUsedAfterAChecksumFailure) {
  TestHome h;
  SetUpDownload(h, std::string(64, 'e'));
  std::map<std::string, std::string> env{{"STOP_AT", "6"},
                                         {"UNSAFE_SKIP_BACKUP", "true"},
                                         {"DAEMON_ALLOW_DOWNLOAD_BINARIES", "true"}};
  auto failed = h.Run({"run", "start"}, env);
  ASSERT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_NE(failed.err.find("to recover: place a verified binary at " + h.home() +
                            "/cosmovisor/upgrades/v2/bin/simd"),
            std::string::npos)
      << failed.err;
  EXPECT_NE(failed.err.find("correct the plan's info in " + h.home() + "/data/upgrade-info.json"),
            std::string::npos)
      << failed.err;
  std::string fixed = PlanInfo(h, "", "fixed");
  {
    FILE* f = std::fopen((h.home() + "/data/upgrade-info.json").c_str(), "w");
    std::fprintf(f, "{\"name\":\"v2\",\"height\":4,\"info\":\"%s\"}", fixed.c_str());
    std::fclose(f);
  }
  auto r = h.Run({"run", "start"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("new info"), std::string::npos) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(h.Height(), 6);
  EXPECT_NE(h.ReadFile("cosmovisor/upgrades/v2/upgrade-info.json").find("v2-info-fixed"),
            std::string::npos);
}

// What `strace -f -y` saw: every successful rename (its destination) and every fsync (the path of
// the descriptor), in the order they finished.
struct TracedRename {
  size_t order;
  std::string dest;  // normalised absolute path
};
struct Trace {
  std::vector<TracedRename> renames;
  std::vector<std::pair<size_t, std::string>> fsyncs;  // (order, path)
};

std::string Absolute(const std::string& path, const std::string& dir_fd_path) {
  std::filesystem::path p(path);
  if (p.is_relative()) {
    p = (dir_fd_path.empty() ? std::filesystem::current_path() : std::filesystem::path(dir_fd_path)) / p;
  }
  return p.lexically_normal().string();
}

// Parses strace's output. A call interrupted by another thread's is printed as
// "pid call(args <unfinished ...>" and later "pid <... call resumed>rest) = r": joined here.
Trace ParseTrace(const std::string& text) {
  Trace t;
  std::map<std::string, std::string> unfinished;  // pid -> the call's first half
  static const std::regex kLine(R"re(^(\d+)\s+(.*)$)re");
  static const std::regex kResumed(R"re(^<\.\.\. \w+ resumed>(.*)$)re");
  static const std::regex kRename(
      R"re(^rename(?:at2?)?\((?:(AT_FDCWD|\d+)(?:<([^>]*)>)?, )?"([^"]*)", (?:(AT_FDCWD|\d+)(?:<([^>]*)>)?, )?"([^"]*)"(?:, [^)]*)?\)\s+= 0)re");
  static const std::regex kFsync(R"re(^f(?:data)?sync\(\d+<([^>]*)>\)\s+= 0)re");
  std::istringstream in(text);
  std::string raw;
  size_t order = 0;
  while (std::getline(in, raw)) {
    std::smatch m;
    if (!std::regex_match(raw, m, kLine)) continue;
    std::string pid = m[1], call = m[2];
    const std::string kUnfinished = " <unfinished ...>";
    if (call.size() > kUnfinished.size() &&
        call.compare(call.size() - kUnfinished.size(), kUnfinished.size(), kUnfinished) == 0) {
      unfinished[pid] = call.substr(0, call.size() - kUnfinished.size());
      continue;
    }
    std::smatch r;
    if (std::regex_match(call, r, kResumed)) {
      call = unfinished[pid] + r[1].str();
      unfinished.erase(pid);
    }
    ++order;
    if (std::regex_search(call, m, kRename)) {
      t.renames.push_back({order, Absolute(m[6], m[5])});
    } else if (std::regex_search(call, m, kFsync)) {
      t.fsyncs.push_back({order, std::filesystem::path(m[1].str()).lexically_normal().string()});
    }
  }
  return t;
}

// Power loss, not only SIGKILL: a rename is durable only once the folder that holds the new
// name is fsynced. The real `replayer run` is traced through one switch that downloads the
// binary (registry store, install of upgrades/v2/bin), snapshots the data and moves `current`;
// every rename it makes must be followed by an fsync of its destination's folder.
TEST(Download, EveryRenameOnTheSwitchIsFollowedByAnFsyncOfItsFolder) {
  const std::string strace = "/usr/bin/strace";
  ASSERT_EQ(access(strace.c_str(), X_OK), 0) << strace << " is missing (scripts/setup.sh installs it)";
  TestHome h;
  SetUpDownload(h, "");
  std::string trace_file = h.home() + "/../trace.txt";
  std::map<std::string, std::string> env = h.env();
  env["STOP_AT"] = "6";
  env["UNSAFE_SKIP_BACKUP"] = "false";
  env["DAEMON_ALLOW_DOWNLOAD_BINARIES"] = "true";
  // LeakSanitizer cannot run under ptrace (a sanitizer build of this test).
  env["ASAN_OPTIONS"] = "detect_leaks=0";
  std::vector<std::string> argv{strace, "-f", "-y", "-qq", "-s", "4096", "-o", trace_file, "-e",
                                "trace=rename,renameat,renameat2,fsync,fdatasync",
                                REPLAYER_BIN, "run", "start"};
  pid_t pid = SpawnToFiles(argv, env, h.home() + "/../strace.out", h.home() + "/../strace.err");
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (waitpid(pid, &status, WNOHANG) != pid) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      FAIL() << "replayer run under strace did not finish within 120 s";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string err = testing_util::ReadText(h.home() + "/../strace.err");
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << err;
  ASSERT_EQ(h.Current(), "upgrades/v2") << err;

  Trace t = ParseTrace(testing_util::ReadText(trace_file));
  std::vector<std::string> unsynced, checked;
  for (const auto& r : t.renames) {
    std::string base = std::filesystem::path(r.dest).filename().string();
    // LevelDB's own files (the state database): its durability is its log's fsync, and the
    // journal's power-loss test (tests/state/fault_injection_test.cpp) covers it.
    if (base == "CURRENT" || base == "LOG.old") continue;
    std::string dir = std::filesystem::path(r.dest).parent_path().string();
    bool synced = false;
    for (const auto& [order, path] : t.fsyncs) synced = synced || (order > r.order && path == dir);
    (synced ? checked : unsynced).push_back(r.dest);
  }
  std::string all;
  for (const auto& d : checked) all += "\n  " + d;
  EXPECT_TRUE(unsynced.empty()) << "renamed without an fsync of the folder afterwards:\n  "
                                << testing::PrintToString(unsynced) << "\nchecked:" << all;
  // The trace saw the switch: `current`, the install of upgrades/v2, the snapshot and the
  // registry store (a test that checks nothing must not pass).
  auto saw = [&](const std::string& needle) {
    for (const auto& d : checked) {
      if (d.find(needle) != std::string::npos) return true;
    }
    return false;
  };
  const std::string c = h.home() + "/cosmovisor";
  EXPECT_TRUE(saw(c + "/current")) << all;
  EXPECT_TRUE(saw(c + "/upgrades/v2")) << all;
  EXPECT_TRUE(saw("/registry/")) << all;
  EXPECT_TRUE(saw("data-backup")) << all;
  std::printf("renames checked: %zu\n", checked.size());
}

}  // namespace
}  // namespace e2e
