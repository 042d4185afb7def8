// End to end: `replayer sync` refuses a schedule it cannot replay before anything runs, and
// `replayer audit` reports the same problem. A wrong checksum, a binary the mirror does not have
// (404), a binary whose `version` is not the segment's, and a governance height that is not the
// chain's (checked with `sync --rest` against the chain's applied plans; without --rest the
// node's own plan report stops the sync at the real height, before any switch).
//
// A refusal exits 1 naming the segment and the problem, starts no node, installs nothing
// (no data/, no `current`, no genesis/ or upgrades/<dir> in a fresh home), and leaves a home that
// had already synced part way as it was: every file and link with the same size, mode and mtime
// (the registry's download cache, cosmovisor/registry, and the state database, whose journal is
// compared through `replayer status --json`, are left out of that comparison, and
// folders are compared without their mtimes: Replayer may stage work and remove it again).
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "state/database.h"
#include "tests/e2e/demochain_fixture.h"

namespace e2e {
namespace {

using nlohmann::json;

class SyncRefusal : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { chain_.Start({.blocks = 300}); }
  static void TearDownTestSuite() { chain_.Stop(); }
  void SetUp() override { ASSERT_NE(chain_.get(), nullptr) << chain_.error(); }
  static const DemoChain& chain() { return *chain_.get(); }
  static SharedChain chain_;

  // Segment `index` of the operator's schedule, changed by `edit`.
  static std::string Schedule(size_t index, const std::function<void(json&)>& edit,
                              const std::string& name) {
    json s = chain().OperatorSchedule();
    edit(s.at("segments").at(index));
    return chain().WriteSchedule(s, name);
  }
  static std::string Label(size_t index) {
    json s = chain().OperatorSchedule();
    return "segments[" + std::to_string(index) + "] \"" +
           s.at("segments").at(index).at("name").get<std::string>() + "\"";
  }

  // The sync is refused up front, every one of `problem` on the segment's line; nothing ran.
  static void ExpectRefused(const ProcResult& r, size_t index,
                            const std::vector<std::string>& problem) {
    EXPECT_EQ(r.exit_code, 1) << r.all();
    EXPECT_FALSE(r.timed_out);
    std::string line = LineWith(r.err, Label(index));
    EXPECT_NE(line, "") << "no line names " << Label(index) << ":\n" << r.err;
    for (const auto& p : problem) {
      EXPECT_NE(line.find(p), std::string::npos) << "expected \"" << p << "\" in: " << line;
    }
    EXPECT_EQ(r.all().find("segment 1 of"), std::string::npos) << "a node was started:\n" << r.err;
  }

  // `replayer audit --plans S [extra]` fails and the segment's row says FAIL.
  static void ExpectAuditFails(const std::string& plans, size_t index,
                               const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"audit", "--plans", plans};
    args.insert(args.end(), extra.begin(), extra.end());
    ProcResult audit = chain().Replayer(args);
    EXPECT_EQ(audit.exit_code, 1) << audit.all();
    std::string row = LineWith(audit.out, Label(index));
    EXPECT_NE(row.find("FAIL"), std::string::npos) << "row: " << row << "\n" << audit.out;
  }

  static std::string LineWith(const std::string& text, const std::string& needle) {
    size_t p = text.find(needle);
    if (p == std::string::npos) return "";
    size_t b = text.rfind('\n', p);
    size_t e = text.find('\n', p);
    return text.substr(b == std::string::npos ? 0 : b + 1,
                       e == std::string::npos ? std::string::npos : e - b - 1);
  }

  // A fresh home: the refused sync created nothing of the layout and started no node.
  static void ExpectFreshHomeUntouched(const SyncHome& h) {
    EXPECT_FALSE(h.Exists("data")) << "a node ran or data/ was created";
    EXPECT_FALSE(h.Exists("cosmovisor/current"));
    EXPECT_FALSE(h.Exists("cosmovisor/genesis")) << "the genesis binary was installed";
    EXPECT_EQ(h.UpgradeDirs(), std::vector<std::string>{}) << "upgrades were installed";
    EXPECT_TRUE(h.ProcessesUsingHome().empty());
  }

  // A home synced to `until` along the first `segments` segments of the operator's schedule
  // (as an operator would have before the later releases were known).
  static void SyncPartWay(SyncHome& h, size_t segments, int64_t until) {
    json s = chain().OperatorSchedule();
    s.at("segments").erase(s.at("segments").begin() + static_cast<long>(segments),
                           s.at("segments").end());
    ProcResult r = h.Sync(chain().WriteSchedule(s, "first-" + std::to_string(segments)), until);
    ASSERT_EQ(r.exit_code, 0) << r.all();
  }

  static const std::vector<std::string> kCache;

  // The whole check for one defect: on a fresh home, on a home synced part way, and by audit.
  // `sync_extra` goes to `replayer sync`, `audit_extra` to `replayer audit`.
  static void CheckRefusal(const std::string& plans, size_t index,
                           const std::vector<std::string>& problem,
                           const std::vector<std::string>& sync_extra = {},
                           const std::vector<std::string>& audit_extra = {}) {
    {
      SyncHome fresh(chain());
      ProcResult r = fresh.Replayer(fresh.SyncArgs(plans, 0, sync_extra));
      ExpectRefused(r, index, problem);
      ExpectFreshHomeUntouched(fresh);
    }
    {
      SyncHome part(chain());
      int64_t until = chain().switches()[0].at("height").get<int64_t>() + 10;  // inside "v2"
      ASSERT_NO_FATAL_FAILURE(SyncPartWay(part, 2, until));
      std::string before = part.Listing(kCache);
      std::string journal = part.Journal().out;
      ProcResult r = part.Replayer(part.SyncArgs(plans, 0, sync_extra));
      ExpectRefused(r, index, problem);
      EXPECT_EQ(part.Listing(kCache), before) << "the refused sync changed the home";
      EXPECT_EQ(part.Journal().out, journal) << "the refused sync changed the journal";
      EXPECT_EQ(part.Current(), "upgrades/v2");
      EXPECT_EQ(part.Status().height, until);
    }
    ExpectAuditFails(plans, index, audit_extra);
  }
};
SharedChain SyncRefusal::chain_;
// The registry's download cache, and Replayer's state database: the refused sync takes the
// home's lock (opening the database) before anything else, and LevelDB rewrites its files when
// opened; its content (the journal) is compared instead.
const std::vector<std::string> SyncRefusal::kCache = {"cosmovisor/registry", "cosmovisor/.replayer"};

// The URL of segment `seg`'s one binary, edited by `edit`.
void EditUrl(json& seg, const std::function<void(std::string&)>& edit) {
  for (auto& [platform, url] : seg.at("binaries").items()) {
    std::string u = url;
    edit(u);
    url = u;
  }
}

TEST_F(SyncRefusal, WrongChecksum) {
  // v3.0.0 (segment 3): fetched in both homes.
  std::string wrong(64, 'e');
  std::string plans = Schedule(3, [&](json& seg) {
    EditUrl(seg, [&](std::string& u) { u = u.substr(0, u.find("checksum=sha256:") + 16) + wrong; });
  }, "wrong-checksum");
  CheckRefusal(plans, 3, {"checksum mismatch", wrong});
}

TEST_F(SyncRefusal, WrongChecksumOfABinaryAlreadyInPlace) {
  // v2.0.0 (segment 1) was installed by an earlier sync; the schedule now names another
  // artefact for it. The binary in place is not the schedule's: it must not run.
  std::string wrong(64, 'e');
  std::string plans = Schedule(1, [&](json& seg) {
    EditUrl(seg, [&](std::string& u) { u = u.substr(0, u.find("checksum=sha256:") + 16) + wrong; });
  }, "wrong-checksum-in-place");
  SyncHome part(chain());
  int64_t until = chain().switches()[0].at("height").get<int64_t>() + 10;
  ASSERT_NO_FATAL_FAILURE(SyncPartWay(part, 2, until));
  std::string before = part.Listing(kCache);
  std::string journal = part.Journal().out;
  ProcResult r = part.Sync(plans);
  ExpectRefused(r, 1, {wrong});
  EXPECT_EQ(part.Listing(kCache), before) << "the refused sync changed the home";
  EXPECT_EQ(part.Journal().out, journal) << "the refused sync changed the journal";
  ExpectAuditFails(plans, 1);
}

TEST_F(SyncRefusal, MissingBinary) {
  // v2.1.0 (segment 2): the mirror answers 404.
  std::string plans = Schedule(2, [&](json& seg) {
    EditUrl(seg, [&](std::string& u) {
      std::string sha = u.substr(u.find("checksum=sha256:") + 16, 64);
      u = chain().mirror_url() + "/sha256/" + std::string(64, '0') + "?checksum=sha256:" + sha;
    });
  }, "missing-binary");
  CheckRefusal(plans, 2, {"404"});
}

TEST_F(SyncRefusal, VersionMismatch) {
  // v2.0.0 (segment 1) claims to be v2.0.9: fetched in the fresh home, already in place in the
  // home synced part way.
  std::string plans = Schedule(1, [](json& seg) { seg["version"] = "v2.0.9"; }, "wrong-version");
  CheckRefusal(plans, 1, {"v2.0.9", "v2.0.0"});
}

TEST_F(SyncRefusal, WrongGovernanceHeightWithRest) {
  // The schedule puts plan "v3" one block late; the chain applied it at its real height.
  int64_t real = chain().switches()[2].at("height");
  std::string plans = Schedule(3, [&](json& seg) { seg["first_height"] = real + 1; },
                               "wrong-gov-height");
  CheckRefusal(plans, 3, {std::to_string(real + 1), "at height " + std::to_string(real)},
               {"--rest", chain().peer_url()}, {"--rest", chain().peer_url()});
}

// Another Replayer holds the home (here the test process holds its state database, the lock
// every Replayer takes) while its sync stages binaries: a second `sync` must be refused before it
// installs a binary, creates `current` or deletes anything, the other run's staging included.
TEST_F(SyncRefusal, ASecondReplayerOnTheHomeIsRefusedBeforeItTouchesAnything) {
  SyncHome h(chain());
  std::string state_dir = h.home() + "/cosmovisor/.replayer";
  std::filesystem::create_directories(state_dir);
  auto held = state::Database::Open(state_dir + "/state");
  ASSERT_TRUE(held.ok()) << held.status().message();
  std::string other_staging = h.home() + "/cosmovisor/.replayer-sync-staging/0";
  std::filesystem::create_directories(other_staging);
  testing_util::WriteText(other_staging + "/in-use", "another run's staged binary\n");
  // The state database itself is left out: LevelDB rotates its LOG file when an opener fails
  // to get the lock.
  const std::vector<std::string> held_db = {"cosmovisor/.replayer"};
  std::string before = h.Listing(held_db);
  ProcResult r = h.Sync(chain().WriteSchedule(chain().OperatorSchedule(), "second-replayer"));
  EXPECT_EQ(r.exit_code, 1) << r.all();
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.err.find("in use by another process"), std::string::npos) << r.err;
  EXPECT_EQ(h.Listing(held_db), before) << "the refused sync changed the home";
  EXPECT_EQ(h.Current(), "");
  EXPECT_EQ(CountOf(r.all(), "starting demochaind"), 0) << r.all();
}

TEST_F(SyncRefusal, WrongGovernanceHeightWithoutRestStopsAtTheNodesPlan) {
  // Plan "v2" scheduled 5 blocks late: the genesis node reports it at its real height, and the
  // sync stops there without switching anything.
  int64_t real = chain().switches()[0].at("height");
  std::string plans = Schedule(1, [&](json& seg) { seg["first_height"] = real + 5; },
                               "wrong-gov-height-no-rest");
  SyncHome h(chain());
  ProcResult r = h.Sync(plans);
  EXPECT_EQ(r.exit_code, 1) << r.all();
  EXPECT_FALSE(r.timed_out);
  std::string line = LineWith(r.err, ") reports upgrade");
  EXPECT_NE(line.find("the node (" + Label(0) + ") reports upgrade"), std::string::npos) << r.err;
  EXPECT_NE(line.find("\"v2\" at height " + std::to_string(real)), std::string::npos) << r.err;
  EXPECT_NE(line.find("but the schedule expects"), std::string::npos) << line;
  EXPECT_NE(line.find(Label(1)), std::string::npos) << line;
  EXPECT_NE(line.find(std::to_string(real + 5)), std::string::npos) << line;
  EXPECT_EQ(h.Current(), "genesis");
  EXPECT_EQ(h.Status().height, real - 1) << "the genesis binary ran past the plan";
  ProcResult status = h.Replayer({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  json j = json::parse(status.out);
  EXPECT_TRUE(j.at("applied").empty()) << status.out;
  EXPECT_TRUE(j.at("in_progress").is_null()) << status.out;
  EXPECT_TRUE(h.ProcessesUsingHome().empty());
  ExpectAuditFails(plans, 1, {"--rest", chain().peer_url()});
}

}  // namespace
}  // namespace e2e
