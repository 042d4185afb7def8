// The supervisor's record of the node it started, and the /proc/<pid>/stat text it is checked
// against, parsed from strings.
#include "replayer/supervisor/node_pid.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <unistd.h>

namespace replayer {
namespace {

TEST(NodePidRecord, RoundTripsAndRefusesWhatIsNoPid) {
  NodePidRecord r{48213, 48213, 2764991};
  EXPECT_EQ(ParseNodePidRecord(FormatNodePidRecord(r)), r);
  EXPECT_EQ(ParseNodePidRecord(R"({"pid":7,"start":9})"), (NodePidRecord{7, 0, 9}));  // older
  EXPECT_FALSE(ParseNodePidRecord(R"({"pid":7,"pgid":-7,"start":9})"));
  EXPECT_FALSE(ParseNodePidRecord("{}"));  // cleared after a clean stop
  EXPECT_FALSE(ParseNodePidRecord(""));
  EXPECT_FALSE(ParseNodePidRecord(R"({"pid":0,"start":1})"));
  EXPECT_FALSE(ParseNodePidRecord(R"({"pid":-1,"start":1})"));
  // Beyond pid_t: the old reader cast it (4294967297 became pid 1: init's process group).
  EXPECT_FALSE(ParseNodePidRecord(R"({"pid":4294967297,"start":1})"));
  EXPECT_FALSE(ParseNodePidRecord(R"({"pid":12.5,"start":1})"));
  EXPECT_FALSE(ParseNodePidRecord(R"({"pid":5,"start":1e300})"));
}

TEST(ProcStat, StartTimeAndZombieState) {
  const std::string sleeping =
      "30189 (app d) (x) S 30188 30182 4359 0 -1 4194304 139 0 0 0 0 0 0 0 20 0 1 0 163809 "
      "2990080 413 18446744073709551615 94038830907392";
  EXPECT_EQ(ParseProcStatStartTime(sleeping), 163809u);
  EXPECT_FALSE(ProcStatIsZombie(sleeping));
  EXPECT_TRUE(ProcStatIsZombie("30195 (sleep) Z 30193 30182 4359 0 -1"));
  EXPECT_FALSE(ParseProcStatStartTime("30195 (sleep) Z 30193"));
  EXPECT_FALSE(ParseProcStatStartTime("1 (x)"));  // the old reader threw std::out_of_range
  EXPECT_FALSE(ParseProcStatStartTime("1 (x) S 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 99999999999999999999"));
  std::ifstream in("/proc/" + std::to_string(::getpid()) + "/stat");
  std::string self((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(ParseProcStatStartTime(self).has_value()) << self;
}

}  // namespace
}  // namespace replayer
