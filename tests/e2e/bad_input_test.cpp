// End to end: bad inputs from a hostile or careless world, through the real `replayer` binary
// (issue 10): URL credentials never printed or stored (item 2), plan names that would forge
// lines or escape upgrades/ (item 3), files that are FIFOs, devices or huge (item 4), a REST
// server that repeats its pagination key (item 6), heights out of range (item 13), and the
// messages that used to mislead (item 19). HTTP servers bind 127.0.0.1 on free ports.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "tests/binary-registry/test_server.h"
#include "tests/e2e/harness.h"

namespace e2e {
namespace {

namespace fs = std::filesystem;
using registry_test::Reply;
using registry_test::Request;
using registry_test::TestServer;

void WriteText(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr) << path;
  std::fputs(text.c_str(), f);
  std::fclose(f);
}

// Every file under `dir` (LevelDB logs and tables included) that contains `needle`, but the
// test's own genesis node script, which carries the plan info.
std::string FilesContaining(const std::string& dir, const std::string& needle) {
  std::string found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->path().string().find("/genesis/bin/") != std::string::npos) {
      continue;
    }
    if (registry_test::ReadFile(it->path().string()).find(needle) != std::string::npos) {
      found += it->path().string() + " ";
    }
  }
  return found;
}

// Replaces the genesis node's plan info ("from $VERSION") with `info`.
void SetGenesisInfo(TestHome& h, const std::string& info) {
  std::string path = h.home() + "/cosmovisor/genesis/bin/simd";
  std::string script = h.ReadFile("cosmovisor/genesis/bin/simd");
  size_t p = script.find("from $VERSION\\\"}");
  ASSERT_NE(p, std::string::npos);
  script.replace(p, std::string("from $VERSION").size(), info);
  WriteText(path, script);
}

// Item 2: a plan info and binary URL with user:password@ work, and the password appears in no
// log line, no `registry list`, no `status`, and in no file Replayer wrote (journal, registry
// index, the plan copy beside the binary).
TEST(Credentials, NeverPrintedNorStored) {
  TestHome h;
  std::string v2 = h.home() + "/../v2-binary";
  h.WriteNode(v2, NodeSpec{"v2"});
  std::string binary = registry_test::ReadFile(v2);
  std::string doc;
  TestServer server([&](const Request& r, int) {
    if (r.path.rfind("/v2-info.json", 0) == 0) return Reply{200, doc};
    if (r.path.rfind("/v2", 0) == 0) return Reply{200, binary};
    return Reply{404, "no"};
  });
  auto with_creds = [&](const std::string& path) {
    return "http://operator:s3cr3t-pw@127.0.0.1:" + std::to_string(server.port()) + path;
  };
  doc = "{\"binaries\":{\"linux/amd64\":\"" + with_creds("/v2") +
        "?checksum=sha256:" + registry_test::Sha256Hex(binary) + "\"}}";
  h.InitGenesis(NodeSpec{"v1", "v2", 4});
  SetGenesisInfo(h, with_creds("/v2-info.json") + "?checksum=sha256:" +
                        registry_test::Sha256Hex(doc));
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "6"},
                                    {"UNSAFE_SKIP_BACKUP", "true"},
                                    {"DAEMON_ALLOW_DOWNLOAD_BINARIES", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(r.err.find("s3cr3t"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("http://***@127.0.0.1"), std::string::npos) << r.err;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"registry", "list"}, {"registry", "list", "--json"}, {"status"}, {"status", "--json"}}) {
    auto out = h.Run(args);
    EXPECT_EQ(out.out.find("s3cr3t"), std::string::npos) << out.out;
    EXPECT_EQ(out.err.find("s3cr3t"), std::string::npos) << out.err;
  }
  EXPECT_EQ(FilesContaining(h.home() + "/cosmovisor", "s3cr3t"), "");

  // registry add with credentials: stored and listed without them; a failing URL's error too.
  auto add = h.Run({"registry", "add", with_creds("/v2") + "?checksum=sha256:" +
                                           registry_test::Sha256Hex(binary), "--name", "again"});
  EXPECT_EQ(add.exit_code, 0) << add.err;
  auto bad = h.Run({"registry", "add", with_creds("/missing") + "?checksum=sha256:" +
                                           std::string(64, 'a')});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("HTTP 404"), std::string::npos) << bad.err;
  EXPECT_EQ(add.err.find("s3cr3t") + bad.err.find("s3cr3t"), 2 * std::string::npos)
      << add.err << bad.err;
  EXPECT_EQ(FilesContaining(h.home() + "/cosmovisor", "s3cr3t"), "");
}

// Item 3 (and item 19's "File name too long"): names that forge log lines, escape upgrades/ or
// do not fit a file system are refused with a message that shows them escaped.
TEST(PlanNames, ControlCharactersDotsAndLongNamesAreRefused) {
  TestHome h;
  h.InitGenesis(NodeSpec{"v1"});
  std::string bin = h.home() + "/../v2-binary";
  h.WriteNode(bin, NodeSpec{"v2"});
  struct Case {
    std::string name, expect;
  } cases[] = {
      {"v2\nINF forged line", "plan name \"v2\\nINF forged line\" contains control characters"},
      {"v2\x1b[31m", "plan name \"v2\\x1b[31m\" contains control characters"},
      {".", "plan name \".\" is not a folder name"},
      {"..", "plan name \"..\" is not a folder name"},
      {std::string(300, 'a'), "is too long: its folder under upgrades/ would be 300 bytes"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expect);
    auto r = h.Run({"add-upgrade", c.name, bin});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("File name too long"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("\nINF forged"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  }
  EXPECT_TRUE(fs::is_empty(h.home() + "/cosmovisor/upgrades"));
  EXPECT_EQ(h.Current(), "genesis");

  // The same name written by a node: nothing switches, and the log line shows it escaped.
  WriteText(h.home() + "/data/upgrade-info.json",
            "{\"name\":\"v2\\u001b[31m\\nERR forged\",\"height\":2}");
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "3"}});
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.err.find("plan name \"v2\\x1b[31m\\nERR forged\" contains control characters"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_EQ(h.Current(), "genesis");
}

// Item 13: integers out of range are refused, not clamped or wrapped.
TEST(Heights, OutOfRangeIsRefusedNotClampedOrWrapped) {
  TestHome h;
  h.InitGenesis(NodeSpec{"v1"});
  std::string bin = h.home() + "/../v2-binary";
  h.WriteNode(bin, NodeSpec{"v2"});
  auto add = h.Run({"add-upgrade", "v2", bin, "--upgrade-height", "99999999999999999999"});
  EXPECT_EQ(add.exit_code, 2);
  EXPECT_NE(add.err.find("99999999999999999999 is out of range"), std::string::npos) << add.err;
  EXPECT_FALSE(h.Exists("data/upgrade-info.json"));
  EXPECT_FALSE(h.Exists("cosmovisor/upgrades/v2"));
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"sync", "--plans", "p.json", "--until", "-5"},
           {"sync", "--plans", "p.json", "--until", "0"},
           {"sync", "--plans", "p.json", "--until", "9223372036854775808"},
           {"sync", "--plans", "p.json", "--progress-interval", "nan"},
           {"sync", "--plans", "p.json", "--progress-interval", "inf"},
           {"status", "-n", "99999999999999999999999"}}) {
    auto r = h.Run(args);
    EXPECT_EQ(r.exit_code, 2) << args.back();
    EXPECT_NE(r.err.find(args.back() + " is "), std::string::npos) << r.err;
  }
  WriteText(h.home() + "/data/upgrade-info.json", "{\"name\":\"v2\",\"height\":9223372036854775808}");
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "3"}});
  EXPECT_NE(r.err.find("\"height\" 9223372036854775808 is out of range"), std::string::npos)
      << r.err;
  EXPECT_EQ(h.Current(), "genesis");
}

// Item 4: FIFOs, devices and huge files are refused with a message naming them; nothing hangs.
TEST(UserFiles, FifoDevicesAndHugeFilesAreRefusedWithoutHanging) {
  TestHome h;
  h.InitGenesis(NodeSpec{"v1"});
  const std::string info = h.home() + "/data/upgrade-info.json";
  const std::chrono::seconds kQuick(10);
  auto expect_refused = [&](const std::string& what) {
    SCOPED_TRACE(what);
    auto show = h.Run({"show-upgrade-info"}, {}, kQuick);
    EXPECT_FALSE(show.timed_out) << "show-upgrade-info hung";
    EXPECT_EQ(show.exit_code, 1);
    EXPECT_NE(show.err.find(info + " is " + what), std::string::npos) << show.err;
    auto status = h.Run({"status"}, {}, kQuick);
    EXPECT_FALSE(status.timed_out) << "status hung";
    EXPECT_NE(status.out.find("pending:      unreadable: " + info + " is " + what),
              std::string::npos)
        << status.out;
    auto run = h.Run({"run", "start"}, {{"STOP_AT", "3"}}, kQuick);
    EXPECT_FALSE(run.timed_out) << "run hung";
    EXPECT_NE(run.err.find(info + " is " + what), std::string::npos) << run.err;
    EXPECT_EQ(h.Current(), "genesis");
    fs::remove(info);
  };
  ASSERT_EQ(::mkfifo(info.c_str(), 0644), 0);
  expect_refused("a FIFO, not a regular file; refused");
  fs::create_symlink("/dev/zero", info);
  expect_refused("a character device, not a regular file; refused");
  WriteText(info, std::string(5 << 20, ' ') + "{\"name\":\"v2\",\"height\":5}");
  expect_refused("larger than the limit of 4194304 bytes; refused");

  const std::string fifo = h.home() + "/../a-fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  for (const auto& args : std::vector<std::vector<std::string>>{{"-c", "/dev/zero", "config"},
                                                                {"-c", fifo, "config"},
                                                                {"plans", "check", "--plans", fifo},
                                                                {"plans", "check", "--plans",
                                                                 "/dev/zero"}}) {
    auto r = h.Run(args, {}, kQuick);
    EXPECT_FALSE(r.timed_out) << args[1] << " hung";
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find(", not a regular file; refused"), std::string::npos) << r.err;
  }
}

// Item 19: messages that used to mislead.
TEST(Messages, SayWhatIsWrong) {
  TestHome h;
  h.InitGenesis(NodeSpec{"v1"});
  WriteText(h.home() + "/data/upgrade-info.json", "{\"name\": v2, \"height\": 3}");
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "3"}});
  EXPECT_NE(r.err.find("upgrade-info.json is not valid JSON (at byte 10)"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("not complete JSON yet"), std::string::npos) << r.err;
  fs::remove(h.home() + "/data/upgrade-info.json");

  const std::string dir = h.home() + "/..";
  ASSERT_EQ(registry_test::Shell("tar -czf " + dir + "/empty.tar.gz -T /dev/null"), 0);
  registry_test::WriteFile(dir + "/garbage.gz",
                           std::string("\x1f\x8b\x08\x00", 4) + "garbagegarbagegarbage");
  struct Case {
    std::string source, expect;
  } cases[] = {
      {dir + "/empty.tar.gz", "is an empty archive (tar (gzip)): it holds no files"},
      {dir + "/garbage.gz", "is neither an executable (ELF or #! script) nor an archive Replayer "
                            "can read (tar, zip, gzip/xz/bzip2 of either): "},
      {"gopher://x/y", "unsupported URL scheme \"gopher\""},
  };
  for (const auto& c : cases) {
    auto add = h.Run({"registry", "add", c.source});
    EXPECT_EQ(add.exit_code, 1) << add.err;
    EXPECT_NE(add.err.find(c.expect), std::string::npos) << add.err;
    EXPECT_EQ(add.err.find("starts with 00 00 00 00"), std::string::npos) << add.err;
    EXPECT_EQ(add.err.find("no such file"), std::string::npos) << add.err;
  }
}

// Item 6: `plans import --rest` stops on a repeated pagination.next_key and after a page
// limit, with an error naming the URL, instead of looping for ever.
TEST(RestPagination, RepeatedKeyAndEndlessPagesStop) {
  TestHome h;
  for (bool repeat : {true, false}) {
    SCOPED_TRACE(repeat ? "repeated key" : "endless pages");
    TestServer server([&](const Request&, int n) {
      std::string key = repeat ? "QUFBQQ==" : "page" + std::to_string(n);
      return Reply{200, "{\"proposals\":[],\"pagination\":{\"next_key\":\"" + key +
                            "\",\"total\":\"0\"}}"};
    });
    std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    auto r = h.Run({"plans", "import", "--rest", base, "--chain-id", "test-1"}, {},
                   std::chrono::seconds(120));
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(base + "/cosmos/gov/v1/proposals?"), std::string::npos) << r.err;
    if (repeat) {
      EXPECT_NE(r.err.find("the server repeated pagination.next_key \"QUFBQQ==\" (page 2)"),
                std::string::npos)
          << r.err;
      EXPECT_EQ(server.requests(), 2);
    } else {
      EXPECT_NE(r.err.find("still more pages after 100 "), std::string::npos) << r.err;
      EXPECT_EQ(server.requests(), 100);
    }
  }
}

}  // namespace
}  // namespace e2e
