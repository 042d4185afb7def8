// Go value syntax as Cosmovisor's variables use it: time.ParseDuration, Duration.String, and the
// strict true/false rule. Expected values are what Go itself returns for the same input.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

#include "replayer/config/config.h"

namespace replayer {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

nanoseconds Dur(std::string_view text) {
  auto r = ParseGoDuration(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : nanoseconds(-12345);
}

std::string DurError(std::string_view text) {
  auto r = ParseGoDuration(text);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << (r.ok() ? r->count() : 0);
  return r.status().message();
}

TEST(ParseGoDuration, AcceptsGoSyntax) {
  EXPECT_EQ(Dur("300ms"), 300ms);
  EXPECT_EQ(Dur("1s"), 1s);
  EXPECT_EQ(Dur("1.5s"), 1500ms);
  EXPECT_EQ(Dur("1h2m"), 1h + 2min);
  EXPECT_EQ(Dur("1h2m3s4ms5us6ns"), 1h + 2min + 3s + 4ms + 5us + 6ns);
  EXPECT_EQ(Dur("2\u00b5s"), 2us);  // micro sign
  EXPECT_EQ(Dur("2\u03bcs"), 2us);  // Greek mu
  EXPECT_EQ(Dur(".5s"), 500ms);
  EXPECT_EQ(Dur("1.s"), 1s);
  EXPECT_EQ(Dur("+5m"), 5min);
  EXPECT_EQ(Dur("-2us"), -2us);
  EXPECT_EQ(Dur("0"), 0ns);
  EXPECT_EQ(Dur("-0"), 0ns);
  EXPECT_EQ(Dur("0s"), 0ns);
  EXPECT_EQ(Dur("1.1s"), 1100ms);
  EXPECT_EQ(Dur("0.000000001s"), 1ns);
  EXPECT_EQ(Dur("100.00000000000000000000000000001h"), 100h);  // extra digits are dropped
}

TEST(ParseGoDuration, Limits) {
  EXPECT_EQ(Dur("9223372036854775807ns"), nanoseconds(INT64_MAX));
  EXPECT_EQ(Dur("-9223372036854775808ns"), nanoseconds(INT64_MIN));
  EXPECT_EQ(Dur("2562047h47m16.854775807s"), nanoseconds(INT64_MAX));
  EXPECT_NE(DurError("9223372036854775808ns").find("invalid duration"), std::string::npos);
  DurError("2562048h");
  DurError("99999999999999999999s");
}

TEST(ParseGoDuration, RefusesWhatGoRefuses) {
  for (const char* bad : {"", "-", "+", ".", "s", "1x", "1.2.3s", "1 s", " 1s", "1s ", "1sm", "ms",
                          "--1s", "1h-2m", "1e3s", "0x10s", "1S", "1MS"}) {
    DurError(bad);
  }
  EXPECT_NE(DurError("1x").find("unknown unit \"x\""), std::string::npos);
}

TEST(ParseGoDuration, BareNumberGetsAHintToAddAUnit) {
  std::string message = DurError("300");
  EXPECT_NE(message.find("missing unit"), std::string::npos) << message;
  EXPECT_NE(message.find("\"300ms\""), std::string::npos) << message;
  // Missing unit after a valid part: Go's message, no bare-number hint.
  message = DurError("1h30");
  EXPECT_NE(message.find("missing unit"), std::string::npos) << message;
  EXPECT_EQ(message.find("add a unit"), std::string::npos) << message;
}

TEST(FormatGoDuration, MatchesGoString) {
  EXPECT_EQ(FormatGoDuration(0ns), "0s");
  EXPECT_EQ(FormatGoDuration(1ns), "1ns");
  EXPECT_EQ(FormatGoDuration(1500ns), "1.5\u00b5s");
  EXPECT_EQ(FormatGoDuration(300ms), "300ms");
  EXPECT_EQ(FormatGoDuration(1500us), "1.5ms");
  EXPECT_EQ(FormatGoDuration(1s), "1s");
  EXPECT_EQ(FormatGoDuration(1500ms), "1.5s");
  EXPECT_EQ(FormatGoDuration(90s), "1m30s");
  EXPECT_EQ(FormatGoDuration(2min), "2m0s");
  EXPECT_EQ(FormatGoDuration(1h), "1h0m0s");
  EXPECT_EQ(FormatGoDuration(1h + 2min + 3s + 4ms), "1h2m3.004s");
  EXPECT_EQ(FormatGoDuration(-300ms), "-300ms");
  EXPECT_EQ(FormatGoDuration(nanoseconds(INT64_MAX)), "2562047h47m16.854775807s");
  EXPECT_EQ(FormatGoDuration(nanoseconds(INT64_MIN)), "-2562047h47m16.854775808s");
}

TEST(FormatGoDuration, RoundTripsThroughParse) {
  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{999}, int64_t{1001}, int64_t{999999},
                    int64_t{1000001}, int64_t{123456789}, int64_t{1000000001},
                    int64_t{3723000000007}, INT64_MAX, INT64_MIN, int64_t{-42}}) {
    EXPECT_EQ(Dur(FormatGoDuration(nanoseconds(n))), nanoseconds(n)) << n;
  }
}

TEST(ParseGoBool, TrueOrFalseInAnyCase) {
  for (const char* t : {"true", "TRUE", "True", "tRuE"}) EXPECT_TRUE(*ParseGoBool(t)) << t;
  for (const char* f : {"false", "FALSE", "False"}) EXPECT_FALSE(*ParseGoBool(f)) << f;
  for (const char* bad : {"", "1", "0", "yes", "no", "t", "f", " true", "true "}) {
    auto r = ParseGoBool(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.status().Is(base::Status::Code::kInvalidArgument));
  }
}

}  // namespace
}  // namespace replayer
