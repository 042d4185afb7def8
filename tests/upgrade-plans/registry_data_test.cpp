// Imports every real chain-registry file in shared/data/chain-registry/ (beside the repository,
// as in CI) and checks the findings its README lists. The directory must exist: a missing copy
// fails the test with its path instead of passing silently.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "upgrade-plans/chain_registry.h"
#include "upgrade-plans/schedule_lint.h"

namespace plans {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(REPLAYER_SHARED_DIR) / "data" / "chain-registry";

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Imported {
  Schedule schedule;
  std::vector<Finding> findings;
  std::string text;  // FormatFindings, for failure messages
};

// `plans import --chain-registry <chain>.versions.json --chain-registry <chain>.chain.json`.
Imported Import(const std::string& chain) {
  Imported out;
  auto facts = ImportChainRegistry(Read(kDir / (chain + ".chain.json")), {chain + ".chain.json", ""});
  EXPECT_TRUE(facts.ok()) << facts.status().message();
  EXPECT_TRUE(facts->facts) << chain << ".chain.json is the current layout (no version list)";
  std::string genesis = facts->facts ? facts->facts->genesis_name : "";
  auto r = ImportChainRegistry(Read(kDir / (chain + ".versions.json")),
                               {chain + ".versions.json", genesis});
  EXPECT_TRUE(r.ok()) << r.status().message();
  out.schedule = r->schedule;
  ApplyChainFacts(out.schedule, *facts->facts, facts->schedule.chain_id,
                  facts->schedule.daemon_name);
  auto again = ParseSchedule(FormatSchedule(out.schedule));
  EXPECT_TRUE(again.ok() && *again == out.schedule);
  out.findings = CheckSchedule(out.schedule, "linux/amd64", false);
  out.text = FormatFindings(out.findings);
  return out;
}

const Finding* Find(const Imported& i, Finding::Severity sev, const std::string& segment,
                    const std::string& where_suffix, const std::string& fragment) {
  for (const Finding& f : i.findings) {
    if (f.severity == sev && f.segment == segment && f.where.ends_with(where_suffix) &&
        f.message.find(fragment) != std::string::npos) {
      return &f;
    }
  }
  return nullptr;
}

const Segment* Named(const Schedule& s, const std::string& name) {
  for (const Segment& seg : s.segments) {
    if (seg.name == name) return &seg;
  }
  return nullptr;
}

constexpr auto kError = Finding::Severity::kError;
constexpr auto kWarning = Finding::Severity::kWarning;

TEST(RealRegistryData, DirectoryIsThere) {
  ASSERT_TRUE(fs::is_directory(kDir)) << kDir << " is missing: the tests need shared/ beside "
                                                 "the repository (../shared)";
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(kDir)) {
    if (e.path().extension() != ".json") continue;
    ++files;
    auto r = ImportChainRegistry(Read(e.path()), {e.path().filename().string(), ""});
    EXPECT_TRUE(r.ok()) << e.path() << ": " << r.status().message();
  }
  EXPECT_GE(files, 6u);
}

TEST(RealRegistryData, CosmosHub) {
  Imported hub = Import("cosmoshub");
  const Schedule& s = hub.schedule;
  EXPECT_EQ(s.chain_id, "cosmoshub-4");
  EXPECT_EQ(s.daemon_name, "gaiad");
  EXPECT_NE(s.sources.at("daemon_name").find("cosmoshub.chain.json"), std::string::npos);
  // Starts at 5,200,791, not 1.
  ASSERT_FALSE(s.segments.empty());
  EXPECT_EQ(s.segments[0].kind, SwitchKind::kGenesis);
  EXPECT_EQ(s.segments[0].first_height, 5200791);
  // v7-Theta skips v8-Rho; v8-Rho names itself.
  EXPECT_NE(Find(hub, kWarning, "v7-Theta", "next_name", "\"v9-Lambda\""), nullptr) << hub.text;
  EXPECT_NE(Find(hub, kWarning, "v8-Rho", "next_name", "names itself"), nullptr) << hub.text;
  // v25.1.1 onwards have no heights: kept, each an error.
  for (const char* name : {"v25.1.1", "v25.2.0", "v26.0.0", "v27.6.0"}) {
    const Segment* seg = Named(s, name);
    ASSERT_NE(seg, nullptr) << name;
    EXPECT_EQ(seg->first_height, kUnknownHeight) << name;
    const Finding* f = Find(hub, kError, name, "first_height", "first height unknown");
    ASSERT_NE(f, nullptr) << name << "\n" << hub.text;
    EXPECT_NE(f->source.find("cosmoshub.versions.json"), std::string::npos) << f->source;
  }
  // Only a few entries carry checksums.
  size_t with = 0, without = 0;
  for (const Segment& seg : s.segments) {
    auto it = seg.binaries.find("linux/amd64");
    if (it == seg.binaries.end()) continue;
    (it->second.checksum ? with : without)++;
  }
  EXPECT_GT(without, with * 3);
  EXPECT_TRUE(HasErrors(CheckSchedule(s, "linux/amd64", true)));
  // The real Lambda height 14,470,501 and the halt-height patches are absent.
  for (const Segment& seg : s.segments) {
    for (int64_t h : {14470501, 19460500, 19939000, 20740970}) EXPECT_NE(seg.first_height, h);
  }
  EXPECT_EQ(Named(s, "v9-Lambda")->first_height, 15213800);
  EXPECT_TRUE(HasErrors(hub.findings));
}

TEST(RealRegistryData, Osmosis) {
  Imported osmo = Import("osmosis");
  const Schedule& s = osmo.schedule;
  EXPECT_EQ(s.chain_id, "osmosis-1");
  // v3 at height 0 is the genesis release; the initial height is not invented.
  EXPECT_EQ(s.segments[0].name, "v3");
  EXPECT_EQ(s.segments[0].kind, SwitchKind::kGenesis);
  EXPECT_EQ(s.segments[0].first_height, kUnknownHeight);
  for (const Segment& seg : s.segments) {
    if (seg.kind != SwitchKind::kGenesis) {
      EXPECT_TRUE(HeightKnown(seg)) << seg.name;
    }
  }
  // SDK 0.47.5 through v25, 0.50.6 from v26, 0.50.10+ from v27.
  EXPECT_EQ(Named(s, "v25")->halt_semantics, HaltSemantics::kCommitThenExit);
  EXPECT_EQ(Named(s, "v26")->halt_semantics, HaltSemantics::kCommitThenStall);
  EXPECT_EQ(Named(s, "v27")->halt_semantics, HaltSemantics::kStopBefore);
  EXPECT_EQ(Named(s, "v28")->halt_semantics, HaltSemantics::kStopBefore);
  // v28.0.1+ is a switch without a proposal at 29,743,104 after an SDK 0.50.10 binary: v28 is
  // stopped with --halt-height 29743104 (it refuses that block), not 29743103.
  const Segment* patch = Named(s, "v28.0.1+");
  ASSERT_NE(patch, nullptr);
  EXPECT_EQ(patch->kind, SwitchKind::kHaltHeight);
  EXPECT_EQ(patch->first_height, 29743104);
  size_t v28 = static_cast<size_t>(Named(s, "v28") - s.segments.data());
  auto args = StartArgs(s, v28, {"start"});
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(args[1], "--halt-height");
  EXPECT_EQ(args[2], "29743104");
  EXPECT_EQ(Find(osmo, kError, "v28", "halt_semantics", ""), nullptr) << osmo.text;
  // v27's binary URL lies in the v25.0.0 release folder.
  EXPECT_NE(Find(osmo, kWarning, "v27", "binaries.linux/amd64", "release folder \"v25.0.0\""),
            nullptr)
      << osmo.text;
  // The early entries have no sdk.version: every halt-height switch after them is an error.
  EXPECT_NE(Find(osmo, kError, "v3", "halt_semantics", "\"v4\""), nullptr) << osmo.text;
  EXPECT_NE(Find(osmo, kError, "v14", "halt_semantics", "\"v15\""), nullptr) << osmo.text;
}

TEST(RealRegistryData, Juno) {
  Imported juno = Import("juno");
  const Schedule& s = juno.schedule;
  EXPECT_EQ(s.chain_id, "juno-1");
  // v1 to v12 absent: no genesis entry, so the genesis binary is a hole.
  ASSERT_GE(s.segments.size(), 2u);
  EXPECT_EQ(s.segments[0].kind, SwitchKind::kGenesis);
  EXPECT_TRUE(s.segments[0].binaries.empty());
  EXPECT_EQ(s.segments[0].first_height, kUnknownHeight);
  EXPECT_EQ(s.segments[1].name, "v13");
  EXPECT_NE(Find(juno, kError, "genesis", "binaries", "the binary is unknown"), nullptr)
      << juno.text;
  // v19's recommended version is v20.0.0.
  EXPECT_NE(Find(juno, kWarning, "v19", "version", "another major"), nullptr) << juno.text;
  // The current release (chain.json v27.0.0) is the entry without a height.
  EXPECT_NE(Find(juno, kError, "v27", "first_height", "first height unknown"), nullptr);
  EXPECT_EQ(Named(s, "v27")->halt_semantics, HaltSemantics::kCommitThenExit);  // v0.47.15
}

TEST(RealRegistryData, ChainJsonFacts) {
  for (const char* chain : {"cosmoshub", "osmosis", "juno"}) {
    auto r = ImportChainRegistry(Read(kDir / (std::string(chain) + ".chain.json")));
    ASSERT_TRUE(r.ok()) << chain << ": " << r.status().message();
    ASSERT_TRUE(r->facts) << chain;
    EXPECT_FALSE(r->schedule.chain_id.empty()) << chain;
    EXPECT_FALSE(r->schedule.daemon_name.empty()) << chain;
    EXPECT_FALSE(r->facts->recommended_version.empty()) << chain;
    EXPECT_FALSE(r->facts->sdk_version.empty()) << chain;
    EXPECT_FALSE(r->facts->binaries.empty()) << chain;
  }
}

}  // namespace
}  // namespace plans
