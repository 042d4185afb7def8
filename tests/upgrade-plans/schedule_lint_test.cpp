#include "upgrade-plans/schedule_lint.h"

#include <gtest/gtest.h>

#include <string>

namespace plans {
namespace {

const Checksum kSum{HashAlgo::kSha256, std::string(64, 'c')};

Segment Seg(int64_t h, SwitchKind k, std::string name, std::string version) {
  Segment s;
  s.first_height = h;
  s.kind = k;
  s.name = std::move(name);
  s.version = std::move(version);
  s.binaries["linux/amd64"] = {"linux/amd64", "https://github.com/x/releases/" + s.name, kSum};
  return s;
}

Schedule Good() {
  Schedule s;
  s.chain_id = "cosmoshub-4";
  s.daemon_name = "gaiad";
  s.segments = {Seg(5200791, SwitchKind::kGenesis, "genesis", "v4.2.1"),
                Seg(6910000, SwitchKind::kGovernancePlan, "Gravity-DEX", "v5.0.8"),
                Seg(8695000, SwitchKind::kGovernancePlan, "Vega", "v6.0.4"),
                Seg(19460500, SwitchKind::kHaltHeight, "v14.2", "v7.1.1")};
  return s;
}

// True when some finding of `severity` has `where` and a message containing `fragment`.
bool Has(const std::vector<Finding>& f, Finding::Severity severity, const std::string& where,
         const std::string& fragment) {
  for (const Finding& x : f) {
    if (x.severity == severity && x.where == where &&
        x.message.find(fragment) != std::string::npos) {
      return true;
    }
  }
  return false;
}

constexpr auto kError = Finding::Severity::kError;
constexpr auto kWarning = Finding::Severity::kWarning;

TEST(CheckSchedule, GoodScheduleHasNoFindings) {
  auto f = CheckSchedule(Good(), "linux/amd64", true);
  EXPECT_TRUE(f.empty()) << FormatFindings(f);
}

TEST(CheckSchedule, EmptySchedule) {
  auto f = CheckSchedule(Schedule{}, "linux/amd64", false);
  EXPECT_TRUE(Has(f, kError, "segments", "no segments"));
  EXPECT_TRUE(Has(f, kWarning, "chain_id", "empty"));
  EXPECT_TRUE(Has(f, kWarning, "daemon_name", "empty"));
  EXPECT_TRUE(HasErrors(f));
}

TEST(CheckSchedule, FirstSegmentMustBeGenesisAndOnlyIt) {
  Schedule s = Good();
  s.segments[0].kind = SwitchKind::kGovernancePlan;
  s.segments[2].kind = SwitchKind::kGenesis;
  auto f = CheckSchedule(s, "linux/amd64", false);
  EXPECT_TRUE(Has(f, kError, "segments[0].kind", "must be the genesis segment"));
  EXPECT_TRUE(Has(f, kError, "segments[2].kind", "only segments[0]"));
}

TEST(CheckSchedule, HeightsMustIncreaseStrictly) {
  Schedule s = Good();
  s.segments[2].first_height = s.segments[1].first_height;
  s.segments[3].first_height = 100;
  auto f = CheckSchedule(s, "linux/amd64", false);
  EXPECT_TRUE(
      Has(f, kError, "segments[2].first_height", "is the same as segments[1] \"Gravity-DEX\""));
  EXPECT_TRUE(Has(f, kError, "segments[3].first_height", "is below"));
}

TEST(CheckSchedule, HaltHeightAtOneIsImpossible) {
  Schedule s;
  s.chain_id = "c";
  s.daemon_name = "d";
  s.segments = {Seg(1, SwitchKind::kGenesis, "genesis", "v1"),
                Seg(1, SwitchKind::kHaltHeight, "v2", "v2")};
  auto f = CheckSchedule(s, "linux/amd64", false);
  EXPECT_TRUE(Has(f, kError, "segments[1].first_height", "halt at height 0"));
}

TEST(CheckSchedule, NamesCollideCaseInsensitively) {
  Schedule s = Good();
  s.segments[2].name = "gravity-dex";
  auto f = CheckSchedule(s, "linux/amd64", false);
  EXPECT_TRUE(Has(f, kError, "segments[2].name", "upgrades/gravity-dex"));
}

TEST(CheckSchedule, GovAndHaltSegmentsNeedNames) {
  Schedule s = Good();
  s.segments[1].name = "";
  s.segments[3].name = "";
  auto f = CheckSchedule(s, "linux/amd64", false);
  EXPECT_TRUE(Has(f, kError, "segments[1].name", "on-chain plan name"));
  EXPECT_TRUE(Has(f, kError, "segments[3].name", "needs a name"));
}

TEST(CheckSchedule, ChecksumsRequiredOrWarned) {
  Schedule s = Good();
  s.segments[1].binaries["linux/amd64"].checksum.reset();
  s.segments[2].binaries["linux/amd64"].checksum = Checksum{HashAlgo::kMd5, std::string(32, '0')};
  auto strict = CheckSchedule(s, "linux/amd64", true);
  EXPECT_TRUE(Has(strict, kError, "segments[1].binaries.linux/amd64", "no checksum"));
  EXPECT_TRUE(Has(strict, kWarning, "segments[2].binaries.linux/amd64", "md5"));
  auto lax = CheckSchedule(s, "linux/amd64", false);
  EXPECT_TRUE(Has(lax, kWarning, "segments[1].binaries.linux/amd64", "no checksum"));
  EXPECT_FALSE(HasErrors(lax)) << FormatFindings(lax);
}

TEST(CheckSchedule, MissingPlatformAndAnyFallback) {
  Schedule s = Good();
  auto f = CheckSchedule(s, "linux/arm64", false);
  EXPECT_TRUE(Has(f, kError, "segments[1].binaries",
                  "no binary for linux/arm64 and no \"any\" (it has: linux/amd64)"));
  s.segments[1].binaries["any"] = {"any", "https://e.org/all.zip", kSum};
  f = CheckSchedule(s, "linux/arm64", false);
  EXPECT_FALSE(Has(f, kError, "segments[1].binaries", "no binary"));
  s.segments[2].binaries.clear();
  f = CheckSchedule(s, "linux/amd64", false);
  EXPECT_TRUE(Has(f, kError, "segments[2].binaries", "no binaries at all"));
}

TEST(CheckSchedule, UnparseableUrls) {
  Schedule s = Good();
  s.segments[1].binaries["darwin/arm64"] = {"darwin/arm64", "github.com/x/gaiad", std::nullopt};
  s.segments[2].binaries["linux/amd64"].url = "https://e.org/a b";
  s.segments[2].signatures["linux/amd64"] = "ftp://e.org/sig";
  auto f = CheckSchedule(s, "linux/amd64", false);
  EXPECT_TRUE(Has(f, kError, "segments[1].binaries.darwin/arm64", "not an http(s) or file URL"));
  EXPECT_TRUE(Has(f, kError, "segments[2].binaries.linux/amd64", "without spaces"));
  EXPECT_TRUE(Has(f, kError, "segments[2].signatures.linux/amd64", "signature URL"));
}

TEST(CheckSchedule, EmptyVersionWarns) {
  Schedule s = Good();
  s.segments[2].version = "";
  auto f = CheckSchedule(s, "linux/amd64", false);
  EXPECT_TRUE(Has(f, kWarning, "segments[2].version", "no expected version"));
  EXPECT_FALSE(HasErrors(f));
}

TEST(CheckSchedule, VersionJumpsHintAtMissingUpgrades) {
  Schedule s = Good();
  s.segments[2].version = "v19.2.0";  // v5.0.8 -> v19.2.0
  s.segments[3].version = "21.0.0";   // a registry version without "v" -> still a jump
  auto f = CheckSchedule(s, "linux/amd64", false);
  EXPECT_TRUE(Has(f, kWarning, "segments[2].version", "jumps from v5.0.8"));
  EXPECT_TRUE(Has(f, kWarning, "segments[3].version", "jumps from v19.2.0"));
  s.segments[3].version = "v3.0.0";
  f = CheckSchedule(s, "linux/amd64", false);
  EXPECT_TRUE(Has(f, kWarning, "segments[3].version", "goes backwards"));
}

TEST(CheckSchedule, ArgsProblems) {
  Schedule s = Good();
  s.segments[1].args.add = {"--halt-height", "5", ""};
  s.segments[2].args.add = {"--x-crisis-skip-assert-invariants"};
  s.segments[2].args.remove = {"--x-crisis-skip-assert-invariants"};
  auto f = CheckSchedule(s, "linux/amd64", false);
  EXPECT_TRUE(Has(f, kWarning, "segments[1].args.add", "Replayer sets it"));
  EXPECT_TRUE(Has(f, kError, "segments[1].args.add", "empty argument"));
  EXPECT_TRUE(Has(f, kWarning, "segments[2].args", "both added and removed"));
}

TEST(ExplainSchedule, TableListsEverySegment) {
  std::string t = ExplainSchedule(Good(), "linux/amd64", {"start", "--home", "/h"}, std::nullopt);
  EXPECT_NE(t.find("cosmoshub-4 (gaiad), 4 segments"), std::string::npos) << t;
  EXPECT_NE(t.find("5200791-6909999"), std::string::npos) << t;
  EXPECT_NE(t.find("19460500-tip"), std::string::npos) << t;
  EXPECT_NE(t.find("halt-height"), std::string::npos);
  EXPECT_NE(t.find("sha256:cccccccccccc..."), std::string::npos) << t;
  EXPECT_NE(t.find("binary: https://github.com/x/releases/Vega"), std::string::npos) << t;
  EXPECT_NE(t.find("start:  start --home /h --halt-height 19460499"), std::string::npos) << t;
}

TEST(ExplainSchedule, HeightExplainsWhy) {
  std::string t = ExplainSchedule(Good(), "linux/amd64", {"start"}, int64_t{9000000});
  // Numbered as the table and check number segments: from 0.
  EXPECT_NE(t.find("height 9000000 is executed by segments[2] (of 0-3), \"Vega\" (gov-plan, "
                   "heights 8695000-19460499)"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("governance plan \"Vega\" halts the previous binary at height 8695000"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("--halt-height 19460499 (commit-then-exit) so it commits 19460499"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("version:  v6.0.4"), std::string::npos) << t;
  std::string before = ExplainSchedule(Good(), "linux/amd64", {}, int64_t{5});
  EXPECT_NE(before.find("before the schedule's first segment (which starts at 5200791)"),
            std::string::npos)
      << before;
}

TEST(ExplainSchedule, MissingBinaryIsShown) {
  std::string t = ExplainSchedule(Good(), "windows/amd64", {}, int64_t{6910000});
  EXPECT_NE(t.find("(none for windows/amd64)"), std::string::npos) << t;
  EXPECT_NE(t.find("the node halts itself at governance plan \"Vega\""), std::string::npos) << t;
}

}  // namespace
}  // namespace plans
