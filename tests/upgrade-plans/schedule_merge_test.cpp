#include "upgrade-plans/schedule_merge.h"

#include <gtest/gtest.h>

#include <string>

#include "upgrade-plans/chain_registry.h"
#include "upgrade-plans/gov_rest.h"

namespace plans {
namespace {

const Checksum kA{HashAlgo::kSha256, std::string(64, 'a')};
const Checksum kB{HashAlgo::kSha256, std::string(64, 'b')};

Segment Seg(int64_t h, SwitchKind k, std::string name) {
  Segment s;
  s.first_height = h;
  s.kind = k;
  s.name = std::move(name);
  return s;
}

bool HasConflict(const MergeResult& m, const std::string& name, const std::string& field) {
  for (const Conflict& c : m.conflicts) {
    if (c.name == name && c.field == field) return true;
  }
  return false;
}

TEST(MergeSchedules, FillsWhatOneSideLacks) {
  Schedule a;
  a.chain_id = "cosmoshub-4";
  Segment g = Seg(5200791, SwitchKind::kGenesis, "genesis");
  g.version = "v4.2.1";
  Segment v10 = Seg(15816200, SwitchKind::kGovernancePlan, "v10");
  v10.binaries["linux/amd64"] = {"linux/amd64", "https://e.org/gaiad-10", std::nullopt};
  a.segments = {g, v10};

  Schedule b;
  b.daemon_name = "gaiad";
  Segment v10b = Seg(15816200, SwitchKind::kGovernancePlan, "v10");
  v10b.version = "v10.0.2";
  v10b.binaries["linux/amd64"] = {"linux/amd64", "https://e.org/gaiad-10", kA};
  v10b.binaries["linux/arm64"] = {"linux/arm64", "https://e.org/gaiad-10-arm", kB};
  v10b.sources["binaries"] = "gov proposal 798 plan info";
  v10b.sources["version"] = "operator";
  b.segments = {v10b};

  MergeResult m = MergeSchedules(a, b);
  EXPECT_EQ(m.schedule.chain_id, "cosmoshub-4");
  EXPECT_EQ(m.schedule.daemon_name, "gaiad");
  ASSERT_EQ(m.schedule.segments.size(), 2u);
  const Segment& merged = m.schedule.segments[1];
  EXPECT_EQ(merged.version, "v10.0.2");
  EXPECT_EQ(merged.sources.at("version"), "operator");
  EXPECT_EQ(merged.binaries.at("linux/amd64").checksum, kA);  // same URL: checksum filled in
  EXPECT_EQ(merged.binaries.at("linux/arm64").checksum, kB);
  EXPECT_EQ(merged.sources.at("binaries"), "gov proposal 798 plan info");
  EXPECT_TRUE(m.conflicts.empty()) << FormatConflicts(m.conflicts);
  // Names that differ in case only match as folders but are a conflict (the node reports the
  // on-chain spelling): then nothing of b's entry is filled into a's.
  b.segments[0].name = "V10";
  MergeResult cased = MergeSchedules(a, b);
  ASSERT_EQ(cased.conflicts.size(), 1u) << FormatConflicts(cased.conflicts);
  EXPECT_EQ(cased.conflicts[0], (Conflict{"v10", "name", "v10", "V10"}));
  EXPECT_EQ(cased.schedule.segments[1], a.segments[1]);
}

TEST(MergeSchedules, DisagreementsAreConflictsAndLeftWins) {
  Schedule a;
  a.chain_id = "cosmoshub-4";
  Segment v14 = Seg(18262000, SwitchKind::kGovernancePlan, "v14");
  v14.version = "v14.2.0";
  v14.binaries["linux/amd64"] = {"linux/amd64", "https://e.org/gaiad-14.2", kA};
  v14.binaries["darwin/arm64"] = {"darwin/arm64", "https://e.org/gaiad-14-mac", kA};
  v14.args.add = {"--x-crisis-skip-assert-invariants"};
  v14.signatures["linux/amd64"] = "https://e.org/1.minisig";
  a.segments = {Seg(1, SwitchKind::kGenesis, "genesis"), v14};

  Schedule b;
  b.chain_id = "cosmoshub-3";
  Segment v14b = Seg(18262001, SwitchKind::kHaltHeight, "v14");
  v14b.version = "v14.1.0";
  v14b.binaries["linux/amd64"] = {"linux/amd64", "https://e.org/gaiad-14.1", kB};
  v14b.binaries["darwin/arm64"] = {"darwin/arm64", "https://e.org/gaiad-14-mac", kB};
  v14b.args.remove = {"--pruning"};
  v14b.signatures["linux/amd64"] = "https://e.org/2.minisig";
  b.segments = {Seg(1, SwitchKind::kGenesis, "genesis"), v14b};

  MergeResult m = MergeSchedules(a, b);
  EXPECT_TRUE(HasConflict(m, "", "chain_id"));
  EXPECT_TRUE(HasConflict(m, "v14", "first_height"));
  EXPECT_TRUE(HasConflict(m, "v14", "kind"));
  EXPECT_TRUE(HasConflict(m, "v14", "version"));
  EXPECT_TRUE(HasConflict(m, "v14", "binaries.linux/amd64"));
  EXPECT_TRUE(HasConflict(m, "v14", "binaries.darwin/arm64.checksum"));
  EXPECT_TRUE(HasConflict(m, "v14", "args"));
  EXPECT_TRUE(HasConflict(m, "v14", "signatures.linux/amd64"));
  EXPECT_EQ(m.conflicts.size(), 8u) << FormatConflicts(m.conflicts);
  EXPECT_EQ(m.schedule, a);  // nothing resolved: a's values kept
  EXPECT_NE(FormatConflicts(m.conflicts)
                .find("\"v14\" first_height: 18262000 vs 18262001 (kept the whole entry of the "
                      "higher-priority source)"),
            std::string::npos)
      << FormatConflicts(m.conflicts);
}

TEST(MergeSchedules, SegmentsOnlyInBAreInsertedInHeightOrder) {
  Schedule a;
  a.segments = {Seg(1, SwitchKind::kGenesis, "genesis"),
                Seg(100, SwitchKind::kGovernancePlan, "v2"),
                Seg(300, SwitchKind::kGovernancePlan, "v4")};
  Schedule b;
  b.segments = {Seg(200, SwitchKind::kHaltHeight, "v3"),
                Seg(400, SwitchKind::kGovernancePlan, "v5")};
  MergeResult m = MergeSchedules(a, b);
  EXPECT_TRUE(m.conflicts.empty());
  ASSERT_EQ(m.schedule.segments.size(), 5u);
  EXPECT_EQ(m.schedule.segments[2].name, "v3");
  EXPECT_EQ(m.schedule.segments[4].name, "v5");
  // A genesis segment only in b goes first.
  MergeResult reversed = MergeSchedules(b, a);
  EXPECT_EQ(reversed.schedule.segments[0].kind, SwitchKind::kGenesis);
  EXPECT_EQ(reversed.schedule.segments[1].name, "v2");
  EXPECT_EQ(reversed.schedule.segments.size(), 5u);
}

TEST(MergeSchedules, MergingWithItselfChangesNothing) {
  Schedule a;
  a.chain_id = "c";
  Segment v2 = Seg(100, SwitchKind::kGovernancePlan, "v2");
  v2.binaries["any"] = {"any", "https://e.org/x", kA};
  v2.sources["binaries"] = "operator";
  a.segments = {Seg(1, SwitchKind::kGenesis, "genesis"), v2};
  MergeResult m = MergeSchedules(a, a);
  EXPECT_TRUE(m.conflicts.empty());
  EXPECT_EQ(m.schedule, a);
}

// The real use: a registry import (inferred kinds, no proposals on old Hub entries, no
// checksums) merged with a REST import (placeholder genesis, applied heights, plan binaries).
TEST(MergeSchedules, RegistryPlusRestCorrectsAssumptionsWithoutConflicts) {
  auto registry = ImportChainRegistry(R"({"chain_name":"cosmoshub","versions":[
      {"name":"genesis","tag":"v4.2.1","height":5200791,"recommended_version":"v4.2.1",
       "binaries":{"linux/amd64":"https://github.com/cosmos/gaia/releases/download/v4.2.1/gaiad-v4.2.1-linux-amd64"}},
      {"name":"v7-Theta","tag":"v7.1.1","height":10085397,"recommended_version":"v7.1.1",
       "binaries":{"linux/amd64":"https://github.com/cosmos/gaia/releases/download/v7.1.1/gaiad-v7.1.1-linux-amd64"}},
      {"name":"v10","tag":"v10.0.2","height":15816200,"proposal":798,"recommended_version":"v10.0.2",
       "binaries":{"linux/amd64":"https://github.com/cosmos/gaia/releases/download/v10.0.2/gaiad-v10.0.2-linux-amd64"}}]})");
  ASSERT_TRUE(registry.ok()) << registry.status().message();
  const std::string theta_url =
      "https://github.com/cosmos/gaia/releases/download/v7.0.0/gaiad-v7.0.0-linux-amd64";
  std::vector<GovPlan> plans = {
      {600, "v7-Theta", 10085397,
       R"({"binaries":{"linux/amd64":")" + theta_url + "?checksum=sha256:" + std::string(64, 'f') +
           R"("}})",
       "PROPOSAL_STATUS_PASSED"},
      {798, "v10", 15816200,
       R"({"binaries":{"linux/amd64":"https://github.com/cosmos/gaia/releases/download/v10.0.2/gaiad-v10.0.2-linux-amd64?checksum=sha256:)" +
           std::string(64, 'd') + R"("}})",
       "PROPOSAL_STATUS_PASSED"}};
  ImportResult rest = ScheduleFromGovPlans(plans, {{"v7-Theta", 10085397}, {"v10", 15816200}},
                                           "cosmoshub-4", "gaiad");

  MergeResult m = MergeSchedules(registry->schedule, rest.schedule);
  const Schedule& s = m.schedule;
  EXPECT_EQ(s.chain_id, "cosmoshub-4");
  EXPECT_EQ(s.daemon_name, "gaiad");
  ASSERT_EQ(s.segments.size(), 3u);
  EXPECT_EQ(s.segments[0].first_height, 5200791);  // REST does not know it
  EXPECT_EQ(s.segments[0].name, "genesis");
  // v7-Theta is disputed (below): the registry's whole entry stays, its guessed kind included.
  EXPECT_EQ(s.segments[1].kind, SwitchKind::kHaltHeight);
  EXPECT_EQ(s.segments[1].binaries.at("linux/amd64").url,
            "https://github.com/cosmos/gaia/releases/download/v7.1.1/gaiad-v7.1.1-linux-amd64");
  EXPECT_EQ(s.segments[2].kind, SwitchKind::kGovernancePlan);
  EXPECT_EQ(s.segments[2].binaries.at("linux/amd64").checksum->hex, std::string(64, 'd'));
  // The v7-Theta plan points at v7.0.0 while the registry recommends v7.1.1: a real conflict.
  ASSERT_EQ(m.conflicts.size(), 1u) << FormatConflicts(m.conflicts);
  EXPECT_EQ(m.conflicts[0].name, "v7-Theta");
  EXPECT_EQ(m.conflicts[0].field, "binaries.linux/amd64");
  // In the other order the placeholder genesis is replaced by the registry's.
  MergeResult other = MergeSchedules(rest.schedule, registry->schedule);
  EXPECT_EQ(other.schedule.segments[0].first_height, 5200791);
  EXPECT_EQ(other.schedule.segments[0].sources.at("first_height"), "chain-registry versions.json");
  EXPECT_EQ(other.conflicts.size(), 1u) << FormatConflicts(other.conflicts);
}

}  // namespace
}  // namespace plans
