#include "replayer/sync/progress.h"

#include <gtest/gtest.h>

namespace replayer {
namespace {

using Clock = SyncProgress::Clock;
using std::chrono::milliseconds;

TEST(ParseCommittedHeight, DemochainLine) {
  EXPECT_EQ(ParseCommittedHeight("2026-11-22T06:00:00.123Z INF committed block height=12345"),
            12345);
}

TEST(ParseCommittedHeight, CometBftLines) {
  EXPECT_EQ(ParseCommittedHeight(
                "7:01AM INF committed state app_hash=0A1B height=9876543 module=state num_txs=0"),
            9876543);
  EXPECT_EQ(ParseCommittedHeight("INF indexed block events height=6 module=txindex"), 6);
  // Logged before the app commits the block: not a commit.
  EXPECT_EQ(ParseCommittedHeight("I[2022-01-01|10:00:00.000] executed block height=77 "
                                 "module=state num_valid_txs=0 num_invalid_txs=0"),
            std::nullopt);
  EXPECT_EQ(ParseCommittedHeight("INF finalizing commit of block hash=AB height=5 module=consensus"),
            std::nullopt);
}

// Lines captured from the real sdkchain simd v0.50.15 (CometBFT v0.38.20), default (colour)
// format, started with --halt-height 40: it logs "finalizing commit of block height=40", then
// refuses the block; the last committed height is 39.
TEST(ParseCommittedHeight, RealSimdPlainHaltHeight) {
  EXPECT_EQ(ParseCommittedHeight(
                "\x1b[90m9:30PM\x1b[0m \x1b[32mINF\x1b[0m \x1b[1mcommitted state\x1b[0m "
                "\x1b[36mblock_app_hash=\x1b[0mD1C15EBFC46A1513D567ED42E4319A4C8CBDA5F75F8AEFC1500347266D74B2C0 "
                "\x1b[36mheight=\x1b[0m39 \x1b[36mmodule=\x1b[0mstate"),
            39);
  EXPECT_EQ(ParseCommittedHeight(
                "\x1b[90m9:30PM\x1b[0m \x1b[32mINF\x1b[0m \x1b[1mfinalizing commit of block\x1b[0m "
                "\x1b[36mhash=\x1b[0m633B71DCA64BF1AAFD1FC557843EFDE30B0CE1D138851EE6E8972595E1ECEAB1 "
                "\x1b[36mheight=\x1b[0m40 \x1b[36mmodule=\x1b[0mconsensus \x1b[36mnum_txs=\x1b[0m0 "
                "\x1b[36mroot=\x1b[0mF7F22B"),
            std::nullopt);
  EXPECT_EQ(ParseCommittedHeight(
                "\x1b[90m9:30PM\x1b[0m \x1b[31mERR\x1b[0m \x1b[1merror in proxyAppConn.FinalizeBlock\x1b[0m "
                "\x1b[36merr=\x1b[0m\"halt per configuration height 40 time 0\" \x1b[36mmodule=\x1b[0mstate"),
            std::nullopt);
  EXPECT_EQ(ParseCommittedHeight(
                "\x1b[90m9:28PM\x1b[0m \x1b[32mINF\x1b[0m \x1b[1mindexed block events\x1b[0m "
                "\x1b[36mheight=\x1b[0m21 \x1b[36mmodule=\x1b[0mtxindex"),
            21);
}

// The same node with --log_format json (every line as the binary printed it).
TEST(ParseCommittedHeight, RealSimdJson) {
  EXPECT_EQ(ParseCommittedHeight(
                R"({"level":"info","module":"server","module":"state","height":5,)"
                R"("block_app_hash":"070268B1606E82958837050177632FAF42CDDF4E3DEDBE85AF0B2E00015A180C",)"
                R"("time":"2026-12-01T21:30:34Z","message":"committed state"})"),
            5);
  EXPECT_EQ(ParseCommittedHeight(
                R"({"level":"info","module":"server","module":"txindex","height":5,)"
                R"("time":"2026-12-01T21:30:34Z","message":"indexed block events"})"),
            5);
  EXPECT_EQ(ParseCommittedHeight(
                R"({"level":"info","module":"server","module":"consensus","height":5,)"
                R"("hash":"B1FC1DA89E81E88518BC0E16534BD554AD8C8254620ADBF9F126D3A9504D38BE",)"
                R"("root":"070268B1606E82958837050177632FAF42CDDF4E3DEDBE85AF0B2E00015A180C",)"
                R"("num_txs":0,"time":"2026-12-01T21:30:34Z","message":"finalizing commit of block"})"),
            std::nullopt);
  EXPECT_EQ(ParseCommittedHeight(
                R"({"level":"info","module":"server","module":"state","height":5,)"
                R"("app_hash":"67955EAA5D71B2FE742B2DAC3FC98D0D205006FE737F6DD14A4925F9FE63DF2A",)"
                R"("time":"2026-12-01T21:30:34Z","message":"executed block"})"),
            std::nullopt);
  EXPECT_EQ(ParseCommittedHeight(
                R"({"level":"info","module":"server","module":"consensus","dur":223.838867,"height":5,)"
                R"("round":0,"step":"RoundStepNewHeight","time":"2026-12-01T21:30:34Z","message":"Timed out"})"),
            std::nullopt);
}

TEST(ParseCommittedHeight, JsonAndColourFormats) {
  EXPECT_EQ(ParseCommittedHeight(R"({"level":"info","module":"state","height":42,)"
                                 R"("message":"committed state"})"),
            42);
  EXPECT_EQ(ParseCommittedHeight(R"({"height":"43","msg":"indexed block events"})"), 43);
  EXPECT_EQ(ParseCommittedHeight("\x1b[90m7:01AM\x1b[0m \x1b[32mINF\x1b[0m committed state "
                                 "\x1b[36mheight=\x1b[0m88 \x1b[36mmodule=\x1b[0mstate"),
            88);
}

TEST(ParseCommittedHeight, IgnoresOtherLines) {
  EXPECT_EQ(ParseCommittedHeight("INF starting demochaind v1.0.0 home=/x"), std::nullopt);
  // A height in a line that is not a commit.
  EXPECT_EQ(ParseCommittedHeight("ERR UPGRADE \"v2\" NEEDED at height: 100: {}"), std::nullopt);
  EXPECT_EQ(ParseCommittedHeight("INF received proposal height=12 module=consensus"), std::nullopt);
  // Keys that merely end in "height".
  EXPECT_EQ(ParseCommittedHeight("INF committed state latest_height=12"), std::nullopt);
  EXPECT_EQ(ParseCommittedHeight("INF committed state height=abc"), std::nullopt);
  EXPECT_EQ(ParseCommittedHeight("INF committed state height=0"), std::nullopt);
  EXPECT_EQ(ParseCommittedHeight("INF committed state height=99999999999999999999999"),
            std::nullopt);
  EXPECT_EQ(ParseCommittedHeight(""), std::nullopt);
}

TEST(SyncProgress, RateEtaAndSegment) {
  auto t0 = Clock::now();
  SyncProgress p(3, 1000, t0);
  p.SegmentLaunched(0, "segments[0] \"genesis\"", t0);
  for (int i = 1; i <= 100; ++i) p.Committed(i, t0 + milliseconds(10 * i));  // 100 blocks/s
  auto s = p.Snapshot(t0 + milliseconds(1000));
  EXPECT_EQ(s.height, 100);
  EXPECT_EQ(s.segment, 1u);
  EXPECT_EQ(s.segments, 3u);
  EXPECT_NEAR(s.blocks_per_second, 100.0, 5.0);
  ASSERT_TRUE(s.eta_seconds.has_value());
  EXPECT_NEAR(*s.eta_seconds, 9.0, 0.5);
  EXPECT_TRUE(s.downtimes.empty());
  EXPECT_EQ(FormatProgressLine(s),
            "height 100 / 1,000 (10.0%) | 100 blocks/s | ETA 9 s | segment 1 of 3: "
            "segments[0] \"genesis\"");
}

TEST(SyncProgress, RepeatedLinesForOneBlockCountOnce) {
  auto t0 = Clock::now();
  SyncProgress p(1, std::nullopt, t0);
  p.SegmentLaunched(0, "g", t0);
  p.Committed(5, t0 + milliseconds(10));
  p.Committed(5, t0 + milliseconds(20));  // "executed block" then "committed state"
  p.Committed(4, t0 + milliseconds(30));
  EXPECT_EQ(p.Snapshot(t0 + milliseconds(40)).height, 5);
  EXPECT_FALSE(p.Snapshot(t0 + milliseconds(40)).eta_seconds.has_value());  // no target
}

TEST(SyncProgress, DowntimeIsLastBlockToFirstBlockOfNextBinary) {
  auto t0 = Clock::now();
  SyncProgress p(2, 200, t0);
  p.SegmentLaunched(0, "a", t0);
  p.Committed(99, t0 + milliseconds(500));
  // The old binary stops; the switch takes a while; the new one starts, then commits.
  p.SegmentLaunched(1, "b", t0 + milliseconds(520));
  p.Committed(100, t0 + milliseconds(545));
  p.Committed(101, t0 + milliseconds(546));
  auto s = p.Snapshot(t0 + milliseconds(600));
  ASSERT_EQ(s.downtimes.size(), 1u);
  EXPECT_EQ(s.downtimes[0].to_label, "b");
  EXPECT_EQ(s.downtimes[0].first_height, 100);
  EXPECT_NEAR(s.downtimes[0].seconds, 0.045, 1e-6);
  EXPECT_EQ(s.segment, 2u);
}

TEST(SyncProgress, RelaunchOfTheSameSegmentIsNoSwitch) {
  auto t0 = Clock::now();
  SyncProgress p(2, 200, t0);
  p.SegmentLaunched(0, "a", t0);
  p.Committed(10, t0 + milliseconds(5));
  p.SegmentLaunched(0, "a", t0 + milliseconds(10));
  p.Committed(11, t0 + milliseconds(20));
  EXPECT_TRUE(p.Snapshot(t0 + milliseconds(30)).downtimes.empty());
}

TEST(FormatPrometheus, ExpositionFormat) {
  ProgressSnapshot s;
  s.height = 120;
  s.target = 400;
  s.segment = 2;
  s.segments = 4;
  s.blocks_per_second = 9000.5;
  s.eta_seconds = 0.25;
  s.downtimes.push_back({"segments[1] \"v2\"", 100, 0.021});
  std::string text = FormatPrometheus(s);
  EXPECT_NE(text.find("# TYPE replayer_sync_height gauge\nreplayer_sync_height 120\n"),
            std::string::npos);
  EXPECT_NE(text.find("replayer_sync_target_height 400\n"), std::string::npos);
  EXPECT_NE(text.find("replayer_sync_segment 2\n"), std::string::npos);
  EXPECT_NE(text.find("replayer_sync_segments 4\n"), std::string::npos);
  EXPECT_NE(text.find("replayer_sync_blocks_per_second 9000.5\n"), std::string::npos);
  EXPECT_NE(text.find("replayer_sync_eta_seconds 0.25\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE replayer_sync_switches_total counter\nreplayer_sync_switches_total 1\n"),
            std::string::npos);
  // Label values escape quotes.
  EXPECT_NE(text.find("replayer_sync_switch_downtime_seconds{segment=\"segments[1] \\\"v2\\\"\","
                      "height=\"100\"} 0.021\n"),
            std::string::npos);
  // Every sample line is "name[{labels}] value".
  size_t samples = 0;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    ASSERT_NE(nl, std::string::npos) << "the exposition ends with a newline";
    std::string line = text.substr(at, nl - at);
    at = nl + 1;
    if (line.rfind('#', 0) == 0) continue;
    ++samples;
    EXPECT_EQ(line.rfind("replayer_sync_", 0), 0u) << line;
    EXPECT_NE(line.rfind(' '), std::string::npos) << line;
  }
  EXPECT_EQ(samples, 10u);
}

TEST(StoredProgress, RoundTrip) {
  ProgressSnapshot s;
  s.height = 7;
  s.target = 9;
  s.segment = 1;
  s.segments = 2;
  s.segment_label = "segments[0] \"genesis\"";
  s.blocks_per_second = 3.5;
  s.finished = true;
  s.downtimes.push_back({"x", 5, 0.5});
  auto back = ParseStoredProgress(ProgressToJson(s, 1234));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->unix_ms, 1234);
  EXPECT_EQ(back->progress.height, 7);
  EXPECT_EQ(back->progress.target, 9);
  EXPECT_EQ(back->progress.segment_label, s.segment_label);
  EXPECT_TRUE(back->progress.finished);
  ASSERT_EQ(back->progress.downtimes.size(), 1u);
  EXPECT_EQ(back->progress.downtimes[0].first_height, 5);
  EXPECT_FALSE(back->progress.eta_seconds.has_value());
}

TEST(StoredProgress, BadInputIsAnErrorNotACrash) {
  EXPECT_FALSE(ParseStoredProgress("").ok());
  EXPECT_FALSE(ParseStoredProgress("[1,2]").ok());
  EXPECT_FALSE(ParseStoredProgress(R"({"height":"seven"})").ok());
  EXPECT_TRUE(ParseStoredProgress(R"({"downtimes":[1,{"seconds":2}]})").ok());
}

// Fuzz finding (issue 18): a number beyond the integer's range was cast (undefined behaviour; on
// x86 it became INT64_MIN); now it is an error naming the field.
TEST(StoredProgress, HugeNumbersInIntegerFieldsAreErrors) {
  for (const char* text :
       {R"({"height":1e300})", R"({"unix_ms":-1e19})", R"({"target":9.3e18})",
        R"({"segment":-1})", R"({"segments":1e20})", R"({"height":18446744073709551615})",
        R"({"downtimes":[{"first_height":1e300}]})"}) {
    auto p = ParseStoredProgress(text);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_NE(p.status().message().find("must be an integer in range"), std::string::npos)
        << p.status().message();
  }
  auto ok = ParseStoredProgress(R"({"height":9223372036854775807,"unix_ms":-5})");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->progress.height, INT64_MAX);
  EXPECT_EQ(ok->unix_ms, -5);
}

// Fuzz finding (issue 18): Thousands() negated INT64_MIN, reached by a huge blocks_per_second
// (rounded to INT64_MIN) and by {"height":-9223372036854775808}.
TEST(StoredProgress, ExtremeValuesFormat) {
  auto p = ParseStoredProgress(R"({"height":-9223372036854775808,"blocks_per_second":-1e300})");
  ASSERT_TRUE(p.ok()) << p.status().message();
  std::string line = FormatProgressLine(p->progress);
  EXPECT_EQ(line.rfind("height -9,223,372,036,854,775,808 | -9,223,372,036,854,775,808 blocks/s", 0),
            0u)
      << line;
  auto fast = ParseStoredProgress(R"({"height":1,"blocks_per_second":1e300,"eta_seconds":1e300})");
  ASSERT_TRUE(fast.ok());
  line = FormatProgressLine(fast->progress);
  EXPECT_NE(line.find("| 9,223,372,036,854,775,807 blocks/s | ETA ?"), std::string::npos) << line;
}


// The node's error lines, as a failure quotes them (sync's "the node's own last error lines").
TEST(ParseNodeErrorLine, ConsoleLinesOfTheRealSimd) {
  // simd v0.50.15 at a plan it has no handler for, default (colour) format.
  EXPECT_EQ(ParseNodeErrorLine("\x1b[90m11:58PM\x1b[0m \x1b[31mERR\x1b[0m \x1b[1mUPGRADE "
                               "\"v050-to-v053\" NEEDED at height: 24: \x1b[0m "
                               "\x1b[36mmodule=\x1b[0mx/upgrade"),
            "ERR UPGRADE \"v050-to-v053\" NEEDED at height: 24:  module=x/upgrade");
  // --log_no_color; the Go stack trace of CONSENSUS FAILURE is dropped.
  EXPECT_EQ(ParseNodeErrorLine("11:58PM ERR CONSENSUS FAILURE!!! err=\"failed to apply block; "
                               "error halt per configuration height 40 time 0\" "
                               "module=consensus stack=\"goroutine 1 [running]:\\n...\""),
            "ERR CONSENSUS FAILURE!!! err=\"failed to apply block; error halt per configuration "
            "height 40 time 0\" module=consensus");
  EXPECT_EQ(ParseNodeErrorLine("E[2022-01-01|10:00:00.000] Error in validation module=blocksync "
                               "err=\"wrong Block.Header.AppHash\""),
            "ERR Error in validation module=blocksync err=\"wrong Block.Header.AppHash\"");
  EXPECT_EQ(ParseNodeErrorLine("Error: error during handshake: error on replay: halt per "
                               "configuration height 40 time 0"),
            "Error: error during handshake: error on replay: halt per configuration height 40 "
            "time 0");
  EXPECT_EQ(ParseNodeErrorLine("panic: runtime error: index out of range"),
            "panic: runtime error: index out of range");
  EXPECT_EQ(ParseNodeErrorLine("2026-11-22T06:00:00.123Z ERR app hash mismatch at height 7"),
            "ERR app hash mismatch at height 7");
}

// Captured from the real nodes of sdkchain_wrong_binary_test (--log_no_color): a binary with the
// "v050-to-v053" handler switched in before the plan height, and the real v0.53.7 there.
TEST(ParseNodeErrorLine, UpgradeBinaryBeforeTheTrigger) {
  const std::string before =
      "BINARY UPDATED BEFORE TRIGGER! UPGRADE \"v050-to-v053\" - in binary but not executed on "
      "chain. Downgrade your binary";
  EXPECT_EQ(ParseNodeErrorLine("3:13AM ERR " + before + " module=x/upgrade"),
            "ERR " + before + " module=x/upgrade");
  EXPECT_EQ(ParseNodeErrorLine("3:13AM ERR error in proxyAppConn.FinalizeBlock err=\"BINARY "
                               "UPDATED BEFORE TRIGGER! UPGRADE \\\"v050-to-v053\\\" - in binary "
                               "but not executed on chain. Downgrade your binary\" module=consensus"),
            "ERR error in proxyAppConn.FinalizeBlock err=\"BINARY UPDATED BEFORE TRIGGER! UPGRADE "
            "\\\"v050-to-v053\\\" - in binary but not executed on chain. Downgrade your binary\" "
            "module=consensus");
  // simd's main prints the start command's error bare (no "Error: "), after cobra's usage text.
  EXPECT_EQ(ParseNodeErrorLine("error during handshake: error on replay: " + before),
            "error during handshake: error on replay: " + before);
  // In block sync (the plan stored while the binary ran), CometBFT panics on the refused block.
  EXPECT_EQ(ParseNodeErrorLine("panic: Failed to process committed block (16:C45DE3F23769D7F56D972"
                               "83D34785D67A2B61977BD8F77A10E1E0F6179D4879C): " + before),
            "panic: Failed to process committed block (16:C45DE3F23769D7F56D97283D34785D67A2B61977"
            "BD8F77A10E1E0F6179D4879C): " + before);
  // v0.53.7 on release 1's stores, before the upgrade's StoreUpgrades add x/epochs.
  EXPECT_EQ(ParseNodeErrorLine("panic: failed to load latest version: version of store epochs "
                               "mismatch root store's version; expected 17 got 0; new stores "
                               "should be added using StoreUpgrades"),
            "panic: failed to load latest version: version of store epochs mismatch root store's "
            "version; expected 17 got 0; new stores should be added using StoreUpgrades");
}

// Sync's reading of the lines above when the node stopped by itself.
TEST(ExplainEarlyBinary, BinaryUpdatedBeforeTrigger) {
  const std::string before =
      "BINARY UPDATED BEFORE TRIGGER! UPGRADE \"v050-to-v053\" - in binary but not executed on "
      "chain. Downgrade your binary";
  auto why = ExplainEarlyBinary({"ERR " + before + " module=x/upgrade",
                                 "error during handshake: error on replay: " + before},
                                "segments[1] \"early\"");
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(*why,
            "x/upgrade refuses its binary, which already has the handler of upgrade "
            "\"v050-to-v053\" that the chain has planned but not executed yet (BINARY UPDATED "
            "BEFORE TRIGGER): segments[1] \"early\" has that upgrade's binary before the plan "
            "height, the wrong binary for these heights");
  // The escaped form alone (CometBFT's err="...") names the plan after a backslash: not read.
  EXPECT_EQ(ExplainEarlyBinary({"ERR error in proxyAppConn.FinalizeBlock err=\"BINARY UPDATED "
                                "BEFORE TRIGGER! UPGRADE \\\"v050-to-v053\\\" - in binary\""},
                               "x"),
            std::nullopt);
  EXPECT_EQ(ExplainEarlyBinary({"ERR BINARY UPDATED BEFORE TRIGGER! UPGRADE \""}, "x"),
            std::nullopt);
}

TEST(ExplainEarlyBinary, StoreTheDataLacks) {
  auto why = ExplainEarlyBinary(
      {"panic: failed to load latest version: version of store epochs mismatch root store's "
       "version; expected 17 got 0; new stores should be added using StoreUpgrades"},
      "segments[1] \"early\"");
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(*why,
            "its binary has a store \"epochs\" that the node's data does not, one an upgrade "
            "adds at its plan (StoreUpgrades): segments[1] \"early\" has a later release's binary "
            "before that upgrade's plan height, the wrong binary for these heights");
  EXPECT_EQ(ExplainEarlyBinary({"panic: version of store  mismatch root store's version "
                                "StoreUpgrades"},
                               "x"),
            std::nullopt);
}

TEST(ExplainEarlyBinary, OtherLinesSayNothing) {
  EXPECT_EQ(ExplainEarlyBinary({}, "x"), std::nullopt);
  EXPECT_EQ(ExplainEarlyBinary({"ERR UPGRADE \"v2\" NEEDED at height: 9: ",
                                "error during handshake: error on replay: wrong app version 0, "
                                "upgrade handler is missing for v2 upgrade plan"},
                               "x"),
            std::nullopt);
  // A store mismatch without the StoreUpgrades advice is another failure.
  EXPECT_EQ(ExplainEarlyBinary({"panic: version of store acc mismatch root store's version"}, "x"),
            std::nullopt);
}

TEST(ParseNodeErrorLine, JsonLines) {
  EXPECT_EQ(ParseNodeErrorLine(R"({"level":"error","module":"server","module":"x/upgrade",)"
                               R"("time":"2026-12-01T23:58:00Z","message":"UPGRADE \"v2\" NEEDED at height: 9: "})"),
            "ERR UPGRADE \"v2\" NEEDED at height: 9:");
  EXPECT_EQ(ParseNodeErrorLine(R"({"level":"error","err":"wrong Block.Header.AppHash","message":"Error in validation"})"),
            "ERR Error in validation err=wrong Block.Header.AppHash");
  EXPECT_EQ(ParseNodeErrorLine(R"({"level":"info","message":"no error here"})"), std::nullopt);
  EXPECT_EQ(ParseNodeErrorLine(R"({"level":"error")"), std::nullopt);  // not JSON
}

TEST(ParseNodeErrorLine, OtherLinesAreNotErrors) {
  EXPECT_EQ(ParseNodeErrorLine("11:58PM INF committed state height=5 module=state"), std::nullopt);
  EXPECT_EQ(ParseNodeErrorLine("11:58PM INF executed block num_invalid_txs=0 error=none"),
            std::nullopt);
  EXPECT_EQ(ParseNodeErrorLine("11:58PM WRN ERRor-like word in a warning"), std::nullopt);
  EXPECT_EQ(ParseNodeErrorLine(""), std::nullopt);
  EXPECT_EQ(ParseNodeErrorLine("   "), std::nullopt);
  EXPECT_EQ(ParseNodeErrorLine("ERR"), "ERR");
  // Lower-case "error" opens a line of a Go error chain only with its ": " early in the line.
  EXPECT_EQ(ParseNodeErrorLine("error=none height=5"), std::nullopt);
  EXPECT_EQ(ParseNodeErrorLine("errors are counted below"), std::nullopt);
  EXPECT_EQ(ParseNodeErrorLine("error handling is described in the docs"), std::nullopt);
  EXPECT_EQ(ParseNodeErrorLine("error " + std::string(100, 'x') + ": late colon"), std::nullopt);
  EXPECT_EQ(ParseNodeErrorLine("error: exit status 1"), "error: exit status 1");
}

TEST(ParseNodeErrorLine, LongLinesAreBounded) {
  std::string line = "3:04PM ERR " + std::string(5000, 'x');
  auto e = ParseNodeErrorLine(line);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->size(), kMaxNodeErrorLine);
  EXPECT_EQ(e->substr(e->size() - 3), "...");
  // A multi-byte character at the cut is never split.
  std::string utf8 = "3:04PM ERR " + std::string(kMaxNodeErrorLine - 14, 'x') + "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";
  auto u = ParseNodeErrorLine(utf8 + std::string(100, 'y'));
  ASSERT_TRUE(u.has_value());
  std::string body = u->substr(0, u->size() - 3);
  EXPECT_NE(static_cast<unsigned char>(body.back()), 0xc3) << *u;
}

}  // namespace
}  // namespace replayer
