// End to end: init, add-upgrade (and its height-gated manual plan), version, config, status.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/e2e/harness.h"

namespace e2e {
namespace {

namespace fs = std::filesystem;

NodeSpec Plain(const std::string& version) {
  NodeSpec s;
  s.version = version;
  return s;
}

TEST(Init, CreatesTheLayoutAndIsIdempotent) {
  TestHome h;
  h.InitGenesis(Plain("v1"));
  EXPECT_EQ(h.Current(), "genesis");
  struct stat st {};
  ASSERT_EQ(stat((h.home() + "/cosmovisor/genesis/bin/simd").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  EXPECT_TRUE(h.Exists("cosmovisor/config.toml"));
  EXPECT_TRUE(h.Exists("data"));
  // A second init keeps the existing binary unless --force.
  std::string other = h.home() + "/../other";
  h.WriteNode(other, Plain("v9"));
  auto again = h.Run({"init", other});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("kept"), std::string::npos);
  EXPECT_EQ(h.ReadFile("cosmovisor/genesis/bin/simd").find("v9"), std::string::npos);
  auto forced = h.Run({"init", other, "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(h.ReadFile("cosmovisor/genesis/bin/simd").find("VERSION=\"v9\""), std::string::npos);
}

TEST(Init, MissingBinaryIsNamedAndNothingIsCreated) {
  TestHome h;
  auto r = h.Run({"init", h.home() + "/nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(h.home() + "/nope"), std::string::npos) << r.err;
  EXPECT_FALSE(h.Exists("cosmovisor/current"));
}

// An exception that escapes the library (here std::filesystem's, for a file name longer than
// the file system allows) must end Replayer with a message and exit 1, not std::terminate's
// abort (134) without a word of Replayer's.
TEST(Main, AnEscapedExceptionIsAMessageAndExitOne) {
  TestHome h;
  std::string src = h.home() + "/../node";
  h.WriteNode(src, Plain("v1"));
  fs::create_directories(h.home() + "/cosmovisor/genesis/bin");  // so the long name is reached
  auto r = h.Run({"init", src}, {{"DAEMON_NAME", std::string(300, 'n')}});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("replayer: error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("File name too long"), std::string::npos) << r.err;
}

TEST(Config, BadVariablesAreNamedAndRefusedAtStart) {
  TestHome h;
  h.InitGenesis(Plain("v1"));
  auto r = h.Run({"run", "start"}, {{"DAEMON_RESTART_DELAY", "0s"},
                                    {"DAEMON_POLL_INTERVAL", "300"},
                                    {"UNSAFE_SKIP_BACKUP", "yes"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("DAEMON_RESTART_DELAY"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("DAEMON_POLL_INTERVAL"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("UNSAFE_SKIP_BACKUP"), std::string::npos) << r.err;
  EXPECT_EQ(h.CountInLog("start"), 0);
  auto shown = h.Run({"config"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("DAEMON_HOME"), std::string::npos);
  EXPECT_NE(shown.out.find("Monitored File"), std::string::npos);
}

TEST(Version, RunsTheCurrentBinaryDirectly) {
  TestHome h;
  NodeSpec g = Plain("v1");
  h.InitGenesis(g);
  auto r = h.Run({"version"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("replayer version: "), std::string::npos);
  EXPECT_NE(r.out.find("\nv1\n"), std::string::npos) << r.out;
  // A pending upgrade is never applied by asking for the version (Cosmovisor #22167).
  h.PlaceUpgrade("v2", Plain("v2"));
  std::string info = R"({"name":"v2","height":3})";
  fs::create_directories(h.home() + "/data");
  { std::ofstream(h.home() + "/data/upgrade-info.json") << info; }
  auto again = h.Run({"version"});
  EXPECT_NE(again.out.find("\nv1\n"), std::string::npos) << again.out;
  EXPECT_EQ(h.Current(), "genesis");
}

TEST(AddUpgrade, PlacesAnExecutableCopyAndRefusesToOverwrite) {
  TestHome h;
  h.InitGenesis(Plain("v1"));
  std::string src = h.home() + "/../v2-src";
  h.WriteNode(src, Plain("v2"), 0600);
  auto r = h.Run({"add-upgrade", "MyUp", src});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct stat st {};
  ASSERT_EQ(stat((h.home() + "/cosmovisor/upgrades/myup/bin/simd").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);  // Cosmovisor #20062 copied it without the exec bit
  auto again = h.Run({"add-upgrade", "MyUp", src});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  EXPECT_EQ(h.Run({"add-upgrade", "MyUp", src, "--force"}).exit_code, 0);
}

TEST(AddUpgrade, ManualPlanWaitsForItsHeight) {
  TestHome h;
  h.InitGenesis(Plain("v1"));  // v1 has no on-chain plan: it would run forever
  std::string src = h.home() + "/../v2-src";
  h.WriteNode(src, Plain("v2"));
  auto add = h.Run({"add-upgrade", "v2", src, "--upgrade-height", "6"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(h.ReadFile("data/upgrade-info.json"), R"({"height":6,"name":"v2"})");
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "15"},
                                    {"UNSAFE_SKIP_BACKUP", "true"},
                                    {"DAEMON_POLL_INTERVAL", "20ms"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(h.CountInLog("v1 height 6"), 1) << "fired before the node reached the height";
  EXPECT_EQ(h.CountInLog("v2 start"), 1);
  EXPECT_EQ(h.Height(), 15);
  // A refused add-upgrade changes nothing.
  auto refused = h.Run({"add-upgrade", "v3", src, "--upgrade-height", "20"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("upgrade-info.json already exists"), std::string::npos);
  EXPECT_FALSE(h.Exists("cosmovisor/upgrades/v3"));
  // Out of range is a usage error, refused by the flag's check (issue 10, item 13).
  auto zero = h.Run({"add-upgrade", "v3", src, "--upgrade-height", "0"});
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_NE(zero.err.find("0 is out of range"), std::string::npos) << zero.err;
}

// A hand-placed binary gets the checks a downloaded one gets, before anything is written.
void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  chmod(path.c_str(), 0755);
}

TEST(Init, BinaryThisMachineCannotRunIsRefusedBeforeAnythingMoves) {
  TestHome h;
  std::string arm = h.home() + "/../arm-simd";
  WriteForeignElf(arm);
  auto r = h.Run({"init", arm});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ELF executable for linux/"), std::string::npos) << r.err;
  EXPECT_FALSE(h.Exists("cosmovisor/genesis/bin/simd"));
  EXPECT_FALSE(h.Exists("cosmovisor/current"));
  std::string plain = h.home() + "/../no-shebang";
  WriteText(plain, "echo v1\n");
  r = h.Run({"init", plain});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("neither ELF nor a #! script"), std::string::npos) << r.err;
  std::string lost = h.home() + "/../no-interpreter";
  WriteText(lost, "#!/nonexistent/bash\necho v1\n");
  r = h.Run({"init", lost});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("interpreter \"/nonexistent/bash\""), std::string::npos) << r.err;
  EXPECT_FALSE(h.Exists("cosmovisor/current"));
}

TEST(AddUpgrade, BinaryThisMachineCannotRunIsRefusedBeforeAnythingMoves) {
  TestHome h;
  h.InitGenesis(Plain("v1"));
  std::string arm = h.home() + "/../arm-simd";
  WriteForeignElf(arm);
  auto r = h.Run({"add-upgrade", "v2", arm, "--upgrade-height", "5"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ELF executable for linux/"), std::string::npos) << r.err;
  EXPECT_FALSE(h.Exists("cosmovisor/upgrades/v2"));
  EXPECT_FALSE(h.Exists("data/upgrade-info.json"));
  std::string plain = h.home() + "/../no-shebang";
  WriteText(plain, "echo v2\n");
  r = h.Run({"add-upgrade", "v2", plain});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("neither ELF nor a #! script"), std::string::npos) << r.err;
  EXPECT_FALSE(h.Exists("cosmovisor/upgrades/v2"));
}

TEST(Status, NeverInitialisedHomeIsAnError) {
  TestHome h;
  auto r = h.Run({"status"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("was never initialised"), std::string::npos) << r.err;
  EXPECT_FALSE(h.Exists("cosmovisor"));
}

// A snapshot pruned by REPLAYER_BACKUP_KEEP is not shown as a backup one could restore.
TEST(Status, PrunedSnapshotsAreNotShown) {
  TestHome h;
  NodeSpec g = Plain("v1");
  g.upgrade_name = "v2";
  g.upgrade_height = 3;
  h.InitGenesis(g);
  NodeSpec v2 = Plain("v2");
  v2.upgrade_name = "v3";
  v2.upgrade_height = 6;
  h.PlaceUpgrade("v2", v2);
  h.PlaceUpgrade("v3", Plain("v3"));
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "8"}, {"REPLAYER_BACKUP_KEEP", "1"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_FALSE(h.Exists("data-backup-v2-3"));
  ASSERT_TRUE(h.Exists("data-backup-v3-6"));
  auto st = h.Run({"status"});
  ASSERT_EQ(st.exit_code, 0) << st.err;
  EXPECT_EQ(st.out.find("data-backup-v2-3"), std::string::npos) << st.out;
  EXPECT_NE(st.out.find("v2 at height 3"), std::string::npos) << st.out;
  EXPECT_NE(st.out.find("snapshot pruned"), std::string::npos) << st.out;
  EXPECT_NE(st.out.find("snapshot " + h.home() + "/data-backup-v3-6"), std::string::npos)
      << st.out;
  auto json = h.Run({"status", "--json"});
  EXPECT_NE(json.out.find("\"snapshot_pruned\": true"), std::string::npos) << json.out;
}

TEST(Status, WorksWhileTheNodeRuns) {
  TestHome h;
  h.InitGenesis(Plain("v1"));
  pid_t pid = h.Start({"run", "start"});
  for (int i = 0; i < 1000 && h.Height() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // The node is running (it committed blocks, Replayer holds the state database) ...
  ASSERT_GE(h.Height(), 2) << "the node never ran";
  ASSERT_EQ(waitpid(pid, nullptr, WNOHANG), 0) << "Replayer is not running";
  auto st = h.Run({"status"});
  EXPECT_EQ(st.exit_code, 0) << st.err;
  EXPECT_NE(st.out.find("current:      genesis"), std::string::npos) << st.out;
  // ... and still is after `status` read the state: it keeps committing.
  int64_t seen = h.Height();
  for (int i = 0; i < 1000 && h.Height() <= seen; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(h.Height(), seen) << "the node stopped while status ran";
  EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), 0) << "Replayer exited while status ran";
  kill(pid, SIGTERM);
  h.Wait(pid);
}

// Usage errors exit with the documented 2, not CLI11's own codes (104-109).
TEST(Cli, UsageErrorsExitTwoAndNameUnknownCommands) {
  TestHome h;
  auto bogus = h.Run({"bogus"});
  EXPECT_EQ(bogus.exit_code, 2);
  EXPECT_NE(bogus.err.find("unknown command \"bogus\""), std::string::npos) << bogus.err;
  EXPECT_NE(bogus.err.find("add-upgrade"), std::string::npos) << bogus.err;
  auto nested = h.Run({"registry", "bogus"});
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_NE(nested.err.find("unknown command \"registry bogus\""), std::string::npos)
      << nested.err;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, {"status", "--bogus"}, {"status", "extra"}, {"init"},
        {"add-upgrade", "v2"}, {"registry"}, {"status", "-n", "many"}}) {
    auto r = h.Run(args);
    EXPECT_EQ(r.exit_code, 2) << (args.empty() ? "" : args[0]) << ": " << r.err;
  }
  EXPECT_EQ(h.Run({"status", "--help"}).exit_code, 0);
}

// A source that does not know a segment's version leaves the key out: "version": "" would read
// as an expected empty `version` output.
TEST(PlansImport, UnknownVersionIsNotWrittenAsEmpty) {
  TestHome h;
  h.InitGenesis(Plain("v1"));
  auto r = h.Run({"plans", "import", "--cosmovisor-home", h.home(), "--chain-id", "test-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"name\": \"genesis\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\"version\""), std::string::npos) << r.out;
}

TEST(Run, HelpExplainsPassThrough) {
  TestHome h;
  auto r = h.Run({"run", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("unchanged"), std::string::npos) << r.out;
  auto top = h.Run({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("add-upgrade"), std::string::npos);
}

}  // namespace
}  // namespace e2e
