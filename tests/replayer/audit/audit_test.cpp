// replayer::RunAudit against real loopback HTTP servers: binaries served by a scripted server
// (shell scripts, tar.gz archives, real ELF files and, when built, the real demochain
// releases), a scripted REST endpoint for applied_plan, real minisign signatures, and a real
// LevelDB cache whose second run must not send a single request.
#include "replayer/audit/audit.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "state/audit_cache.h"
#include "tests/binary-registry/test_server.h"
#include "tests/testing/temp_dir.h"
#include "upgrade-plans/plan_info.h"

namespace replayer {
namespace {

namespace fs = std::filesystem;
using registry_test::ReadFile;
using registry_test::Reply;
using registry_test::Request;
using registry_test::Sha256Hex;
using registry_test::Shell;
using registry_test::TestServer;
using registry_test::WriteFile;
using R = AuditCheck::Result;

const std::string kHost(plans::HostPlatform());

// Serves fixed bodies by path; anything else is 404.
class Files {
 public:
  void Set(const std::string& path, Reply reply) {
    std::lock_guard<std::mutex> lock(mu_);
    replies_[path] = std::move(reply);
  }
  TestServer::Handler Handler() {
    return [this](const Request& req, int) {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = replies_.find(req.path);
      return it == replies_.end() ? Reply{404, "not found"} : it->second;
    };
  }

 private:
  std::mutex mu_;
  std::map<std::string, Reply> replies_;
};

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    settings_.store_root = dir_ / "store";
    settings_.download.initial_backoff = std::chrono::milliseconds(10);
    settings_.download.max_attempts = 1;
    settings_.download.connect_timeout = std::chrono::milliseconds(2000);
    settings_.probe_timeout = std::chrono::milliseconds(5000);
  }

  static std::string Script(const std::string& version) {
    return "#!/bin/sh\necho " + version + "\n";
  }

  // A tar.gz holding `bin/<name>` (a script printing `version`) and lib/libwasmvm.so.
  std::string TarGz(const std::string& version, const std::string& name = "appd") {
    std::string src = dir_ / ("src-" + std::to_string(++made_));
    fs::create_directories(src + "/bin");
    fs::create_directories(src + "/lib");
    WriteFile(src + "/bin/" + name, Script(version), 0755);
    WriteFile(src + "/lib/libwasmvm.so", "lib");
    std::string out = src + ".tar.gz";
    EXPECT_EQ(Shell("tar -C " + src + " -czf " + out + " bin lib"), 0);
    return ReadFile(out);
  }

  // Publishes `body` at `path` and returns the spec a schedule would carry for it.
  plans::BinarySpec Publish(const std::string& path, const std::string& body,
                            const std::string& platform = kHost, bool with_checksum = true) {
    files_.Set(path, Reply{200, body});
    plans::BinarySpec spec;
    spec.platform = platform;
    spec.url = server_.Url(path);
    if (with_checksum) spec.checksum = plans::Checksum{plans::HashAlgo::kSha256, Sha256Hex(body)};
    return spec;
  }

  static plans::Segment Seg(int64_t first, plans::SwitchKind kind, const std::string& name,
                            const std::string& version, const plans::BinarySpec& spec) {
    plans::Segment s;
    s.first_height = first;
    s.kind = kind;
    s.name = name;
    s.version = version;
    s.binaries[spec.platform] = spec;
    return s;
  }

  // genesis (raw script) -> gov "v2" at 250 (tar.gz) -> halt-height "v2.1" at 500 (tar.gz).
  plans::Schedule ThreeSegments() {
    plans::Schedule s;
    s.chain_id = "test-1";
    s.daemon_name = "appd";
    s.segments.push_back(Seg(1, plans::SwitchKind::kGenesis, "genesis", "v1.0.0",
                             Publish("/v1/appd", Script("v1.0.0"))));
    s.segments.push_back(Seg(250, plans::SwitchKind::kGovernancePlan, "v2", "v2.0.0",
                             Publish("/v2/appd.tar.gz", TarGz("v2.0.0"))));
    s.segments.push_back(Seg(500, plans::SwitchKind::kHaltHeight, "v2.1", "v2.1.0",
                             Publish("/v2.1/appd.tar.gz", TarGz("v2.1.0"))));
    return s;
  }

  AuditReport Audit(const plans::Schedule& s, AuditOptions options = {},
                    state::Database* cache = nullptr) {
    auto r = RunAudit(s, options, settings_, cache);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : AuditReport{};
  }

  static const AuditCheck& Get(const AuditRow& row, const std::string& name) {
    const AuditCheck* c = row.Find(name);
    EXPECT_NE(c, nullptr) << name;
    static const AuditCheck kMissing{};
    return c ? *c : kMissing;
  }

  static bool Has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }

  testing_util::TempDir dir_{"replayer-audit"};
  Files files_;
  TestServer server_{files_.Handler()};
  registry::RegistrySettings settings_;
  int made_ = 0;
};

TEST_F(AuditTest, AllPassOnScriptsAndArchivesAndLeavesNoScratch) {
  auto schedule = ThreeSegments();
  Files rest;
  rest.Set("/cosmos/upgrade/v1beta1/applied_plan/v2", Reply{200, R"({"height":"250"})"});
  TestServer node(rest.Handler());
  AuditOptions options;
  options.rest_url = node.Url("/");
  auto report = Audit(schedule, options);
  ASSERT_EQ(report.rows.size(), 3u);
  EXPECT_TRUE(report.ok()) << FormatAuditTable(report);
  for (const auto& row : report.rows) {
    ASSERT_EQ(row.checks.size(), 8u);
    EXPECT_EQ(row.platform, kHost);
    for (const char* name : {"info", "url", "checksum", "archive", "elf", "version"}) {
      EXPECT_EQ(Get(row, name).result, R::kPass) << row.label << " " << name << ": "
                                                 << Get(row, name).detail;
    }
    EXPECT_EQ(Get(row, "signature").result, R::kSkip);
  }
  EXPECT_EQ(Get(report.rows[0], "height").result, R::kSkip);
  EXPECT_EQ(Get(report.rows[1], "height").result, R::kPass);
  EXPECT_EQ(Get(report.rows[2], "height").result, R::kSkip);
  EXPECT_TRUE(Has(Get(report.rows[1], "archive").detail, "tar")) << Get(report.rows[1], "archive").detail;
  EXPECT_TRUE(Has(Get(report.rows[1], "archive").detail, "(gzip), 1 library"));
  EXPECT_TRUE(Has(Get(report.rows[0], "elf").detail, "script"));
  EXPECT_TRUE(Has(Get(report.rows[1], "checksum").detail, "sha256 matches"));
  EXPECT_EQ(Get(report.rows[2], "version").detail, "v2.1.0");
  EXPECT_EQ(report.artifacts, 3u);
  EXPECT_EQ(report.downloaded, 3u);
  EXPECT_EQ(server_.requests(), 3);
  EXPECT_EQ(node.requests(), 1);
  // Nothing but the (empty) scratch parent is left in the store.
  for (const auto& e : fs::recursive_directory_iterator(settings_.store_root)) {
    EXPECT_TRUE(e.is_directory()) << "left behind: " << e.path();
  }

  std::string table = FormatAuditTable(report);
  EXPECT_TRUE(Has(table, "SEGMENT")) << table;
  EXPECT_TRUE(Has(table, "3 rows: 3 ok, 0 failed")) << table;
  EXPECT_FALSE(Has(table, "failures:")) << table;
  // Aligned: every row's INFO cell starts where the header's does.
  size_t col = table.find("INFO");
  std::istringstream lines(table);
  std::string line;
  for (int i = 0; i < 4 && std::getline(lines, line); ++i) {
    EXPECT_EQ(line.substr(col, 4), i == 0 ? "INFO" : "PASS") << table;
  }
  auto json = nlohmann::json::parse(FormatAuditJson(report));
  EXPECT_TRUE(json["ok"].get<bool>());
  EXPECT_EQ(json["rows"][1]["checks"]["height"]["result"], "pass");
  EXPECT_EQ(json["rows"][1]["first_height"], 250);
}

TEST_F(AuditTest, WrongChecksumFailsWithBothDigestsAndIsNotRun) {
  auto schedule = ThreeSegments();
  std::string wrong(64, 'e');
  schedule.segments[1].binaries[kHost].checksum->hex = wrong;
  auto report = Audit(schedule);
  EXPECT_FALSE(report.ok());
  const auto& row = report.rows[1];
  EXPECT_EQ(Get(row, "checksum").result, R::kFail);
  std::string actual = Sha256Hex(ReadFile(dir_ / "src-1.tar.gz"));
  EXPECT_TRUE(Has(Get(row, "checksum").detail, "expected " + wrong)) << Get(row, "checksum").detail;
  EXPECT_TRUE(Has(Get(row, "checksum").detail, "got " + actual)) << Get(row, "checksum").detail;
  EXPECT_EQ(Get(row, "version").result, R::kSkip);
  EXPECT_TRUE(Has(Get(row, "version").detail, "checksum does not match"));
  EXPECT_TRUE(report.rows[0].ok());
  EXPECT_TRUE(report.rows[2].ok());
  std::string table = FormatAuditTable(report);
  EXPECT_TRUE(Has(table, "failures:\n  segments[1] \"v2\" " + kHost + " checksum: sha256 expected "))
      << table;
}

TEST_F(AuditTest, MissingChecksumFailsWhenRequiredAndWarnsOtherwise) {
  plans::Schedule s;
  s.daemon_name = "appd";
  s.segments.push_back(Seg(1, plans::SwitchKind::kGenesis, "genesis", "v1.0.0",
                           Publish("/v1/appd", Script("v1.0.0"), kHost, false)));
  auto report = Audit(s);
  const auto& c = Get(report.rows[0], "checksum");
  EXPECT_EQ(c.result, R::kFail);
  EXPECT_TRUE(Has(c.detail, "DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM")) << c.detail;
  EXPECT_TRUE(Has(c.detail, "sha256:" + Sha256Hex(Script("v1.0.0")))) << c.detail;
  EXPECT_EQ(Get(report.rows[0], "url").result, R::kPass);
  EXPECT_EQ(Get(report.rows[0], "version").result, R::kSkip);  // unverified: never executed

  settings_.must_have_checksum = false;
  report = Audit(s);
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(Get(report.rows[0], "checksum").result, R::kWarn);
  EXPECT_EQ(Get(report.rows[0], "version").result, R::kPass);
  EXPECT_TRUE(Has(FormatAuditTable(report), "warnings:"));
}

TEST_F(AuditTest, UrlErrorsNameTheHttpStatus) {
  auto schedule = ThreeSegments();
  files_.Set("/v2/appd.tar.gz", Reply{500, "boom"});
  schedule.segments[2].binaries[kHost].url = server_.Url("/gone/appd.tar.gz");
  auto report = Audit(schedule);
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(report.rows[0].ok());
  for (size_t i : {1, 2}) {
    const auto& url = Get(report.rows[i], "url");
    EXPECT_EQ(url.result, R::kFail);
    EXPECT_TRUE(Has(url.detail, i == 1 ? "HTTP 500" : "HTTP 404")) << url.detail;
    EXPECT_EQ(Get(report.rows[i], "archive").result, R::kSkip);
    EXPECT_EQ(Get(report.rows[i], "version").result, R::kSkip);
  }
}

TEST_F(AuditTest, MissingPlatformFailsNamingIt) {
  auto schedule = ThreeSegments();
  AuditOptions options;
  options.platforms = {kHost, "linux/riscv64"};
  auto report = Audit(schedule, options);
  ASSERT_EQ(report.rows.size(), 6u);
  EXPECT_TRUE(report.rows[0].ok());
  const auto& other = report.rows[1];
  EXPECT_EQ(other.platform, "linux/riscv64");
  EXPECT_EQ(Get(other, "info").result, R::kFail);
  EXPECT_TRUE(Has(Get(other, "info").detail, "linux/riscv64")) << Get(other, "info").detail;
  EXPECT_EQ(Get(other, "url").result, R::kSkip);
  EXPECT_EQ(report.artifacts, 3u);  // nothing extra fetched for the missing platform

  auto bad = RunAudit(schedule, AuditOptions{{"amd64"}, "", true, 4, nullptr}, settings_, nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().Is(base::Status::Code::kInvalidArgument));
}

TEST_F(AuditTest, ElfArchitectureIsCheckedPerPlatform) {
  // A real ELF executable of this host, published for the host and (wrongly) for arm64 too.
  std::string elf = ReadFile("/bin/true");
  plans::Schedule s;
  s.daemon_name = "appd";
  auto spec = Publish("/elf/appd", elf);
  s.segments.push_back(Seg(1, plans::SwitchKind::kGenesis, "genesis", "", spec));
  std::string other = kHost == "linux/arm64" ? "linux/amd64" : "linux/arm64";
  spec.platform = other;
  s.segments[0].binaries[other] = spec;
  AuditOptions options;
  options.platforms = {kHost, other};
  auto report = Audit(s, options);
  ASSERT_EQ(report.rows.size(), 2u);
  EXPECT_EQ(Get(report.rows[0], "elf").result, R::kPass);
  EXPECT_EQ(Get(report.rows[0], "elf").detail, "ELF " + kHost);
  EXPECT_EQ(Get(report.rows[0], "version").result, R::kSkip);  // no expected version
  EXPECT_EQ(Get(report.rows[1], "elf").result, R::kFail);
  EXPECT_TRUE(Has(Get(report.rows[1], "elf").detail, "not for " + other))
      << Get(report.rows[1], "elf").detail;
  EXPECT_FALSE(Has(Get(report.rows[1], "elf").detail, settings_.store_root));
  EXPECT_TRUE(Has(Get(report.rows[1], "version").detail, "host platform"));
  EXPECT_EQ(server_.requests(), 1);  // one artefact, downloaded once for both rows
}

TEST_F(AuditTest, OtherOperatingSystemsAreNotJudgedByElfRules) {
  plans::Schedule s;
  s.daemon_name = "appd";
  std::string macho("\xcf\xfa\xed\xfe\x07\x00\x00\x01", 8);
  macho += std::string(64, '\0');
  s.segments.push_back(Seg(1, plans::SwitchKind::kGenesis, "genesis", "v1.0.0",
                           Publish("/mac/appd", macho, "darwin/arm64")));
  s.segments[0].binaries[kHost] = Publish("/linux/appd", Script("v1.0.0"));
  s.segments.push_back(Seg(10, plans::SwitchKind::kGovernancePlan, "v2", "v2.0.0",
                           Publish("/elf-for-mac/appd", ReadFile("/bin/true"), "darwin/arm64")));
  s.segments[1].binaries[kHost] = Publish("/linux2/appd", Script("v2.0.0"));
  AuditOptions options;
  options.platforms = {kHost, "darwin/arm64", kHost};  // the repeated platform counts once
  auto report = Audit(s, options);
  ASSERT_EQ(report.rows.size(), 4u);
  EXPECT_TRUE(report.rows[0].ok());
  EXPECT_EQ(Get(report.rows[1], "archive").detail, "raw (Mach-O)");
  EXPECT_EQ(Get(report.rows[1], "elf").result, R::kSkip) << Get(report.rows[1], "elf").detail;
  EXPECT_EQ(Get(report.rows[1], "version").result, R::kSkip);
  EXPECT_TRUE(report.rows[1].ok()) << FormatAuditTable(report);
  EXPECT_EQ(Get(report.rows[3], "elf").result, R::kFail);
  EXPECT_TRUE(Has(Get(report.rows[3], "elf").detail, "not an executable for darwin/arm64"));
}

TEST_F(AuditTest, ArchiveWithoutTheDaemonFails) {
  plans::Schedule s;
  s.daemon_name = "appd";
  s.segments.push_back(Seg(1, plans::SwitchKind::kGenesis, "genesis", "v1.0.0",
                           Publish("/x.tar.gz", TarGz("v1.0.0", "otherd"))));
  auto report = Audit(s);
  const auto& row = report.rows[0];
  EXPECT_EQ(Get(row, "archive").result, R::kFail);
  EXPECT_TRUE(Has(Get(row, "archive").detail, "appd")) << Get(row, "archive").detail;
  EXPECT_FALSE(Has(Get(row, "archive").detail, settings_.store_root)) << Get(row, "archive").detail;
  EXPECT_EQ(Get(row, "elf").result, R::kSkip);
  EXPECT_EQ(Get(row, "checksum").result, R::kPass);
}

TEST_F(AuditTest, VersionMismatchFailsQuotingBoth) {
  auto schedule = ThreeSegments();
  schedule.segments[2].version = "v2.2.0";
  auto report = Audit(schedule);
  const auto& v = Get(report.rows[2], "version");
  EXPECT_EQ(v.result, R::kFail);
  EXPECT_TRUE(Has(v.detail, "expected v2.2.0")) << v.detail;
  EXPECT_TRUE(Has(v.detail, "\"v2.1.0\"")) << v.detail;
  EXPECT_TRUE(report.rows[1].ok()) << FormatAuditTable(report);
}

TEST_F(AuditTest, WrongOrMissingAppliedHeightFailsNamingBoth) {
  auto schedule = ThreeSegments();
  plans::Segment v3 = Seg(750, plans::SwitchKind::kGovernancePlan, "v3", "v3.0.0",
                          Publish("/v3/appd", Script("v3.0.0")));
  schedule.segments.push_back(v3);
  Files rest;
  rest.Set("/cosmos/upgrade/v1beta1/applied_plan/v2", Reply{200, R"({"height":"251"})"});
  rest.Set("/cosmos/upgrade/v1beta1/applied_plan/v3", Reply{200, R"({"height":"0"})"});
  TestServer node(rest.Handler());
  AuditOptions options;
  options.rest_url = node.Url("");
  auto report = Audit(schedule, options);
  EXPECT_FALSE(report.ok());
  const auto& v2 = Get(report.rows[1], "height");
  EXPECT_EQ(v2.result, R::kFail);
  EXPECT_EQ(v2.detail, "schedule says 250, chain applied \"v2\" at 251");
  const auto& v3h = Get(report.rows[3], "height");
  EXPECT_EQ(v3h.result, R::kFail);
  EXPECT_TRUE(Has(v3h.detail, "750")) << v3h.detail;
  EXPECT_TRUE(Has(v3h.detail, "applied height 0")) << v3h.detail;
  EXPECT_EQ(Get(report.rows[2], "height").result, R::kSkip);  // halt-height: no plan
  EXPECT_EQ(node.requests(), 2);
  // With two platforms the rows double, but each segment's height is listed once.
  options.platforms = {kHost, "linux/riscv64"};
  std::string table = FormatAuditTable(Audit(schedule, options));
  EXPECT_TRUE(Has(table, "  segments[1] \"v2\" height: schedule says 250")) << table;
  EXPECT_EQ(table.find("height: schedule says 250"), table.rfind("height: schedule says 250"));
  EXPECT_EQ(node.requests(), 4);
}

TEST_F(AuditTest, SecondRunIsServedFromTheCacheWithoutAnyRequest) {
  auto schedule = ThreeSegments();
  auto db = state::Database::Open(dir_ / "cache");
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto first = Audit(schedule, {}, db->get());
  EXPECT_TRUE(first.ok());
  EXPECT_EQ(first.downloaded, 3u);
  int requests = server_.requests();
  EXPECT_EQ(requests, 3);

  auto second = Audit(schedule, {}, db->get());
  EXPECT_TRUE(second.ok()) << FormatAuditTable(second);
  EXPECT_EQ(server_.requests(), requests);  // nothing downloaded
  EXPECT_EQ(second.from_cache, 3u);
  EXPECT_EQ(second.downloaded, 0u);
  EXPECT_TRUE(Has(Get(second.rows[1], "url").detail, "(cached)"));
  EXPECT_EQ(Get(second.rows[2], "version").result, R::kPass);

  // An edited schedule is judged again from the same facts, still without a request.
  schedule.segments[2].version = "v9.9.9";
  auto third = Audit(schedule, {}, db->get());
  EXPECT_EQ(Get(third.rows[2], "version").result, R::kFail);
  EXPECT_EQ(server_.requests(), requests);

  // A new artefact is fetched, the others still come from the cache; --no-cache refetches all.
  schedule.segments[2].binaries[kHost] = Publish("/v2.1b/appd", Script("v2.1.0"));
  schedule.segments[2].version = "v2.1.0";
  auto fourth = Audit(schedule, {}, db->get());
  EXPECT_TRUE(fourth.ok());
  EXPECT_EQ(server_.requests(), requests + 1);
  AuditOptions no_cache;
  no_cache.use_cache = false;
  auto fifth = Audit(schedule, no_cache, db->get());
  EXPECT_EQ(fifth.from_cache, 0u);
  EXPECT_EQ(server_.requests(), requests + 4);
}

TEST_F(AuditTest, WrongChecksumIsNeverCached) {
  auto schedule = ThreeSegments();
  schedule.segments[0].binaries[kHost].checksum->hex = std::string(64, 'a');
  auto db = state::Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  Audit(schedule, {}, db->get());
  int before = server_.requests();
  auto again = Audit(schedule, {}, db->get());
  EXPECT_EQ(again.from_cache, 2u);
  EXPECT_EQ(server_.requests(), before + 1);  // the mismatching artefact is fetched again
  EXPECT_EQ(Get(again.rows[0], "checksum").result, R::kFail);
}

TEST(AuditCacheTest, RoundTripsAndReportsUnreadableRecords) {
  auto db = state::Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  state::AuditCache cache(**db);
  std::string key = state::AuditCache::Key("appd", "http://h/a", "sha256:ab");
  auto none = cache.Get(key);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  state::AuditFacts f;
  f.url = "http://h/a";
  f.checksum = "sha256:ab";
  f.sha256 = "ab";
  f.size = 12;
  f.http_status = 200;
  f.archive = {true, "raw"};
  f.formats["linux/amd64"] = {true, "ELF linux/amd64"};
  f.formats["linux/arm64"] = {false, "not for linux/arm64"};
  f.version = state::AuditVerdict{true, "v1.0.0"};
  f.signatures["http://h/a.minisig K1"] = {false, "unknown key"};
  f.checked_ms = 42;
  ASSERT_TRUE(cache.Put(key, f).ok());
  auto got = cache.Get(key);
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status().message();
  EXPECT_EQ(**got, f);
  // Another daemon, URL or checksum is another record.
  EXPECT_FALSE(cache.Get(state::AuditCache::Key("otherd", "http://h/a", "sha256:ab"))->has_value());
  ASSERT_TRUE((*db)->Put(key, "{not json").ok());
  auto bad = cache.Get(key);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().Is(base::Status::Code::kCorruption));
}

TEST_F(AuditTest, UnreadableCacheRecordIsCheckedAgain) {
  auto schedule = ThreeSegments();
  auto db = state::Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  Audit(schedule, {}, db->get());
  const auto& spec = schedule.segments[0].binaries[kHost];
  ASSERT_TRUE((*db)->Put(state::AuditCache::Key("appd", spec.url, plans::FormatChecksum(*spec.checksum)),
                         "garbage").ok());
  int before = server_.requests();
  auto again = Audit(schedule, {}, db->get());
  EXPECT_TRUE(again.ok()) << FormatAuditTable(again);
  EXPECT_EQ(again.from_cache, 2u);
  EXPECT_EQ(server_.requests(), before + 1);
  auto third = Audit(schedule, {}, db->get());  // and recorded afresh
  EXPECT_EQ(third.from_cache, 3u);
}

TEST_F(AuditTest, SignaturesGoodBadAndUnknownKey) {
  if (Shell("command -v minisign >/dev/null") != 0) GTEST_SKIP() << "minisign not installed";
  std::string keys = dir_ / "keys";
  fs::create_directories(keys);
  ASSERT_EQ(Shell("cd " + keys + " && minisign -G -W -p a.pub -s a.key >/dev/null && "
                  "minisign -G -W -p b.pub -s b.key >/dev/null"), 0);
  auto schedule = ThreeSegments();
  // Segment 0 signed with the trusted key, segment 1 with another key, segment 2's signature
  // is of different content.
  auto sign = [&](const std::string& body, const std::string& key) {
    std::string f = dir_ / "to-sign";
    WriteFile(f, body);
    EXPECT_EQ(Shell("minisign -S -s " + keys + "/" + key + " -m " + f + " >/dev/null"), 0);
    return ReadFile(f + ".minisig");
  };
  files_.Set("/sig/0", Reply{200, sign(Script("v1.0.0"), "a.key")});
  files_.Set("/sig/1", Reply{200, sign(ReadFile(dir_ / "src-1.tar.gz"), "b.key")});
  files_.Set("/sig/2", Reply{200, sign("something else", "a.key")});
  for (size_t i = 0; i < 3; ++i) {
    schedule.segments[i].signatures[kHost] = server_.Url("/sig/" + std::to_string(i));
  }
  auto unsigned_report = Audit(schedule);
  EXPECT_TRUE(Has(Get(unsigned_report.rows[0], "signature").detail, "no trusted keys"));

  settings_.trusted_keys = {ReadFile(keys + "/a.pub")};
  auto report = Audit(schedule);
  EXPECT_EQ(Get(report.rows[0], "signature").result, R::kPass);
  EXPECT_TRUE(Has(Get(report.rows[0], "signature").detail, "good signature by key"));
  EXPECT_EQ(Get(report.rows[1], "signature").result, R::kFail);
  EXPECT_TRUE(Has(Get(report.rows[1], "signature").detail, "unknown key"))
      << Get(report.rows[1], "signature").detail;
  EXPECT_EQ(Get(report.rows[2], "signature").result, R::kFail);
  EXPECT_TRUE(Has(Get(report.rows[2], "signature").detail, "bad signature"))
      << Get(report.rows[2], "signature").detail;
  EXPECT_FALSE(Has(Get(report.rows[2], "signature").detail, settings_.store_root));
}

#ifdef DEMOCHAIN_BIN_DIR
TEST_F(AuditTest, RealDemochainReleasesPass) {
  const std::string bin = DEMOCHAIN_BIN_DIR;
  if (!fs::exists(bin + "/demochaind-v3.0.0")) GTEST_SKIP() << "demochain not built in " << bin;
  if (kHost != "linux/amd64" && kHost != "linux/arm64") GTEST_SKIP();
  plans::Schedule s;
  s.chain_id = "demochain-1";
  s.daemon_name = "demochaind";
  const std::vector<std::tuple<int64_t, plans::SwitchKind, std::string, std::string>> segs = {
      {1, plans::SwitchKind::kGenesis, "genesis", "v1.0.0"},
      {250, plans::SwitchKind::kGovernancePlan, "v2", "v2.0.0"},
      {500, plans::SwitchKind::kHaltHeight, "v2.1.0", "v2.1.0"},
      {750, plans::SwitchKind::kGovernancePlan, "v3", "v3.0.0"}};
  for (const auto& [first, kind, name, version] : segs) {
    std::string body = ReadFile(bin + "/demochaind-" + version);
    s.segments.push_back(Seg(first, kind, name, version, Publish("/demochaind-" + version, body)));
  }
  auto report = Audit(s);
  EXPECT_TRUE(report.ok()) << FormatAuditTable(report);
  EXPECT_EQ(Get(report.rows[3], "elf").detail, "ELF " + kHost);
  EXPECT_EQ(Get(report.rows[3], "version").detail, "v3.0.0");
  // v2.0.0 where v2.1.0 belongs is caught by its own `version` output.
  s.segments[2].binaries = s.segments[1].binaries;
  report = Audit(s);
  EXPECT_EQ(Get(report.rows[2], "version").result, R::kFail) << FormatAuditTable(report);
}
#endif

}  // namespace
}  // namespace replayer
