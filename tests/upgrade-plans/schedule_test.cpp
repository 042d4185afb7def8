#include "upgrade-plans/schedule.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace plans {
namespace {

const std::string kHex(64, 'a');

Schedule ThreeSegments() {
  Schedule s;
  s.chain_id = "demo-1";
  s.daemon_name = "demod";
  Segment g;
  g.first_height = 1;
  g.kind = SwitchKind::kGenesis;
  g.name = "genesis";
  g.version = "v1.0.0";
  g.binaries["linux/amd64"] = {"linux/amd64", "https://e.org/demod-1",
                               Checksum{HashAlgo::kSha256, kHex}};
  g.args.add = {"--x-crisis-skip-assert-invariants"};
  Segment v2;
  v2.first_height = 1000;
  v2.kind = SwitchKind::kGovernancePlan;
  v2.name = "v2";
  v2.version = "v2.0.0";
  v2.binaries["any"] = {"any", "https://e.org/demod-2.zip?x=1", std::nullopt};
  v2.signatures["any"] = "https://e.org/demod-2.zip.minisig";
  v2.sources["first_height"] = "rest applied_plan";
  Segment fix;
  fix.first_height = 1500;
  fix.kind = SwitchKind::kHaltHeight;
  fix.name = "v2.0.1-fix";
  fix.version = "v2.0.1";
  fix.args.remove = {"--x-crisis-skip-assert-invariants"};
  s.segments = {g, v2, fix};
  return s;
}

TEST(Schedule, SwitchKindNamesRoundTrip) {
  for (SwitchKind k :
       {SwitchKind::kGenesis, SwitchKind::kGovernancePlan, SwitchKind::kHaltHeight}) {
    EXPECT_EQ(SwitchKindFromName(SwitchKindName(k)), k);
  }
  EXPECT_EQ(SwitchKindName(SwitchKind::kGovernancePlan), "gov-plan");
  EXPECT_FALSE(SwitchKindFromName("in-binary-fork"));
}

TEST(Schedule, FormatParseRoundTrip) {
  Schedule s = ThreeSegments();
  std::string text = FormatSchedule(s);
  auto parsed = ParseSchedule(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message() << "\n" << text;
  EXPECT_EQ(*parsed, s);
  EXPECT_NE(text.find("\"linux/amd64\": \"https://e.org/demod-1?checksum=sha256:" + kHex),
            std::string::npos);
  // Readable order: first_height before kind before name.
  EXPECT_LT(text.find("first_height"), text.find("\"kind\""));
  EXPECT_EQ(FormatSchedule(*parsed), text);
}

// A segment whose version is unknown leaves the key out ("version": "" read as an expected
// empty version output).
TEST(Schedule, UnknownVersionIsLeftOut) {
  Schedule s = ThreeSegments();
  s.segments[1].version.clear();
  std::string text = FormatSchedule(s);
  EXPECT_EQ(text.find("\"version\": \"\""), std::string::npos) << text;
  auto parsed = ParseSchedule(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(*parsed, s);
}

TEST(Schedule, ChecksumBeforeFragmentSurvivesRoundTrip) {
  Schedule s = ThreeSegments();
  s.segments[1].binaries["any"] = {"any", "https://e.org/a?x=1#frag",
                                   Checksum{HashAlgo::kSha256, kHex}};
  auto parsed = ParseSchedule(FormatSchedule(s));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(*parsed, s);
}

TEST(Schedule, ParsesBareHexAndUpperCaseChecksums) {
  auto s = ParseSchedule(R"({"format_version":1,"segments":[{"first_height":1,"kind":"genesis",
      "name":"genesis","binaries":{"linux/amd64":"https://e.org/o?checksum=)" +
                         std::string(64, 'B') + R"("}}]})");
  ASSERT_TRUE(s.ok()) << s.status().message();
  const BinarySpec& b = s->segments[0].binaries.at("linux/amd64");
  EXPECT_EQ(b.url, "https://e.org/o");
  ASSERT_TRUE(b.checksum);
  EXPECT_EQ(b.checksum->hex, std::string(64, 'b'));
}

void ExpectError(const std::string& text, const std::string& fragment) {
  auto s = ParseSchedule(text);
  ASSERT_FALSE(s.ok()) << "parsed: " << text;
  EXPECT_NE(s.status().message().find(fragment), std::string::npos) << s.status().message();
  EXPECT_TRUE(s.status().Is(base::Status::Code::kInvalidArgument));
}

std::string OneSegment(const std::string& segment_body) {
  return R"({"format_version":1,"chain_id":"c","daemon_name":"d","segments":[)"
         R"({"first_height":1,"kind":"genesis","name":"genesis"},)" +
         segment_body + "]}";
}

TEST(Schedule, ErrorsNameSegmentAndField) {
  ExpectError(OneSegment(R"({"first_height":0,"kind":"gov-plan","name":"v10"})"),
              "segments[1].first_height: must be an integer above 0 (segment \"v10\")");
  ExpectError(OneSegment(R"({"first_height":-5,"kind":"gov-plan","name":"v10"})"),
              "segments[1].first_height: must be an integer above 0");
  ExpectError(OneSegment(R"({"first_height":"100","kind":"gov-plan","name":"v10"})"),
              "segments[1].first_height: must be an integer above 0, got string");
  ExpectError(OneSegment(R"({"first_height":1.5,"kind":"gov-plan","name":"v10"})"),
              "segments[1].first_height");
  ExpectError(OneSegment(R"({"kind":"gov-plan","name":"v10"})"),
              "segments[1].first_height: missing");
  ExpectError(OneSegment(R"({"first_height":5,"kind":"fork","name":"v10"})"),
              "segments[1].kind: \"fork\" is not one of");
  ExpectError(OneSegment(R"({"first_height":5,"kind":"gov-plan"})"), "segments[1].name: missing");
  ExpectError(OneSegment(R"({"first_height":5,"kind":"gov-plan","name":"v10","first-height":5})"),
              "segments[1].first-height: unknown field");
  ExpectError(
      OneSegment(
          R"({"first_height":5,"kind":"gov-plan","name":"v10","binaries":{"linux":"https://x"}})"),
      "segments[1].binaries.linux: platform key");
  ExpectError(
      OneSegment(
          R"({"first_height":5,"kind":"gov-plan","name":"v10","binaries":{"linux/amd64":"https://x?checksum=sha256:zz"}})"),
      "segments[1].binaries.linux/amd64: URL https://x?checksum=sha256:zz");
  ExpectError(
      OneSegment(
          R"({"first_height":5,"kind":"gov-plan","name":"v10","binaries":{"linux/amd64":""}})"),
      "segments[1].binaries.linux/amd64: URL is empty");
  ExpectError(
      OneSegment(R"({"first_height":5,"kind":"gov-plan","name":"v10","args":{"add":"--x"}})"),
      "segments[1].args.add: must be an array of strings");
  ExpectError(OneSegment(R"({"first_height":5,"kind":"gov-plan","name":"v10","args":{"add":[1]}})"),
              "segments[1].args.add[0]: must be a string");
  ExpectError(OneSegment(R"({"first_height":5,"kind":"gov-plan","name":"v10","sources":{"x":1}})"),
              "segments[1].sources.x: must be a string");
  ExpectError(OneSegment("7"), "segments[1]: must be an object");
}

TEST(Schedule, TopLevelErrors) {
  ExpectError("", "not valid JSON");
  ExpectError("[]", "must be a JSON object");
  ExpectError(R"({"segments":[]})", "format_version: missing");
  ExpectError(R"({"format_version":3,"segments":[]})", "only knows versions 1 and 2");
  ExpectError(R"({"format_version":1})", "segments: missing");
  ExpectError(R"({"format_version":1,"segments":{}})", "segments: must be an array");
  ExpectError(R"({"format_version":1,"segments":[],"chain":"x"})", "chain: unknown field");
  ExpectError(R"({"format_version":1,"segments":[],"chain_id":4})", "chain_id: must be a string");
}

TEST(Schedule, CommentsAndSchemaKeyAreAccepted) {
  auto s = ParseSchedule(R"({"$schema":"./schedule.schema.json","comment":"hub","format_version":1,
      "segments":[{"comment":"from the docs","first_height":1,"kind":"genesis","name":"genesis"}]})");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->segments.size(), 1u);
}

TEST(Schedule, LastHeightAndSegmentForHeight) {
  Schedule s = ThreeSegments();
  EXPECT_EQ(LastHeight(s, 0), 999);
  EXPECT_EQ(LastHeight(s, 1), 1499);
  EXPECT_EQ(LastHeight(s, 2), std::nullopt);
  EXPECT_EQ(LastHeight(s, 7), std::nullopt);
  EXPECT_EQ(SegmentForHeight(s, 0), std::nullopt);
  EXPECT_EQ(SegmentForHeight(s, 1), 0u);
  EXPECT_EQ(SegmentForHeight(s, 999), 0u);
  EXPECT_EQ(SegmentForHeight(s, 1000), 1u);
  EXPECT_EQ(SegmentForHeight(s, 1499), 1u);
  EXPECT_EQ(SegmentForHeight(s, 1500), 2u);
  EXPECT_EQ(SegmentForHeight(s, 99999999), 2u);
  EXPECT_EQ(SegmentForHeight(Schedule{}, 5), std::nullopt);
}

TEST(Schedule, CosmosHubStartsAboveOne) {
  Schedule s = ThreeSegments();
  s.segments[0].first_height = 5200791;
  s.segments[1].first_height = 6910000;
  s.segments[2].first_height = 8695000;
  EXPECT_EQ(SegmentForHeight(s, 5200790), std::nullopt);
  EXPECT_EQ(SegmentForHeight(s, 5200791), 0u);
}

using Args = std::vector<std::string>;

TEST(StartArgs, GovPlanNextAddsNoHaltHeight) {
  Schedule s = ThreeSegments();
  EXPECT_EQ(StartArgs(s, 0, {"start", "--home", "/data"}),
            (Args{"start", "--home", "/data", "--x-crisis-skip-assert-invariants"}));
}

TEST(StartArgs, HaltHeightNextStopsAtTheBlockBefore) {
  Schedule s = ThreeSegments();
  EXPECT_EQ(StartArgs(s, 1, {"start", "--home", "/data"}),
            (Args{"start", "--home", "/data", "--halt-height", "1499"}));
}

TEST(StartArgs, StopBeforeBinaryGetsTheSwitchHeightItself) {
  // An SDK 0.50+ binary refuses the halt height: to commit 1499 and no more it needs 1500.
  Schedule s = ThreeSegments();
  s.segments[1].halt_semantics = HaltSemantics::kStopBefore;
  EXPECT_EQ(StartArgs(s, 1, {"start"}), (Args{"start", "--halt-height", "1500"}));
  EXPECT_EQ(HaltHeightFlagValue(HaltSemantics::kCommitThenExit, 1499), 1499);
  EXPECT_EQ(HaltHeightFlagValue(HaltSemantics::kStopBefore, 1499), 1500);
}

TEST(Schedule, HaltSemanticsRoundTripAndDefault) {
  Schedule s = ThreeSegments();
  s.segments[1].halt_semantics = HaltSemantics::kStopBefore;
  std::string text = FormatSchedule(s);
  EXPECT_NE(text.find("\"halt_semantics\": \"stop-before\""), std::string::npos) << text;
  EXPECT_EQ(text.find("commit-then-exit"), std::string::npos) << "the default is left out";
  auto parsed = ParseSchedule(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(*parsed, s);
  EXPECT_EQ(parsed->segments[0].halt_semantics, HaltSemantics::kCommitThenExit);
  for (HaltSemantics h : {HaltSemantics::kCommitThenExit, HaltSemantics::kStopBefore}) {
    EXPECT_EQ(HaltSemanticsFromName(HaltSemanticsName(h)), h);
  }
  std::string bad = text;
  bad.replace(bad.find("stop-before"), 11, "sdk-0.50");
  auto refused = ParseSchedule(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("segments[1].halt_semantics"), std::string::npos)
      << refused.status().message();
}

TEST(StartArgs, ReplacesAnOperatorHaltHeight) {
  Schedule s = ThreeSegments();
  EXPECT_EQ(StartArgs(s, 1, {"start", "--halt-height=20", "--halt-height", "30"}),
            (Args{"start", "--halt-height", "1499"}));
}

TEST(StartArgs, RemoveTakesTheValueInBothSpellings) {
  Schedule s = ThreeSegments();
  s.segments[2].args.remove = {"--x-crisis-skip-assert-invariants", "--pruning", "--db_backend"};
  s.segments[2].args.add = {"--pruning=nothing"};
  Args base{"start",
            "--x-crisis-skip-assert-invariants",
            "--pruning",
            "everything",
            "--db_backend=goleveldb",
            "--home",
            "/data"};
  EXPECT_EQ(StartArgs(s, 2, base), (Args{"start", "--home", "/data", "--pruning=nothing"}));
}

TEST(StartArgs, RemoveWithValueRemovesOnlyThatValue) {
  Schedule s = ThreeSegments();
  s.segments[2].args.remove = {"--log_format=json"};
  EXPECT_EQ(StartArgs(s, 2, {"start", "--log_format", "json"}), (Args{"start"}));
  EXPECT_EQ(StartArgs(s, 2, {"start", "--log_format=json"}), (Args{"start"}));
  EXPECT_EQ(StartArgs(s, 2, {"start", "--log_format", "plain"}),
            (Args{"start", "--log_format", "plain"}));
}

TEST(StartArgs, BooleanFlagFollowedByFlagKeepsTheNextFlag) {
  Schedule s = ThreeSegments();
  s.segments[2].args.remove = {"--x-crisis-skip-assert-invariants"};
  EXPECT_EQ(StartArgs(s, 2, {"start", "--x-crisis-skip-assert-invariants", "--home", "/d"}),
            (Args{"start", "--home", "/d"}));
}

TEST(StartArgs, OutOfRangeReturnsBase) {
  EXPECT_EQ(StartArgs(ThreeSegments(), 9, {"start"}), (Args{"start"}));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every ```json block in upgrade-plans/README.md is a schedule and must parse (and round-trip).
TEST(Schedule, ReadmeExamplesParse) {
  std::string md = ReadFile(std::string(REPLAYER_SOURCE_DIR) + "/upgrade-plans/README.md");
  ASSERT_FALSE(md.empty());
  size_t count = 0;
  for (size_t pos = md.find("```json\n"); pos != std::string::npos;
       pos = md.find("```json\n", pos + 1)) {
    size_t start = pos + 8;
    size_t end = md.find("```", start);
    ASSERT_NE(end, std::string::npos);
    auto s = ParseSchedule(md.substr(start, end - start));
    ASSERT_TRUE(s.ok()) << "README example " << count << ": " << s.status().message();
    EXPECT_EQ(*ParseSchedule(FormatSchedule(*s)), *s);
    ++count;
  }
  EXPECT_GE(count, 2u);
}

TEST(Schedule, ReadmeWorkedExampleMatchesItsTable) {
  std::string md = ReadFile(std::string(REPLAYER_SOURCE_DIR) + "/upgrade-plans/README.md");
  size_t start = md.find("```json\n") + 8;
  auto s = ParseSchedule(md.substr(start, md.find("```", start) - start));
  ASSERT_TRUE(s.ok());
  Args base{"start", "--home", "/data"};
  EXPECT_EQ(StartArgs(*s, 0, base),
            (Args{"start", "--home", "/data", "--x-crisis-skip-assert-invariants"}));
  EXPECT_EQ(StartArgs(*s, 1, base), (Args{"start", "--home", "/data", "--halt-height", "1499"}));
  EXPECT_EQ(StartArgs(*s, 2, base), base);
}

}  // namespace
}  // namespace plans

namespace plans {
namespace {

TEST(Schedule, FindSegmentMatchesLikeCosmovisorFolders) {
  Schedule s;
  s.segments = {Segment{}, Segment{}};
  s.segments[0].name = "genesis";
  s.segments[1].name = "v7-Theta";
  EXPECT_EQ(FindSegment(s, "v7-theta"), 1u);
  EXPECT_EQ(FindSegment(s, "V7-THETA"), 1u);
  EXPECT_EQ(FindSegment(s, "v8"), std::nullopt);
}

}  // namespace
}  // namespace plans
