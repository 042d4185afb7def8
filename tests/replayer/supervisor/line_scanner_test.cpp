#include "replayer/supervisor/line_scanner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "replayer/upgrade/crash_points.h"

namespace replayer {
namespace {

TEST(LineScanner, SplitsAcrossChunksAndStripsCarriageReturns) {
  std::vector<std::string> lines;
  LineScanner s([&](std::string_view l) { lines.emplace_back(l); });
  s.Feed("ab");
  s.Feed("c\r\nde");
  s.Feed("f\n\ng");
  s.Finish();
  EXPECT_EQ(lines, (std::vector<std::string>{"abc", "def", "", "g"}));
}

TEST(LineScanner, HugeLinesKeepTheirPrefixAndNeverGrow) {
  std::vector<std::string> lines;
  LineScanner s([&](std::string_view l) { lines.emplace_back(l); }, 16);
  s.Feed("UPGRADE \"v2\" NEEDED at height: 5: ");
  s.Feed(std::string(1 << 20, 'x'));
  s.Feed("\nnext\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "UPGRADE \"v2\" NEE");
  EXPECT_EQ(lines[1], "next");
}

TEST(CrashPoints, ParsesStepsAndRejectsUnknownOnes) {
  EXPECT_TRUE(CrashPoints::Parse("").ok());
  EXPECT_TRUE(CrashPoints::Parse("snapshot-taken").ok());
  EXPECT_TRUE(CrashPoints::Parse("current-switched:unrecorded").ok());
  EXPECT_TRUE(CrashPoints::Parse("node-stopped@2").ok());
  auto bad = CrashPoints::Parse("switched");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("one of: detected"), std::string::npos);
  EXPECT_FALSE(CrashPoints::Parse("node-stopped:later").ok());
  EXPECT_FALSE(CrashPoints::Parse("node-stopped@0").ok());
}

}  // namespace
}  // namespace replayer
