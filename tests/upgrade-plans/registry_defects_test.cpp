// One test per defect class of issue 12, each on a small file in the real chain-registry schema
// (versions.json), imported and then judged by CheckSchedule as `plans import` + `plans check`
// do. The names and heights are the real entries' (Hub, Osmosis, Juno, Akash).
#include <gtest/gtest.h>

#include <string>

#include "upgrade-plans/chain_registry.h"
#include "upgrade-plans/schedule_lint.h"
#include "upgrade-plans/schedule_merge.h"

namespace plans {
namespace {

constexpr const char* kSum =
    "?checksum=sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

std::string Entry(const std::string& name, const std::string& height, const std::string& extra,
                  const std::string& version = "") {
  std::string v = version.empty() ? name + ".0.0" : version;
  return "{\"name\":\"" + name + "\"" + (height.empty() ? "" : ",\"height\":" + height) +
         ",\"recommended_version\":\"" + v + "\",\"binaries\":{\"linux/amd64\":\"https://e.org/" +
         v + "/d" + kSum + "\"}" + (extra.empty() ? "" : "," + extra) + "}";
}

std::string File(const std::vector<std::string>& entries) {
  std::string out = "{\"chain_name\":\"t\",\"versions\":[";
  for (size_t i = 0; i < entries.size(); ++i) out += (i ? "," : "") + entries[i];
  return out + "]}";
}

std::vector<Finding> Check(const std::string& text, Schedule* out = nullptr) {
  auto r = ImportChainRegistry(text, {"t.versions.json", ""});
  EXPECT_TRUE(r.ok()) << r.status().message();
  if (!r.ok()) return {};
  if (out) *out = r->schedule;
  // What `plans import` writes is what `plans check` reads.
  auto again = ParseSchedule(FormatSchedule(r->schedule));
  EXPECT_TRUE(again.ok() && *again == r->schedule) << FormatSchedule(r->schedule);
  return CheckSchedule(r->schedule, "linux/amd64", true);
}

const Finding* Find(const std::vector<Finding>& f, const std::string& where,
                    const std::string& fragment) {
  for (const Finding& x : f) {
    if (x.where == where && x.message.find(fragment) != std::string::npos) return &x;
  }
  return nullptr;
}

const std::string kSdk47 = "\"sdk\":{\"type\":\"cosmos\",\"version\":\"v0.47.5\"}";

// 1. A first entry without a height is not genesis at height 1 (Akash v0.22.7).
TEST(RegistryDefects, FirstEntryWithoutHeightIsNoGenesis) {
  Schedule s;
  auto f = Check(File({Entry("v0.22.7", "", kSdk47, "v0.22.7"),
                       Entry("v0.24.0", "12992204", kSdk47 + ",\"proposal\":201", "v0.24.0")}),
                 &s);
  ASSERT_EQ(s.segments.size(), 3u);
  EXPECT_EQ(s.segments[0].first_height, kUnknownHeight);
  EXPECT_TRUE(s.segments[0].binaries.empty());
  EXPECT_EQ(s.segments[1].name, "v0.22.7");
  const Finding* hole = Find(f, "segments[0].binaries", "the binary is unknown");
  ASSERT_NE(hole, nullptr) << FormatFindings(f);
  EXPECT_EQ(hole->severity, Finding::Severity::kError);
  EXPECT_NE(hole->source.find("t.versions.json"), std::string::npos);
  const Finding* h = Find(f, "segments[1].first_height", "first height unknown");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->segment, "v0.22.7");
  EXPECT_TRUE(HasErrors(f));
}

// 2. Out of order entries stay where they are, and the error names both.
TEST(RegistryDefects, OutOfOrderIsAnErrorNamingBoth) {
  Schedule s;
  auto f = Check(File({Entry("genesis", "1", kSdk47, "v0.10.0"),
                       Entry("v0.30.0", "9000000", kSdk47 + ",\"proposal\":4"),
                       Entry("v0.26.0", "8000000", kSdk47 + ",\"proposal\":3")}),
                 &s);
  EXPECT_EQ(s.segments[1].name, "v0.30.0");
  EXPECT_EQ(s.segments[2].name, "v0.26.0");
  const Finding* e = Find(f, "segments[2].first_height", "below segments[1] \"v0.30.0\"");
  ASSERT_NE(e, nullptr) << FormatFindings(f);
  EXPECT_EQ(e->severity, Finding::Severity::kError);
  EXPECT_NE(e->message.find("\"v0.26.0\""), std::string::npos);
}

// 3. next_version_name naming itself, skipping an entry, empty before the end; a
// previous_version_name that disagrees.
TEST(RegistryDefects, BrokenLinksAreReported) {
  auto f = Check(File({Entry("genesis", "5200791", kSdk47 + ",\"next_version_name\":\"v7-Theta\""),
                       Entry("v7-Theta", "10085397", kSdk47 + ",\"next_version_name\":\"v9-Lambda\""),
                       Entry("v8-Rho", "14099412", kSdk47 + ",\"next_version_name\":\"v8-Rho\""),
                       Entry("v9-Lambda", "15213800",
                             kSdk47 + ",\"next_version_name\":\"\",\"previous_version_name\":\"v7-Theta\""),
                       Entry("v10", "15816200", kSdk47 + ",\"proposal\":798")}));
  EXPECT_NE(Find(f, "segments[1].next_name", "\"v9-Lambda\" as its next version, but segments[2] "
                                             "\"v8-Rho\" follows it (skipped)"),
            nullptr)
      << FormatFindings(f);
  EXPECT_NE(Find(f, "segments[2].next_name", "names itself"), nullptr);
  EXPECT_NE(Find(f, "segments[3].next_name", "names no next version"), nullptr);
  EXPECT_NE(Find(f, "segments[3].previous_name", "\"v7-Theta\" as its previous version"), nullptr);
}

// 4. sdk.version decides the halt behaviour; unknown stays unknown and blocks the switch.
TEST(RegistryDefects, HaltBehaviourFromSdkVersion) {
  Schedule s;
  auto f = Check(
      File({Entry("v3", "0", ""),
            Entry("v4", "1314500", ""),
            Entry("v26", "21046000", "\"proposal\":837,\"sdk\":{\"version\":\"0.50.6\"}"),
            Entry("v28", "25861100", "\"proposal\":879,\"sdk\":{\"version\":\"0.50.10\"}"),
            Entry("v28.0.1+", "29743104", "\"sdk\":{\"version\":\"0.50.11\"}", "28.0.4")}),
      &s);
  EXPECT_EQ(s.segments[0].halt_semantics, HaltSemantics::kUnknown);
  EXPECT_EQ(s.segments[2].halt_semantics, HaltSemantics::kCommitThenStall);
  EXPECT_EQ(s.segments[3].halt_semantics, HaltSemantics::kStopBefore);
  // v28 (0.50.10) refuses its --halt-height: it is started with 29743104, not 29743103.
  auto args = StartArgs(s, 3, {"start"});
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(args[2], "29743104");
  const Finding* e = Find(f, "segments[0].halt_semantics", "halt-height switch to segments[1]");
  ASSERT_NE(e, nullptr) << FormatFindings(f);
  EXPECT_EQ(e->severity, Finding::Severity::kError);
  EXPECT_EQ(Find(f, "segments[3].halt_semantics", ""), nullptr);
}

// 5. A binary URL in another version's release folder (Osmosis v27 in v25.0.0).
TEST(RegistryDefects, ReleaseFolderOfAnotherVersion) {
  std::string v27 =
      "{\"name\":\"v27\",\"height\":24250100,\"proposal\":861,\"recommended_version\":\"27.0.0\","
      "\"sdk\":{\"version\":\"0.50.10\"},\"binaries\":{\"linux/amd64\":\"https://github.com/"
      "osmosis-labs/osmosis/releases/download/v25.0.0/osmosisd-27.0.0-linux-amd64" +
      std::string(kSum) + "\"}}";
  auto f = Check(File({Entry("v3", "0", kSdk47), v27}));
  const Finding* w = Find(f, "segments[1].binaries.linux/amd64", "release folder \"v25.0.0\"");
  ASSERT_NE(w, nullptr) << FormatFindings(f);
  EXPECT_EQ(w->segment, "v27");
}

// 8. Entries without a height are kept, so the previous segment does not run "to the tip".
TEST(RegistryDefects, EntriesWithoutHeightStayVisible) {
  Schedule s;
  auto f = Check(File({Entry("genesis", "5200791", kSdk47),
                       Entry("v22", "24181000", "\"proposal\":987,\"sdk\":{\"version\":\"v0.50.11\"}"),
                       Entry("v25.1.1", "", "\"sdk\":{\"version\":\"v0.53.3\"}", "v25.1.1")}),
                 &s);
  ASSERT_EQ(s.segments.size(), 3u);
  std::string table = ExplainSchedule(s, "linux/amd64", {"start"}, std::nullopt);
  EXPECT_NE(table.find("24181000-?"), std::string::npos) << table;
  EXPECT_NE(table.find("HOLE: first height unknown"), std::string::npos) << table;
  EXPECT_EQ(table.find("24181000-tip"), std::string::npos) << table;
  std::string at = ExplainSchedule(s, "linux/amd64", {"start"}, 24181000);
  EXPECT_NE(at.find("segments[1]"), std::string::npos) << at;
  EXPECT_NE(at.find("UNCERTAIN"), std::string::npos) << at;
  EXPECT_NE(Find(f, "segments[2].first_height", "first height unknown"), nullptr);
}

// Juno v19 recommends v20.0.0.
TEST(RegistryDefects, VersionOfAnotherMajorThanTheName) {
  auto f = Check(File({Entry("v13", "7374801", kSdk47 + ",\"proposal\":271"),
                       Entry("v19", "13678871", kSdk47 + ",\"proposal\":333", "v20.0.0")}));
  EXPECT_NE(Find(f, "segments[2].version", "another major"), nullptr) << FormatFindings(f);
}

// 9. With a conflict, the whole entry stays from the higher-priority side: never its version
// with the other side's binary.
TEST(RegistryDefects, MergeConflictKeepsAWholeEntry) {
  Schedule a, b;
  Segment g;
  g.kind = SwitchKind::kGenesis;
  g.name = "genesis";
  g.first_height = 1;
  g.version = "v1.0.0";
  g.binaries["linux/amd64"] = {"linux/amd64", "https://e.org/v1.0.0/d", std::nullopt};
  Segment v2 = g;
  v2.kind = SwitchKind::kGovernancePlan;
  v2.name = "v2";
  v2.first_height = 100;
  v2.version = "v2.0.0";
  v2.binaries.clear();  // a knows the version but no binary
  a.segments = {g, v2};
  Segment v2b = v2;
  v2b.version = "v2.0.1";
  v2b.binaries["linux/amd64"] = {"linux/amd64", "https://e.org/v2.0.1/d", std::nullopt};
  b.segments = {g, v2b};
  auto m = MergeSchedules(a, b);
  ASSERT_EQ(m.conflicts.size(), 1u);
  EXPECT_EQ(m.conflicts[0].field, "version");
  EXPECT_EQ(m.schedule.segments[1].version, "v2.0.0");
  EXPECT_TRUE(m.schedule.segments[1].binaries.empty());  // not b's v2.0.1 binary
}

// A name no schedule can hold (a folder escape, control characters) is noted and skipped, so
// what the importer returns always formats and parses back.
TEST(RegistryDefects, NamesNoScheduleCanHoldAreSkippedWithANote) {
  auto r = ImportChainRegistry(File({Entry("genesis", "1", kSdk47), Entry("..", "100", kSdk47)}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->schedule.segments.size(), 1u);
  bool noted = false;
  for (const ImportNote& n : r->notes) noted |= n.message.find("skipped") != std::string::npos;
  EXPECT_TRUE(noted);
  EXPECT_TRUE(ParseSchedule(FormatSchedule(r->schedule)).ok());
}

TEST(SdkVersions, HaltSemanticsByLine) {
  EXPECT_EQ(HaltSemanticsFromSdkVersion("v0.42.4"), HaltSemantics::kCommitThenExit);
  EXPECT_EQ(HaltSemanticsFromSdkVersion("0.47.5"), HaltSemantics::kCommitThenExit);
  EXPECT_EQ(HaltSemanticsFromSdkVersion("v0.47.15-ics-lsm"), HaltSemantics::kCommitThenExit);
  EXPECT_EQ(HaltSemanticsFromSdkVersion("v0.50.0-rc.1"), HaltSemantics::kCommitThenStall);
  EXPECT_EQ(HaltSemanticsFromSdkVersion("0.50.9"), HaltSemantics::kCommitThenStall);
  EXPECT_EQ(HaltSemanticsFromSdkVersion("v0.50.9-lsm"), HaltSemantics::kCommitThenStall);
  EXPECT_EQ(HaltSemanticsFromSdkVersion("0.50.10"), HaltSemantics::kStopBefore);
  EXPECT_EQ(HaltSemanticsFromSdkVersion("v0.50.14-v30-osmo"), HaltSemantics::kStopBefore);
  EXPECT_EQ(HaltSemanticsFromSdkVersion("v0.53.4"), HaltSemantics::kStopBefore);
  for (const char* v : {"", "v0.52.0", "v0.54.0", "v1.0.0", "0.50", "latest", "v0.50.x",
                        "0.47.5a"}) {
    EXPECT_EQ(HaltSemanticsFromSdkVersion(v), HaltSemantics::kUnknown) << v;
  }
  EXPECT_EQ(HaltHeightFlagValue(HaltSemantics::kCommitThenStall, 99), 99);
  EXPECT_EQ(HaltHeightFlagValue(HaltSemantics::kStopBefore, 99), 100);
}

TEST(SdkVersions, FromVersionLongOutput) {
  EXPECT_EQ(SdkVersionFromVersionOutput("name: gaia\nversion: v19.2.0\ncosmos_sdk_version: "
                                        "v0.50.9-lsm\nbuild_deps:\n"),
            "v0.50.9-lsm");
  EXPECT_EQ(SdkVersionFromVersionOutput(R"({"name":"osmosis","cosmos_sdk_version":"v0.50.10"})"),
            "v0.50.10");
  EXPECT_EQ(SdkVersionFromVersionOutput("build_deps:\n- github.com/cosmos/cosmos-sdk@v0.47.5\n"),
            "v0.47.5");
  EXPECT_EQ(SdkVersionFromVersionOutput(
                "- github.com/cosmos/cosmos-sdk@v0.50.14 => "
                "github.com/osmosis-labs/cosmos-sdk@v0.50.14-v30-osmo\n"),
            "v0.50.14-v30-osmo");
  EXPECT_EQ(SdkVersionFromVersionOutput("v1.0.0\n"), "");
}

TEST(ScheduleFormat, HolesNeedFormat2AndOldFilesRead) {
  Schedule s;
  Segment g;
  g.kind = SwitchKind::kGenesis;
  g.name = "genesis";
  g.first_height = kUnknownHeight;
  s.segments = {g};
  std::string text = FormatSchedule(s);
  EXPECT_NE(text.find("\"format_version\": 2"), std::string::npos) << text;
  EXPECT_NE(text.find("\"first_height\": null"), std::string::npos) << text;
  auto back = ParseSchedule(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->segments[0].first_height, kUnknownHeight);
  // A format 1 file may not carry format 2's holes...
  std::string v1 = text;
  v1.replace(v1.find("\"format_version\": 2"), 19, "\"format_version\": 1");
  auto refused = ParseSchedule(v1);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("set format_version to 2"), std::string::npos);
  // ...and a schedule without holes is still written as format 1.
  s.segments[0].first_height = 1;
  EXPECT_NE(FormatSchedule(s).find("\"format_version\": 1"), std::string::npos);
  EXPECT_FALSE(ParseSchedule(R"({"format_version":3,"segments":[]})").ok());
}

}  // namespace
}  // namespace plans
