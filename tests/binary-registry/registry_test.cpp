#include "binary-registry/registry.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>

#include "tests/binary-registry/test_server.h"
#include "tests/testing/temp_dir.h"
#include "upgrade-plans/plan_info.h"
#include "upgrade-plans/upgrade_info.h"

namespace registry {
namespace {

namespace fs = std::filesystem;
using registry_test::ReadFile;
using registry_test::Reply;
using registry_test::Request;
using registry_test::Shell;
using registry_test::Sha256Hex;
using registry_test::TestServer;
using registry_test::WriteFile;

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_ / "home";
    fs::create_directories(home_ + "/cosmovisor/genesis/bin");
    settings_.store_root = DefaultStoreRoot(home_);
    settings_.download.initial_backoff = std::chrono::milliseconds(20);
    settings_.download.max_attempts = 2;
    settings_.download.connect_timeout = std::chrono::milliseconds(2000);
  }

  // A tar.gz with bin/appd (a script printing `version`) and lib/libwasmvm.so; returns its bytes.
  std::string MakeArtifact(const std::string& version, const std::string& tag = "a") {
    std::string src = dir_ / ("src-" + tag);
    fs::create_directories(src + "/bin");
    fs::create_directories(src + "/lib");
    WriteFile(src + "/bin/appd", "#!/bin/sh\necho " + version + "\n", 0755);
    WriteFile(src + "/lib/libwasmvm.so", "lib " + tag);
    std::string out = dir_ / ("appd-" + tag + ".tar.gz");
    EXPECT_EQ(Shell("tar -C " + src + " -czf " + out + " bin lib"), 0);
    return ReadFile(out);
  }

  EnsureRequest Req(const std::string& info, const std::string& plan = "v2") {
    EnsureRequest r;
    r.daemon_home = home_;
    r.daemon_name = "appd";
    r.upgrade_dir = plans::UpgradeDirName(plan, false);
    r.plan_name = plan;
    r.plan_info = info;
    return r;
  }

  static std::string InlineInfo(const std::string& url) {
    return R"({"binaries":{"any":")" + url + R"("}})";
  }

  std::string UpgradeBin(const std::string& dir = "v2") const {
    return home_ + "/cosmovisor/upgrades/" + dir + "/bin/appd";
  }

  // Nothing but what the test created exists under upgrades/ (no staging, no half folder).
  void ExpectNothingInstalled() {
    EXPECT_FALSE(fs::exists(UpgradeBin()));
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(home_ + "/cosmovisor/upgrades", ec)) {
      ADD_FAILURE() << "left behind: " << e.path();
    }
  }

  testing_util::TempDir dir_{"replayer-registry"};
  std::string home_;
  RegistrySettings settings_;
};

TEST_F(RegistryTest, InstallsFromInlinePlanInfoAndRecordsIt) {
  std::string art = MakeArtifact("v2.0.0");
  TestServer server([&](const Request&, int) { return Reply{200, art}; });
  std::string url = server.Url("/appd.tar.gz") + "?checksum=sha256:" + Sha256Hex(art);
  auto req = Req(InlineInfo(url));
  req.expected_version = "2.0.0";
  auto r = EnsureUpgradeBinary(req, settings_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->downloaded);
  EXPECT_EQ(r->binary, UpgradeBin());
  EXPECT_EQ(r->version_output, "v2.0.0");
  EXPECT_EQ(access(UpgradeBin().c_str(), X_OK), 0);
  EXPECT_TRUE(fs::exists(home_ + "/cosmovisor/upgrades/v2/lib/libwasmvm.so"));
  auto list = List(settings_);
  ASSERT_TRUE(list.ok()) << list.status().message();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].entry.sha256, Sha256Hex(art));
  EXPECT_EQ((*list)[0].names, std::vector<std::string>{"v2 (any)"});
  EXPECT_EQ((*list)[0].entry.sources.at(0), server.Url("/appd.tar.gz"));
  EXPECT_NE(ListToJson(*list).find(Sha256Hex(art)), std::string::npos);
  auto again = EnsureUpgradeBinary(req, settings_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_present);
  EXPECT_EQ(server.requests(), 1);
}

TEST_F(RegistryTest, WrongChecksumInstallsNothingAndSaysWhy) {
  std::string art = MakeArtifact("v2.0.0");
  TestServer server([&](const Request&, int) { return Reply{200, art}; });
  std::string wrong(64, 'e');
  auto r = EnsureUpgradeBinary(Req(InlineInfo(server.Url("/appd.tar.gz") + "?checksum=" + wrong)),
                               settings_);
  ASSERT_FALSE(r.ok());
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("upgrade v2"), std::string::npos) << m;
  EXPECT_NE(m.find(server.Url("/appd.tar.gz")), std::string::npos) << m;
  EXPECT_NE(m.find("expected sha256:" + wrong), std::string::npos) << m;
  EXPECT_NE(m.find("got sha256:" + Sha256Hex(art)), std::string::npos) << m;
  ExpectNothingInstalled();
}

TEST_F(RegistryTest, HttpErrorIsNamed) {
  TestServer server([&](const Request&, int) { return Reply{404, ""}; });
  auto r = EnsureUpgradeBinary(
      Req(InlineInfo(server.Url("/gone.tar.gz") + "?checksum=" + std::string(64, 'a'))), settings_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("HTTP 404"), std::string::npos);
  EXPECT_NE(r.status().message().find("/gone.tar.gz"), std::string::npos);
  ExpectNothingInstalled();
}

TEST_F(RegistryTest, ChecksumIsRequiredByDefault) {
  std::string art = MakeArtifact("v2.0.0");
  WriteFile(dir_ / "local.tar.gz", art);
  auto r = EnsureUpgradeBinary(Req(InlineInfo("file://" + dir_ / "local.tar.gz")), settings_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("carries no checksum"), std::string::npos);
  ExpectNothingInstalled();
  settings_.must_have_checksum = false;
  auto ok = EnsureUpgradeBinary(Req(InlineInfo("file://" + dir_ / "local.tar.gz")), settings_);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
}

TEST_F(RegistryTest, HttpsWithTheConfiguredCaBundle) {
  auto pki = registry_test::MakeTestPki(dir_.path());
  std::string art = MakeArtifact("v2.0.0");
  TestServer server([&](const Request&, int) { return Reply{200, art}; }, pki.server_cert,
                    pki.server_key);
  auto req = Req(InlineInfo(server.Url("/a.tar.gz") + "?checksum=" + Sha256Hex(art)));
  auto refused = EnsureUpgradeBinary(req, settings_);  // throwaway CA not trusted yet
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("curl 60"), std::string::npos)
      << refused.status().message();
  ExpectNothingInstalled();
  settings_.download.ca_bundle = pki.ca_pem;
  auto r = EnsureUpgradeBinary(req, settings_);
  ASSERT_TRUE(r.ok()) << r.status().message();
}

TEST_F(RegistryTest, InterruptedDownloadIsResumedByTheNextAttempt) {
  std::string art = MakeArtifact("v2.0.0");
  art += std::string(300000, '\0');  // gzip ignores trailing zeros; makes the body worth resuming
  TestServer server([&](const Request&, int n) {
    Reply r{200, art};
    if (n == 1) r.truncate_at = art.size() / 2;
    return r;
  });
  settings_.download.max_attempts = 1;  // the first Ensure gives up, like a killed process
  auto req = Req(InlineInfo(server.Url("/a.tar.gz") + "?checksum=" + Sha256Hex(art)));
  auto first = EnsureUpgradeBinary(req, settings_);
  ASSERT_FALSE(first.ok());
  ExpectNothingInstalled();
  auto second = EnsureUpgradeBinary(req, settings_);
  ASSERT_TRUE(second.ok()) << second.status().message();
  auto seen = server.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].headers["range"], "bytes=" + std::to_string(art.size() / 2) + "-");
}

TEST_F(RegistryTest, StaleUpgradeFolderDoesNotBlock) {
  std::string art = MakeArtifact("v2.0.0");
  fs::create_directories(home_ + "/cosmovisor/upgrades/v2/junk");  // Cosmovisor's half download
  fs::create_directories(home_ + "/cosmovisor/upgrades/.replayer-staging-v2-999/bin");  // our crash
  TestServer server([&](const Request&, int) { return Reply{200, art}; });
  auto r = EnsureUpgradeBinary(
      Req(InlineInfo(server.Url("/a.tar.gz") + "?checksum=" + Sha256Hex(art))), settings_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(fs::exists(UpgradeBin()));
  EXPECT_FALSE(fs::exists(home_ + "/cosmovisor/upgrades/.replayer-staging-v2-999"));
  bool aside = false;
  for (const auto& e : fs::directory_iterator(home_ + "/cosmovisor/upgrades")) {
    aside |= e.path().filename().string().rfind(".replayer-stale-v2-", 0) == 0;
  }
  EXPECT_TRUE(aside);
}

TEST_F(RegistryTest, StoreServesASecondHomeWithoutNetwork) {
  std::string art = MakeArtifact("v2.0.0");
  std::string info;
  {
    TestServer server([&](const Request&, int) { return Reply{200, art}; });
    info = InlineInfo(server.Url("/a.tar.gz") + "?checksum=" + Sha256Hex(art));
    ASSERT_TRUE(EnsureUpgradeBinary(Req(info), settings_).ok());
  }
  std::string other = dir_ / "home2";
  auto req = Req(info);
  req.daemon_home = other;
  auto r = EnsureUpgradeBinary(req, settings_);  // same store root, server gone
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->downloaded);
  EXPECT_TRUE(fs::exists(other + "/cosmovisor/upgrades/v2/bin/appd"));
}

TEST_F(RegistryTest, PlanInfoAsAUrlToADocument) {
  std::string art = MakeArtifact("v2.0.0");
  std::string doc;
  TestServer server([&](const Request& q, int) {
    return q.path == "/info.json" ? Reply{200, doc} : Reply{200, art};
  });
  doc = InlineInfo(server.Url("/a.tar.gz") + "?checksum=" + Sha256Hex(art));
  auto r = EnsureUpgradeBinary(Req(server.Url("/info.json") + "?checksum=" + Sha256Hex(doc)),
                               settings_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto unchecked = EnsureUpgradeBinary(Req(server.Url("/info.json"), "v3"), settings_);
  ASSERT_FALSE(unchecked.ok());
  EXPECT_NE(unchecked.status().message().find("plan info URL"), std::string::npos);
}

TEST_F(RegistryTest, PlanWithoutBinaryUsesTheRegistryName) {
  auto none = EnsureUpgradeBinary(Req("see the forum post"), settings_);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("plan v2 carries no binary"), std::string::npos);
  EXPECT_NE(none.status().message().find("registry add"), std::string::npos);
  std::string art = MakeArtifact("v2.0.0");
  WriteFile(dir_ / "mine.tar.gz", art);
  AddOptions add;
  add.source = dir_ / "mine.tar.gz";
  add.name = "v2";
  add.daemon_name = "appd";
  auto added = Add(add, settings_);
  ASSERT_TRUE(added.ok()) << added.status().message();
  EXPECT_EQ(added->platform, "any");
  auto r = EnsureUpgradeBinary(Req("see the forum post"), settings_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->downloaded);
  EXPECT_TRUE(fs::exists(UpgradeBin()));
}

TEST_F(RegistryTest, VersionMismatchInstallsNothing) {
  std::string art = MakeArtifact("v2.0.1");
  TestServer server([&](const Request&, int) { return Reply{200, art}; });
  auto req = Req(InlineInfo(server.Url("/a.tar.gz") + "?checksum=" + Sha256Hex(art)));
  req.expected_version = "v2.0.0";
  auto r = EnsureUpgradeBinary(req, settings_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("expected version v2.0.0"), std::string::npos)
      << r.status().message();
  ExpectNothingInstalled();
}

class RegistrySignatureTest : public RegistryTest {
 protected:
  void SetUp() override {
    RegistryTest::SetUp();
    ASSERT_EQ(Shell("minisign -G -W -p " + dir_ / "good.pub" + " -s " + dir_ / "good.sec"), 0);
    ASSERT_EQ(Shell("minisign -G -W -p " + dir_ / "other.pub" + " -s " + dir_ / "other.sec"), 0);
    settings_.trusted_keys = {ReadFile(dir_ / "good.pub")};
    art_ = MakeArtifact("v2.0.0");
    WriteFile(dir_ / "art", art_);
  }
  std::string SignWith(const std::string& key) {
    EXPECT_EQ(Shell("minisign -S -s " + dir_ / (key + ".sec") + " -m " + dir_ / "art" + " -x " +
                  dir_ / "art.minisig"),
              0);
    return ReadFile(dir_ / "art.minisig");
  }
  base::Result<EnsureResult> EnsureWithSignature(const std::string& sig) {
    TestServer server([&](const Request& q, int) {
      if (q.path == "/a.tar.gz.minisig") return sig.empty() ? Reply{404, ""} : Reply{200, sig};
      return Reply{200, art_};
    });
    return EnsureUpgradeBinary(
        Req(InlineInfo(server.Url("/a.tar.gz") + "?checksum=" + Sha256Hex(art_))), settings_);
  }
  std::string art_;
};

TEST_F(RegistrySignatureTest, GoodSignatureIsRecorded) {
  auto r = EnsureWithSignature(SignWith("good"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->signature, state::SignatureStatus::kVerified);
  auto list = List(settings_);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->at(0).entry.signature, state::SignatureStatus::kVerified);
  EXPECT_EQ(list->at(0).entry.signer_key_id, r->signer_key_id);
}

TEST_F(RegistrySignatureTest, BadSignatureInstallsNothing) {
  std::string sig = SignWith("good");
  WriteFile(dir_ / "art", art_ + "x");
  sig = SignWith("good");  // a valid signature of other content
  auto r = EnsureWithSignature(sig);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("does not verify"), std::string::npos)
      << r.status().message();
  ExpectNothingInstalled();
}

TEST_F(RegistrySignatureTest, UnknownKeyInstallsNothing) {
  auto r = EnsureWithSignature(SignWith("other"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unknown key"), std::string::npos);
  ExpectNothingInstalled();
}

TEST_F(RegistrySignatureTest, MissingSignatureWhenRequired) {
  settings_.require_signature = true;
  auto r = EnsureWithSignature("");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("HTTP 404"), std::string::npos) << r.status().message();
  ExpectNothingInstalled();
  settings_.require_signature = false;
  auto ok = EnsureWithSignature("");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->signature, state::SignatureStatus::kNone);
}

TEST_F(RegistryTest, MirrorServesPlansAndArtefactsWithRanges) {
  std::string a = MakeArtifact("v2.0.0", "a");
  std::string b = MakeArtifact("v3.0.0", "b");
  for (auto [file, name] : {std::pair{"appd-a.tar.gz", "v2"}, std::pair{"appd-b.tar.gz", "v3"}}) {
    AddOptions add;
    add.source = dir_ / file;
    add.name = name;
    add.daemon_name = "appd";
    ASSERT_TRUE(Add(add, settings_).ok());
  }
  auto mirror = StartMirror(MirrorOptions{}, settings_);
  ASSERT_TRUE(mirror.ok()) << mirror.status().message();
  std::string base = "http://127.0.0.1:" + std::to_string((*mirror)->port());
  DownloadOptions o = settings_.download;
  o.allow_http_without_checksum = true;
  Downloader d(o);
  auto plan = d.FetchText(base + "/plans/v3.json", std::nullopt);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_NE(plan->find("sha256:" + Sha256Hex(b)), std::string::npos) << *plan;
  EXPECT_NE(plan->find("/appd-b.tar.gz"), std::string::npos) << *plan;
  EXPECT_FALSE(d.FetchText(base + "/plans/nope.json", std::nullopt).ok());
  auto index = d.FetchText(base + "/index.json", std::nullopt);
  ASSERT_TRUE(index.ok());
  EXPECT_NE(index->find(Sha256Hex(a)), std::string::npos);

  // Resume against the mirror: a leftover prefix is continued with a Range request.
  std::string dest = dir_ / "resumed";
  WriteFile(dest + ".partial", b.substr(0, b.size() / 2));
  auto resumed = d.Fetch({base + "/sha256/" + Sha256Hex(b),
                          plans::Checksum{plans::HashAlgo::kSha256, Sha256Hex(b)}, dest});
  ASSERT_TRUE(resumed.ok()) << resumed.status().message();
  EXPECT_TRUE(resumed->resumed);
  EXPECT_EQ(ReadFile(dest), b);

  // A node on another home uses the mirror's plan document as its plan info.
  RegistrySettings fleet = settings_;
  fleet.store_root = dir_ / "fleet-store";
  auto req = Req(*plan, "v3");
  req.daemon_home = dir_ / "fleet-home";
  auto r = EnsureUpgradeBinary(req, fleet);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(ReadFile(dir_ / "fleet-home/cosmovisor/upgrades/v3/bin/appd"), "#!/bin/sh\necho v3.0.0\n");
  (*mirror)->Stop();
}

TEST_F(RegistryTest, VerifyReportsDamageAndGcCleans) {
  std::string art = MakeArtifact("v2.0.0");
  WriteFile(dir_ / "x.tar.gz", art);
  AddOptions add;
  add.source = dir_ / "x.tar.gz";
  add.daemon_name = "appd";
  auto e = Add(add, settings_);  // no name
  ASSERT_TRUE(e.ok()) << e.status().message();
  auto clean = Verify(settings_);
  ASSERT_TRUE(clean.ok());
  EXPECT_EQ(clean->checked, 1u);
  EXPECT_TRUE(clean->damaged.empty());
  std::string path = settings_.store_root + "/sha256/" + e->sha256 + "/artifact";
  ::chmod(path.c_str(), 0644);
  WriteFile(path, art + "rot");
  auto damaged = Verify(settings_);
  ASSERT_TRUE(damaged.ok());
  ASSERT_EQ(damaged->damaged.size(), 1u);
  EXPECT_NE(damaged->damaged[0].problem.find("hashes to"), std::string::npos);

  WriteFile(settings_.store_root + "/tmp/dl-leftover.partial", "half");
  fs::create_directories(settings_.store_root + "/sha256/" + std::string(64, 'f'));
  auto dry = Gc(GcOptions{.remove_unnamed = true, .keep = {}, .dry_run = true}, settings_);
  ASSERT_TRUE(dry.ok());
  EXPECT_EQ(dry->removed.size(), 3u);
  EXPECT_TRUE(fs::exists(path));
  auto gc = Gc(GcOptions{.remove_unnamed = true, .keep = {}, .dry_run = false}, settings_);
  ASSERT_TRUE(gc.ok());
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(settings_.store_root + "/tmp/dl-leftover.partial"));
  EXPECT_TRUE(List(settings_)->empty());
}

TEST_F(RegistryTest, PrefetchDownloadsManyPlansIntoTheStore) {
  std::vector<std::string> arts;
  for (int i = 0; i < 3; ++i) arts.push_back(MakeArtifact("v" + std::to_string(i), std::to_string(i)));
  TestServer server([&](const Request& q, int) {
    return Reply{200, arts[static_cast<size_t>(q.path[1] - '0')]};
  });
  std::vector<PrefetchItem> items;
  for (size_t i = 0; i < arts.size(); ++i) {
    items.push_back({"p" + std::to_string(i),
                     InlineInfo(server.Url("/" + std::to_string(i) + ".tar.gz") + "?checksum=" +
                                Sha256Hex(arts[i]))});
  }
  items.push_back({"nothing", ""});
  auto results = Prefetch(items, settings_);
  ASSERT_EQ(results.size(), 4u);
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status().message();
    EXPECT_EQ(results[i]->sha256, Sha256Hex(arts[i]));
  }
  EXPECT_FALSE(results[3].ok());
  EXPECT_EQ(List(settings_)->size(), 3u);
}

// Two plans whose binary is the same URL (a chain re-using a release for two upgrades): before,
// both went to the same `.partial` at once (its name comes from the URL); now the artefact is
// fetched once and both names are bound to it. A plan that gives the same URL another checksum
// fails on its own line, naming the other plan; the others are unaffected.
TEST_F(RegistryTest, PrefetchFetchesAUrlSharedByTwoPlansOnce) {
  std::string art = MakeArtifact("v2");
  std::atomic<int> artefact_requests{0};
  TestServer server([&](const Request& q, int) {
    if (q.path == "/shared.tar.gz") ++artefact_requests;
    Reply r{200, art};
    r.header_delay_ms = 300;  // both transfers would be in flight at once
    return r;
  });
  std::string url = server.Url("/shared.tar.gz");
  std::vector<PrefetchItem> items = {
      {"v2", InlineInfo(url + "?checksum=sha256:" + Sha256Hex(art))},
      {"v2-again", InlineInfo(url + "?checksum=sha256:" + Sha256Hex(art))},
      {"v2-other", InlineInfo(url + "?checksum=sha256:" + Sha256Hex("something else"))},
  };
  auto results = Prefetch(items, settings_);
  ASSERT_EQ(results.size(), 3u);
  ASSERT_TRUE(results[0].ok()) << results[0].status().message();
  ASSERT_TRUE(results[1].ok()) << results[1].status().message();
  EXPECT_EQ(results[0]->sha256, Sha256Hex(art));
  EXPECT_EQ(results[1]->sha256, Sha256Hex(art));
  ASSERT_FALSE(results[2].ok());
  EXPECT_NE(results[2].status().message().find("v2-other"), std::string::npos)
      << results[2].status().message();
  EXPECT_NE(results[2].status().message().find("\"v2\""), std::string::npos)
      << results[2].status().message();
  EXPECT_EQ(artefact_requests.load(), 1);
  auto listed = List(settings_);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  std::string names;
  for (const auto& n : (*listed)[0].names) names += n + ";";
  EXPECT_NE(names.find("v2 ("), std::string::npos) << names;
  EXPECT_NE(names.find("v2-again ("), std::string::npos) << names;
  // Nothing is left in the store's temporary folder.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(settings_.store_root + "/tmp", ec)) {
    ADD_FAILURE() << "left behind: " << e.path();
  }
}

TEST(ParseRangeHeader, Cases) {
  EXPECT_FALSE(ParseRangeHeader("", 100));
  EXPECT_EQ(ParseRangeHeader("bytes=10-", 100)->start, 10u);
  EXPECT_EQ(ParseRangeHeader("bytes=10-", 100)->end, 99u);
  EXPECT_EQ(ParseRangeHeader("bytes=-10", 100)->start, 90u);
  EXPECT_EQ(ParseRangeHeader("bytes=5-500", 100)->end, 99u);
  auto past = ParseRangeHeader("bytes=100-", 100);
  ASSERT_TRUE(past);
  EXPECT_GT(past->start, past->end);
  EXPECT_FALSE(ParseRangeHeader("bytes=1-2,4-5", 100));
}

}  // namespace
}  // namespace registry
