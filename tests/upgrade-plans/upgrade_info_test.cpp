#include "upgrade-plans/upgrade_info.h"

#include <gtest/gtest.h>

namespace plans {
namespace {

using Code = base::Status::Code;

TEST(UpgradeInfo, ParsesWhatXUpgradeWrites) {
  auto r = ParseUpgradeInfo(
      R"({"name":"v7-Theta","time":"0001-01-01T00:00:00Z","height":1000000,"info":"{\"binaries\":{}}"})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->name, "v7-Theta");
  EXPECT_EQ(r->height, 1000000);
  EXPECT_EQ(r->info, R"({"binaries":{}})");
}

TEST(UpgradeInfo, HeightAsProtobufJsonString) {
  auto r = ParseUpgradeInfo(R"({"name":"chain2","height":"30"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->height, 30);
  EXPECT_TRUE(r->info.empty());  // SDK <= 0.44.2 wrote no info
}

TEST(UpgradeInfo, EmptyAndHalfWrittenAreRetryable) {
  EXPECT_TRUE(ParseUpgradeInfo("").status().Is(Code::kUnavailable));
  EXPECT_TRUE(ParseUpgradeInfo("  \n").status().Is(Code::kUnavailable));
  EXPECT_TRUE(ParseUpgradeInfo(R"({"name":"v2","hei)").status().Is(Code::kUnavailable));
}

TEST(UpgradeInfo, CompleteButInvalidNamesTheField) {
  struct Case {
    const char* text;
    const char* needle;
  } cases[] = {
      {"{}", "missing \"name\""},
      {R"({"name":"v2"})", "missing \"height\""},
      {R"({"height":10})", "missing \"name\""},
      {R"({"name":5,"height":10})", "\"name\" must be a string"},
      {R"({"name":"v2","height":true})", "\"height\" must be an integer"},
      {R"({"name":"v2","height":"ten"})", "is not an integer"},
      {R"({"name":"v2","height":0})", "must be above 0"},
      {R"({"name":"","height":3})", "\"name\" is empty"},
      {R"({"name":"v2","height":3,"info":7})", "\"info\" must be a string"},
      {"[1,2]", "expected a JSON object"},
  };
  for (const auto& c : cases) {
    auto r = ParseUpgradeInfo(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_TRUE(r.status().Is(Code::kInvalidArgument)) << c.text;
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos)
        << c.text << " -> " << r.status().message();
  }
}

TEST(UpgradeInfo, FormatRoundTripsInGoFieldOrder) {
  UpgradeInfo u{"v2", 42, "{\"binaries\":{}}", ""};
  std::string text = FormatUpgradeInfo(u);
  EXPECT_EQ(text.rfind("{\"name\":\"v2\",\"time\":\"0001-01-01T00:00:00Z\",\"height\":42", 0), 0u);
  auto back = ParseUpgradeInfo(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->info, u.info);
  EXPECT_EQ(FormatUpgradeInfo({"v3", 7, "", ""}).find("info"), std::string::npos);
}

TEST(UpgradeNeededLine, PlainAndJsonLogs) {
  auto a = ParseUpgradeNeededLine(
      "3:04PM ERR UPGRADE \"v2\" NEEDED at height: 100: {\"binaries\":{\"any\":\"x\"}} module=x/upgrade");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->name, "v2");
  EXPECT_EQ(a->height, 100);
  auto b = ParseUpgradeNeededLine("UPGRADE \"Chain2\" NEEDED at height: 49");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->name, "Chain2");
  EXPECT_EQ(b->height, 49);
  EXPECT_TRUE(b->info.empty());
  auto c = ParseUpgradeNeededLine(
      R"({"level":"error","message":"UPGRADE \"v3\" NEEDED at height: 7: info text"})");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->name, "v3");
  EXPECT_EQ(c->info, "info text");
  EXPECT_FALSE(ParseUpgradeNeededLine("UPGRADE \"v2\" SKIPPED at 100").has_value());
  EXPECT_FALSE(ParseUpgradeNeededLine("committed state height=100").has_value());
  EXPECT_FALSE(ParseUpgradeNeededLine("UPGRADE \"v2\" NEEDED at time: 2021").has_value());
}

TEST(UpgradeDirName, RecaseAndEscapeLikeCosmovisor) {
  EXPECT_EQ(UpgradeDirName("MyUpgrade", false), "myupgrade");
  EXPECT_EQ(UpgradeDirName("Chain2", true), "Chain2");
  EXPECT_EQ(UpgradeDirName("some spaces", false), "some%20spaces");
  EXPECT_EQ(UpgradeDirName("a/b", false), "a%2Fb");
  EXPECT_EQ(UpgradeDirName("v1.2-rc_3~x", false), "v1.2-rc_3~x");
  EXPECT_TRUE(SameUpgradeName("V2", "v2", false));
  EXPECT_FALSE(SameUpgradeName("V2", "v2", true));
}

TEST(UpgradeInfo, HeightsBeyondInt64AreRefusedNotWrapped) {
  auto n = ParseUpgradeInfo(R"({"name":"v2","height":9223372036854775808})");
  ASSERT_FALSE(n.ok());
  EXPECT_TRUE(n.status().Is(Code::kInvalidArgument));
  EXPECT_NE(n.status().message().find("9223372036854775808 is out of range"), std::string::npos)
      << n.status().message();
  auto s = ParseUpgradeInfo(R"({"name":"v2","height":"99999999999999999999"})");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("is out of range"), std::string::npos) << s.status().message();
  auto max = ParseUpgradeInfo(R"({"name":"v2","height":9223372036854775807})");
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->height, INT64_MAX);
}

TEST(UpgradeInfo, CompleteButInvalidJsonIsNotHalfWritten) {
  auto r = ParseUpgradeInfo(R"({"name": v2, "height": 3})");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(Code::kInvalidArgument));
  EXPECT_EQ(r.status().message(), "upgrade-info.json is not valid JSON (at byte 10)");
  EXPECT_TRUE(ParseUpgradeInfo(R"({"name":"v2","height":3)").status().Is(Code::kUnavailable));
}

// Fuzz finding (issue 18, the README's fuzz recipe run on fuzz_upgrade_info): a number beyond
// double ("3333333333E333") makes nlohmann throw out_of_range, not parse_error; it escaped the
// parser and terminated Replayer on a node-written file.
TEST(UpgradeInfo, NumberBeyondDoubleIsInvalidNotACrash) {
  for (const char* text : {"3333333333E333", R"({"name":"v2","height":1E400})"}) {
    auto r = ParseUpgradeInfo(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), base::Status::Code::kInvalidArgument) << text;
    EXPECT_NE(r.status().message().find("not valid JSON"), std::string::npos)
        << r.status().message();
  }
}

TEST(CheckPlanName, RefusesWhatWouldForgeLinesOrEscapeUpgrades) {
  EXPECT_TRUE(CheckPlanName("v2.1.0-rc1 Théta/x").ok());
  EXPECT_EQ(CheckPlanName("").message(), "plan name is empty");
  EXPECT_EQ(CheckPlanName(".").message(), "plan name \".\" is not a folder name; refused");
  EXPECT_FALSE(CheckPlanName("..").ok());
  EXPECT_EQ(CheckPlanName("v2\nINF forged").message(),
            "plan name \"v2\\nINF forged\" contains control characters; refused");
  EXPECT_FALSE(CheckPlanName(std::string("v2\0x", 4)).ok());
  EXPECT_FALSE(CheckPlanName("v2\x1b[31m").ok());
  EXPECT_TRUE(CheckPlanName(std::string(255, 'a')).ok());
  auto long_name = CheckPlanName(std::string(300, 'a'));
  EXPECT_NE(long_name.message().find("is too long: its folder under upgrades/ would be 300 bytes, "
                                     "over the limit of 255"),
            std::string::npos)
      << long_name.message();
  EXPECT_FALSE(CheckPlanName(std::string(100, ' ')).ok());  // %20 each: 300 bytes
  auto file = ParseUpgradeInfo("{\"name\":\"v2\\nINF forged\",\"height\":3}");
  EXPECT_NE(file.status().message().find("upgrade-info.json: plan name"), std::string::npos);
  EXPECT_FALSE(ParseUpgradeInfo(R"({"name":".","height":3})").ok());
  EXPECT_FALSE(ParseUpgradeNeededLine("UPGRADE \"..\" NEEDED at height: 7").has_value());
  EXPECT_FALSE(ParseUpgradeNeededLine("UPGRADE \"a\x1b[2Kb\" NEEDED at height: 7").has_value());
}

}  // namespace
}  // namespace plans
