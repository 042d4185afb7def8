// plans::node_log: a node's own log lines, parsed from strings (more captured lines of the real
// binaries are in tests/replayer/sync/progress_test.cpp, which `sync`'s progress shares).
#include "upgrade-plans/node_log.h"

#include <gtest/gtest.h>

#include <string>

namespace plans {
namespace {

TEST(StripAnsi, RemovesColourCodesAndBoundsTheLine) {
  EXPECT_EQ(StripAnsi("\x1b[90m5:04PM\x1b[0m \x1b[32mINF\x1b[0m committed state"),
            "5:04PM INF committed state");
  EXPECT_EQ(StripAnsi("a\x1b" "bc"), "ac") << "a lone ESC takes the byte after it";
  EXPECT_EQ(StripAnsi("tail\x1b["), "tail");
  EXPECT_EQ(StripAnsi(std::string(10000, 'x')).size(), 4096u);
}

// What the supervisor confirms a switch with: only lines written after the commit.
TEST(ParseCommittedHeight, ConfirmingLinesAndTheOnesThatMustNot) {
  EXPECT_EQ(ParseCommittedHeight(
                "5:04PM INF committed state app_hash=A1B2C3 height=5 module=state num_txs=0"),
            5);
  EXPECT_EQ(ParseCommittedHeight(
                R"({"level":"info","module":"state","height":77,"message":"committed state"})"),
            77);
  EXPECT_FALSE(ParseCommittedHeight("committed height=5"));  // the e2e script node's plain line
  EXPECT_FALSE(ParseCommittedHeight("INF finalizing commit of block height=5 module=consensus"));
  EXPECT_FALSE(ParseCommittedHeight("INF committed state latest_height=5"));
  EXPECT_FALSE(ParseCommittedHeight("INF committed state height=0"));
  EXPECT_FALSE(ParseCommittedHeight("INF committed state height=9999999999999999999"));
}

}  // namespace
}  // namespace plans
