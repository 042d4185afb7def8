// Fixtures follow cosmos/chain-registry's versions.schema.json and the older chain.json
// `codebase.versions` layout, modelled on the Cosmos Hub, Osmosis, Juno and Akash entries
// (heights, names, tags and the gaps described in shared/reference/ecosystem.md 1.3). URLs and
// checksums are shortened or invented; the shapes are the registry's.
#include "upgrade-plans/chain_registry.h"

#include <gtest/gtest.h>

#include <string>

#include "upgrade-plans/schedule_lint.h"

namespace plans {
namespace {

const std::string kHubVersions = R"({
  "$schema": "../versions.schema.json",
  "chain_name": "cosmoshub",
  "versions": [
    {
      "name": "genesis",
      "tag": "v4.2.1",
      "height": 5200791,
      "next_version_name": "Gravity-DEX",
      "recommended_version": "v4.2.1",
      "compatible_versions": ["v4.0.0", "v4.0.1", "v4.2.0", "v4.2.1"],
      "binaries": {
        "linux/amd64": "https://github.com/cosmos/gaia/releases/download/v4.2.1/gaiad-v4.2.1-linux-amd64",
        "darwin/amd64": "https://github.com/cosmos/gaia/releases/download/v4.2.1/gaiad-v4.2.1-darwin-amd64"
      },
      "sdk": {"type": "cosmos", "version": "v0.42.4"},
      "consensus": {"type": "tendermint", "version": "v0.34.9"}
    },
    {
      "name": "Gravity-DEX",
      "tag": "v5.0.8",
      "height": 6910000,
      "previous_version_name": "genesis",
      "next_version_name": "v9-Lambda",
      "recommended_version": "v5.0.8",
      "binaries": {
        "linux/amd64": "https://github.com/cosmos/gaia/releases/download/v5.0.8/gaiad-v5.0.8-linux-amd64"
      }
    },
    {
      "name": "v9-Lambda",
      "tag": "v9.1.1",
      "height": 15213800,
      "recommended_version": "v9.1.1",
      "binaries": {
        "linux/amd64": "https://github.com/cosmos/gaia/releases/download/v9.1.1/gaiad-v9.1.1-linux-amd64?checksum=sha256:1b9d3ee2d3d5e8a6a3e1f7c1a5a0f2d47d0b6a3c8e1f2a9b7c6d5e4f3a2b1c0d",
        "linux/arm64": "https://github.com/cosmos/gaia/releases/download/v9.1.1/gaiad-v9.1.1-linux-arm64?checksum=sha256:2c0e4ff3e4e6f9b7b4f2082b6b1f3e58e1c7b4d9f2031baf8d7e6f5a4b3c2d1e"
      }
    },
    {
      "name": "v10",
      "tag": "v10.0.2",
      "height": 15816200,
      "proposal": 798,
      "recommended_version": "v10.0.2",
      "language": {"type": "go", "version": "1.20"},
      "binaries": {
        "linux/amd64": "https://github.com/cosmos/gaia/releases/download/v10.0.2/gaiad-v10.0.2-linux-amd64?checksum=sha256:3d1f5004f5f70ac8c5031c3c7c204f69f2d8c5ea03142cb09e8f706b5c4d3e2f"
      }
    },
    {
      "name": "v15",
      "tag": "v15.2.0",
      "height": 19639600,
      "proposal": 885,
      "recommended_version": "v15.2.0",
      "binaries": {
        "linux/amd64": "https://github.com/cosmos/gaia/releases/download/v15.2.0/gaiad-v15.2.0-linux-amd64"
      }
    },
    {
      "name": "v25.1.1",
      "tag": "v25.1.1",
      "recommended_version": "v25.1.1",
      "binaries": {
        "linux/amd64": "https://github.com/cosmos/gaia/releases/download/v25.1.1/gaiad-v25.1.1-linux-amd64"
      }
    }
  ]
})";

const std::string kOsmosisVersions = R"({
  "$schema": "../versions.schema.json",
  "chain_name": "osmosis",
  "versions": [
    {
      "name": "v3",
      "tag": "v3.1.0",
      "height": 0,
      "next_version_name": "v4",
      "binaries": {
        "linux/amd64": "https://github.com/osmosis-labs/osmosis/releases/download/v3.1.0/osmosisd-3.1.0-linux-amd64?checksum=sha256:b8ca3c6a06a6ef2b3a3d2ff4e1ac3d6b2fdcb7dd2d2d0b5b1df0b3ea4b4a7f2e"
      }
    },
    {
      "name": "v5",
      "tag": "v6.4.0",
      "height": 2383300,
      "proposal": 95,
      "recommended_version": "v6.4.1",
      "binaries": {
        "linux/amd64": "https://github.com/osmosis-labs/osmosis/releases/download/v6.4.1/osmosisd-6.4.1-linux-amd64?checksum=sha256:a3d0f1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e"
      }
    },
    {
      "name": "v25",
      "tag": "v25.0.0",
      "height": 15753500,
      "proposal": 782,
      "recommended_version": "25.2.1",
      "compatible_versions": ["25.0.0", "25.0.2", "25.1.0", "25.2.1"],
      "binaries": {
        "linux/amd64": "https://github.com/osmosis-labs/osmosis/releases/download/v25.2.1/osmosisd-25.2.1-linux-amd64"
      }
    },
    {
      "name": "v30",
      "tag": "v30.0.0",
      "height": 41332000,
      "proposal": 961,
      "recommended_version": "v30.0.0",
      "binaries": {
        "linux/amd64": "https://github.com/osmosis-labs/osmosis/releases/download/v30.0.0/osmosisd-30.0.0-linux-amd64?checksum=C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3",
        "linux/arm64": "https://github.com/osmosis-labs/osmosis/releases/download/v30.0.0/osmosisd-30.0.0-linux-arm64?checksum=d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4"
      }
    }
  ]
})";

// Juno: no tags, one raw linux/amd64 URL without checksum, v27 without height.
const std::string kJunoVersions = R"({
  "$schema": "../versions.schema.json",
  "chain_name": "juno",
  "versions": [
    {
      "name": "v13",
      "height": 7374801,
      "proposal": 271,
      "recommended_version": "v13.0.1",
      "cosmwasm": {"version": "v0.31.0", "enabled": true, "path": "$HOME/.juno/data/wasm"},
      "binaries": {"linux/amd64": "https://github.com/CosmosContracts/juno/releases/download/v13.0.1/junod"}
    },
    {
      "name": "v19",
      "height": 13678871,
      "proposal": 333,
      "recommended_version": "v20.0.0",
      "binaries": {"linux/amd64": "https://github.com/CosmosContracts/juno/releases/download/v20.0.0/junod"}
    },
    {
      "name": "v27",
      "recommended_version": "v27.0.0",
      "binaries": {"linux/amd64": "https://github.com/CosmosContracts/juno/releases/download/v27.0.0/junod"}
    }
  ]
})";

// Akash: the first two entries have no height, .zip binaries, no checksums.
const std::string kAkashVersions = R"({
  "$schema": "../versions.schema.json",
  "chain_name": "akash",
  "versions": [
    {"name": "v0.22.0", "recommended_version": "v0.22.0", "next_version_name": "v0.24.0",
     "binaries": {"linux/amd64": "https://github.com/akash-network/node/releases/download/v0.22.0/akash_linux_amd64.zip"}},
    {"name": "v0.24.0", "recommended_version": "v0.24.0",
     "binaries": {"linux/amd64": "https://github.com/akash-network/node/releases/download/v0.24.0/akash_linux_amd64.zip"}},
    {"name": "v0.26.0", "height": 12992204, "proposal": 201, "recommended_version": "v0.26.1",
     "binaries": {"linux/amd64": "https://github.com/akash-network/node/releases/download/v0.26.1/akash_linux_amd64.zip",
                  "linux/arm64": "https://github.com/akash-network/node/releases/download/v0.26.1/akash_linux_arm64.zip"}},
    {"name": "v2.0.0", "height": 26063777, "proposal": 318, "recommended_version": "v2.0.0"}
  ]
})";

// The older layout: history inside chain.json's codebase, with chain_id and daemon_name.
const std::string kHubChainJson = R"({
  "$schema": "../chain.schema.json",
  "chain_name": "cosmoshub",
  "status": "live",
  "network_type": "mainnet",
  "chain_id": "cosmoshub-4",
  "daemon_name": "gaiad",
  "node_home": "$HOME/.gaia",
  "codebase": {
    "git_repo": "https://github.com/cosmos/gaia",
    "recommended_version": "v15.2.0",
    "compatible_versions": ["v15.2.0"],
    "genesis": {"name": "v4", "genesis_url": "https://github.com/cosmos/mainnet/raw/master/genesis/genesis.cosmoshub-4.json.gz"},
    "versions": [
      {"name": "v4", "tag": "v4.2.1", "height": 5200791, "recommended_version": "v4.2.1",
       "binaries": {"linux/amd64": "https://github.com/cosmos/gaia/releases/download/v4.2.1/gaiad-v4.2.1-linux-amd64"}},
      {"name": "v7-Theta", "tag": "v7.1.1", "height": 10085397, "recommended_version": "v7.1.1",
       "binaries": {"linux/amd64": "https://github.com/cosmos/gaia/releases/download/v7.1.1/gaiad-v7.1.1-linux-amd64",
                    "windows": "https://example.org/bad-key.exe"}},
      {"name": "v14", "tag": "v14.2.0", "height": 18262000, "proposal": 854, "recommended_version": "v14.2.0",
       "binaries": {"linux/amd64": "https://github.com/cosmos/gaia/releases/download/v14.2.0/gaiad-v14.2.0-linux-amd64?checksum=sha256:123"}}
    ]
  },
  "apis": {"rest": [{"address": "https://rest.cosmos.directory/cosmoshub"}]}
})";

bool HasNote(const ImportResult& r, const std::string& where, const std::string& fragment) {
  for (const ImportNote& n : r.notes) {
    if (n.where == where && n.message.find(fragment) != std::string::npos) return true;
  }
  return false;
}

std::string Notes(const ImportResult& r) {
  std::string out;
  for (const ImportNote& n : r.notes) out += n.where + ": " + n.message + "\n";
  return out;
}

TEST(ImportChainRegistry, HubVersionsJson) {
  auto r = ImportChainRegistry(kHubVersions);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Schedule& s = r->schedule;
  EXPECT_EQ(s.chain_id, "");
  EXPECT_TRUE(HasNote(*r, "chain_id", "chain_name \"cosmoshub\"")) << Notes(*r);
  EXPECT_TRUE(HasNote(*r, "daemon_name", "chain.json"));
  ASSERT_EQ(s.segments.size(), 6u) << Notes(*r);  // v25.1.1 kept, with its height unknown
  EXPECT_EQ(s.segments[0].kind, SwitchKind::kGenesis);
  EXPECT_EQ(s.segments[0].first_height, 5200791);  // cosmoshub-4 does not start at 1
  EXPECT_EQ(s.segments[0].version, "v4.2.1");
  EXPECT_EQ(s.segments[0].binaries.size(), 2u);
  EXPECT_EQ(s.segments[0].sources.at("first_height"), "chain-registry versions.json");
  // No proposal number: inferred halt-height, marked as assumed, with a note.
  EXPECT_EQ(s.segments[1].name, "Gravity-DEX");
  EXPECT_EQ(s.segments[1].kind, SwitchKind::kHaltHeight);
  EXPECT_TRUE(s.segments[1].sources.at("kind").starts_with("assumed"));
  EXPECT_TRUE(HasNote(*r, "versions[1] \"Gravity-DEX\"", "kind inferred as halt-height"));
  EXPECT_EQ(s.segments[3].name, "v10");
  EXPECT_EQ(s.segments[3].kind, SwitchKind::kGovernancePlan);
  EXPECT_EQ(s.segments[3].sources.at("kind"), "chain-registry versions.json (proposal 798)");
  ASSERT_TRUE(s.segments[3].binaries.at("linux/amd64").checksum);
  EXPECT_EQ(s.segments[3].binaries.at("linux/amd64").url,
            "https://github.com/cosmos/gaia/releases/download/v10.0.2/gaiad-v10.0.2-linux-amd64");
  EXPECT_TRUE(HasNote(*r, "versions[4] \"v15\"", "binaries without checksum: linux/amd64"));
  EXPECT_TRUE(HasNote(*r, "versions[5] \"v25.1.1\"", "has no usable height"));
  EXPECT_EQ(s.segments[5].first_height, kUnknownHeight);
  EXPECT_TRUE(s.segments[5].sources.at("first_height").starts_with("unknown"));
  // sdk.version gives the halt behaviour; without it, it stays unknown.
  EXPECT_EQ(s.segments[0].halt_semantics, HaltSemantics::kCommitThenExit);
  EXPECT_EQ(s.segments[0].sources.at("halt_semantics"),
            "chain-registry versions.json sdk.version v0.42.4");
  EXPECT_EQ(s.segments[1].halt_semantics, HaltSemantics::kUnknown);
  EXPECT_TRUE(HasNote(*r, "versions[0] \"genesis\"",
                      "binaries without checksum: darwin/amd64, linux/amd64"));
  // The import is a valid schedule file, and the lint sees the registry's gaps.
  EXPECT_EQ(*ParseSchedule(FormatSchedule(s)), s);
  auto findings = CheckSchedule(s, "linux/amd64", true);
  EXPECT_TRUE(HasErrors(findings));
}

TEST(ImportChainRegistry, OsmosisGenesisAtZeroBareHexAndVersionWithoutV) {
  auto r = ImportChainRegistry(kOsmosisVersions);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Schedule& s = r->schedule;
  ASSERT_EQ(s.segments.size(), 4u) << Notes(*r);
  EXPECT_EQ(s.segments[0].name, "v3");
  EXPECT_EQ(s.segments[0].kind, SwitchKind::kGenesis);
  EXPECT_EQ(s.segments[0].first_height, kUnknownHeight);  // height 0: not "height 1"
  EXPECT_TRUE(s.segments[0].sources.at("first_height").starts_with("unknown"));
  EXPECT_EQ(s.segments[0].version, "v3.1.0");  // from the tag: no recommended_version
  EXPECT_EQ(s.segments[0].sources.at("version"), "chain-registry versions.json tag");
  // name v5 runs tag v6.4.0 but recommends v6.4.1: recommended wins, the difference is noted.
  EXPECT_EQ(s.segments[1].version, "v6.4.1");
  EXPECT_TRUE(HasNote(*r, "versions[1] \"v5\"", "differs from tag \"v6.4.0\""));
  // "25.2.1" is kept as written, with a note.
  EXPECT_EQ(s.segments[2].version, "25.2.1");
  EXPECT_TRUE(HasNote(*r, "versions[2] \"v25\"", "no leading \"v\"")) << Notes(*r);
  EXPECT_TRUE(HasNote(*r, "versions[2] \"v25\"", "differs from tag \"v25.0.0\""));
  // Bare hex checksums (upper or lower case) are understood.
  const BinarySpec& v30 = s.segments[3].binaries.at("linux/amd64");
  ASSERT_TRUE(v30.checksum);
  EXPECT_EQ(v30.checksum->algo, HashAlgo::kSha256);
  EXPECT_EQ(v30.checksum->hex, "c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3");
  EXPECT_FALSE(HasNote(*r, "versions[3] \"v30\"", "without checksum"));
}

TEST(ImportChainRegistry, JunoHasNoGenesisEntry) {
  auto r = ImportChainRegistry(kJunoVersions);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Schedule& s = r->schedule;
  ASSERT_EQ(s.segments.size(), 4u);
  // The history before v13 is absent: a genesis segment that says so, not a guess.
  EXPECT_EQ(s.segments[0].kind, SwitchKind::kGenesis);
  EXPECT_EQ(s.segments[0].first_height, kUnknownHeight);
  EXPECT_TRUE(s.segments[0].binaries.empty());
  EXPECT_TRUE(s.segments[0].sources.at("binaries").starts_with("unknown"));
  EXPECT_EQ(s.segments[1].name, "v13");
  EXPECT_EQ(s.segments[1].kind, SwitchKind::kGovernancePlan);
  EXPECT_TRUE(HasNote(*r, "versions", "has no genesis entry")) << Notes(*r);
  EXPECT_TRUE(HasNote(*r, "versions[2] \"v27\"", "has no usable height"));
  EXPECT_TRUE(HasNote(*r, "versions[0] \"v13\"", "binaries without checksum: linux/amd64"));
  auto findings = CheckSchedule(s, "linux/amd64", false);
  bool genesis_error = false;
  for (const Finding& f : findings) {
    genesis_error |= f.where == "segments[0].binaries" && f.severity == Finding::Severity::kError;
  }
  EXPECT_TRUE(genesis_error) << FormatFindings(findings);
}

TEST(ImportChainRegistry, AkashFirstEntryWithoutHeightIsNotGenesis) {
  auto r = ImportChainRegistry(kAkashVersions);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Schedule& s = r->schedule;
  ASSERT_EQ(s.segments.size(), 5u) << Notes(*r);
  EXPECT_EQ(s.segments[0].name, "genesis");  // the unknown binary that ran from genesis
  EXPECT_TRUE(s.segments[0].binaries.empty());
  EXPECT_EQ(s.segments[1].name, "v0.22.0");
  EXPECT_NE(s.segments[1].kind, SwitchKind::kGenesis);
  EXPECT_EQ(s.segments[1].first_height, kUnknownHeight);
  EXPECT_EQ(s.segments[2].first_height, kUnknownHeight);
  EXPECT_EQ(s.segments[3].binaries.size(), 2u);
  EXPECT_EQ(
      s.segments[3].binaries.at("linux/arm64").url,
      "https://github.com/akash-network/node/releases/download/v0.26.1/akash_linux_arm64.zip");
  EXPECT_TRUE(s.segments[4].binaries.empty());
  EXPECT_TRUE(HasNote(*r, "versions[3] \"v2.0.0\"", "has no binaries"));
  EXPECT_TRUE(HasErrors(CheckSchedule(s, "linux/amd64", false)));
}

TEST(ImportChainRegistry, OlderChainJsonLayout) {
  auto r = ImportChainRegistry(kHubChainJson);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Schedule& s = r->schedule;
  EXPECT_EQ(s.chain_id, "cosmoshub-4");
  EXPECT_EQ(s.daemon_name, "gaiad");
  ASSERT_EQ(s.segments.size(), 3u);
  EXPECT_EQ(s.segments[0].name, "v4");  // codebase.genesis.name
  EXPECT_EQ(s.segments[0].kind, SwitchKind::kGenesis);
  EXPECT_EQ(s.segments[0].first_height, 5200791);
  EXPECT_EQ(s.segments[0].sources.at("name"), "chain-registry chain.json");
  EXPECT_EQ(s.segments[1].binaries.count("windows"), 0u);
  EXPECT_TRUE(
      HasNote(*r, "codebase.versions[1] \"v7-Theta\"", "binary key \"windows\" is not os/arch"))
      << Notes(*r);
  // A malformed checksum drops that binary with a note, never the whole import.
  EXPECT_TRUE(s.segments[2].binaries.empty());
  EXPECT_TRUE(HasNote(*r, "codebase.versions[2] \"v14\"", "binary for linux/amd64 ignored"));
  EXPECT_FALSE(HasNote(*r, "chain_id", ""));
}

TEST(ImportChainRegistry, GenesisNamedLaterIsNotMovedButReported) {
  auto r = ImportChainRegistry(R"({"chain_id":"x-1","daemon_name":"xd","codebase":{
      "genesis":{"name":"v1"},
      "versions":[{"name":"v2","height":100,"proposal":3},{"name":"v1","height":1}]}})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->schedule.segments.size(), 2u);
  EXPECT_EQ(r->schedule.segments[0].name, "v2");  // the file's order, not re-sorted
  EXPECT_EQ(r->schedule.segments[1].name, "v1");
  auto findings = CheckSchedule(r->schedule, "linux/amd64", false);
  EXPECT_TRUE(HasErrors(findings));
  bool order = false;
  for (const Finding& f : findings) {
    order |= f.where == "segments[1].first_height" &&
             f.message.find("below segments[0] \"v2\"") != std::string::npos;
  }
  EXPECT_TRUE(order) << FormatFindings(findings);
}

TEST(ImportChainRegistry, CurrentChainJsonGivesChainFacts) {
  auto r = ImportChainRegistry(
      R"({"chain_name":"cosmoshub","chain_id":"cosmoshub-4","daemon_name":"gaiad",
          "codebase":{"git_repo":"https://github.com/cosmos/gaia","recommended_version":"v27.0.0",
                      "sdk":{"type":"cosmos","version":"v0.53.4"},
                      "binaries":{"linux/amd64":"https://example.org/v27.0.0/gaiad"}}})",
      {"hub.chain.json", ""});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->schedule.chain_id, "cosmoshub-4");
  EXPECT_EQ(r->schedule.sources.at("daemon_name"), "chain-registry chain.json (hub.chain.json)");
  EXPECT_TRUE(r->schedule.segments.empty());
  ASSERT_TRUE(r->facts);
  EXPECT_EQ(r->facts->recommended_version, "v27.0.0");
  EXPECT_EQ(r->facts->sdk_version, "v0.53.4");
  // Without a codebase block at all it is still a source of chain facts.
  auto bare = ImportChainRegistry(R"({"chain_name":"x","chain_id":"x-1","daemon_name":"xd"})");
  ASSERT_TRUE(bare.ok()) << bare.status().message();
  EXPECT_EQ(bare->schedule.daemon_name, "xd");
  // The facts reach the segment that runs the recommended version.
  Schedule s;
  Segment seg;
  seg.first_height = 100;
  seg.name = "v27";
  seg.version = "v27.0.0";
  seg.halt_semantics = HaltSemantics::kUnknown;
  s.segments.push_back(seg);
  auto notes = ApplyChainFacts(s, *r->facts, "cosmoshub-4", "gaiad");
  EXPECT_TRUE(notes.empty());
  EXPECT_EQ(s.chain_id, "cosmoshub-4");
  EXPECT_EQ(s.segments[0].halt_semantics, HaltSemantics::kStopBefore);
  EXPECT_EQ(s.segments[0].binaries.size(), 1u);
}

TEST(ImportChainRegistry, OddEntriesAreNotedNotFatal) {
  auto r = ImportChainRegistry(R"({"chain_name":"odd","versions":[
      {"name":"genesis"},
      7,
      {"tag":"v2.0.0","height":50},
      {"name":"v3","height":"120","proposal":"12"},
      {"name":"v4","height":-3},
      {"name":"v5","height":1},
      {"name":"v6","height":200,"binaries":"https://x"}]})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Schedule& s = r->schedule;
  ASSERT_EQ(s.segments.size(), 5u) << Notes(*r);
  EXPECT_EQ(s.segments[0].first_height, kUnknownHeight);  // "genesis" without a height
  EXPECT_EQ(s.segments[1].name, "v3");
  EXPECT_EQ(s.segments[1].first_height, 120);
  EXPECT_EQ(s.segments[1].kind, SwitchKind::kGovernancePlan);
  EXPECT_EQ(s.segments[2].first_height, kUnknownHeight);  // -3
  EXPECT_EQ(s.segments[3].first_height, kUnknownHeight);  // 1 is no switch height
  EXPECT_TRUE(HasNote(*r, "versions[1]", "is not an object"));
  EXPECT_TRUE(HasNote(*r, "versions[2]", "has no name"));
  EXPECT_TRUE(HasNote(*r, "versions[4] \"v4\"", "has no usable height"));
  EXPECT_TRUE(HasNote(*r, "versions[5] \"v5\"", "has no usable height"));
  EXPECT_TRUE(HasNote(*r, "versions[6] \"v6\"", "binaries is not an object"));
  EXPECT_EQ(*ParseSchedule(FormatSchedule(s)), s);
}

TEST(ImportChainRegistry, RejectsWhatIsNotARegistryFile) {
  EXPECT_FALSE(ImportChainRegistry("").ok());
  EXPECT_FALSE(ImportChainRegistry("[1,2]").ok());
  EXPECT_FALSE(ImportChainRegistry(R"({"chain_name":"x"})").ok());
  EXPECT_FALSE(ImportChainRegistry(R"({"name":"x","codebase":[]})").ok());
  EXPECT_FALSE(ImportChainRegistry(R"({"chain_name":"x","versions":{}})").ok());
}

}  // namespace
}  // namespace plans

namespace plans {
namespace {

// Hub: v19 points at v20, which the registry lacks (Gaia has the handler).
TEST(ImportChainRegistry, BrokenNextVersionLinkIsNoted) {
  auto r = ImportChainRegistry(R"({"chain_name":"cosmoshub","versions":[
      {"name":"v19","height":21835200,"proposal":948,"recommended_version":"v19.2.0",
       "previous_version_name":"v18","next_version_name":"v20"},
      {"name":"v21","height":22953640,"proposal":971,"recommended_version":"v21.0.0",
       "previous_version_name":"v20","next_version_name":""}]})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  bool noted = false;
  for (const ImportNote& n : r->notes) {
    noted |= n.where == "versions[0] \"v19\"" &&
             n.message.find("next_version_name \"v20\" names no entry") != std::string::npos;
  }
  EXPECT_TRUE(noted);
}

}  // namespace
}  // namespace plans
