// Tests for the Cosmovisor-shaped log lines: Go time layouts rendered like Go's time.Format, and
// the line shape on stderr (captured through a pipe) for enabled and disabled logs.
#include "replayer/config/logging.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include <spdlog/spdlog.h>

#include "base/redact.h"

namespace replayer {
namespace {

// Monday 2006-01-02 15:04:05 in a zone 7 hours west of UTC, as Go's reference time.
std::tm ReferenceTime(long gmtoff = -7 * 3600, const char* zone = "MST") {
  std::tm tm{};
  tm.tm_year = 2006 - 1900;
  tm.tm_mon = 0;
  tm.tm_mday = 2;
  tm.tm_hour = 15;
  tm.tm_min = 4;
  tm.tm_sec = 5;
  tm.tm_wday = 1;
  tm.tm_yday = 1;
  tm.tm_gmtoff = gmtoff;
  tm.tm_zone = zone;
  return tm;
}

TEST(FormatLogTime, RendersEveryGoLayoutLikeGo) {
  const std::tm tm = ReferenceTime();
  // Right-hand sides are Go's own constants, which format the reference time as themselves.
  EXPECT_EQ(FormatLogTime("layout", tm, 0), "01/02 03:04:05PM '06 -0700");
  EXPECT_EQ(FormatLogTime("ansic", tm, 0), "Mon Jan  2 15:04:05 2006");
  EXPECT_EQ(FormatLogTime("unixdate", tm, 0), "Mon Jan  2 15:04:05 MST 2006");
  EXPECT_EQ(FormatLogTime("rubydate", tm, 0), "Mon Jan 02 15:04:05 -0700 2006");
  EXPECT_EQ(FormatLogTime("rfc822", tm, 0), "02 Jan 06 15:04 MST");
  EXPECT_EQ(FormatLogTime("rfc822z", tm, 0), "02 Jan 06 15:04 -0700");
  EXPECT_EQ(FormatLogTime("rfc850", tm, 0), "Monday, 02-Jan-06 15:04:05 MST");
  EXPECT_EQ(FormatLogTime("rfc1123", tm, 0), "Mon, 02 Jan 2006 15:04:05 MST");
  EXPECT_EQ(FormatLogTime("rfc1123z", tm, 0), "Mon, 02 Jan 2006 15:04:05 -0700");
  EXPECT_EQ(FormatLogTime("rfc3339", tm, 0), "2006-01-02T15:04:05-07:00");
  EXPECT_EQ(FormatLogTime("rfc3339nano", tm, 0), "2006-01-02T15:04:05-07:00");
  EXPECT_EQ(FormatLogTime("rfc3339nano", tm, 999999999), "2006-01-02T15:04:05.999999999-07:00");
  EXPECT_EQ(FormatLogTime("kitchen", tm, 0), "3:04PM");
}

TEST(FormatLogTime, Rfc3339UsesZForUtcAndTrimsFraction) {
  const std::tm utc = ReferenceTime(0, "UTC");
  EXPECT_EQ(FormatLogTime("rfc3339", utc, 120000000), "2006-01-02T15:04:05Z");
  EXPECT_EQ(FormatLogTime("rfc3339nano", utc, 120000000), "2006-01-02T15:04:05.12Z");
  const std::tm india = ReferenceTime(5 * 3600 + 30 * 60, "IST");
  EXPECT_EQ(FormatLogTime("rfc3339", india, 0), "2006-01-02T15:04:05+05:30");
}

TEST(FormatLogTime, KitchenHourIsNotPadded) {
  std::tm tm = ReferenceTime();
  tm.tm_hour = 9;
  tm.tm_min = 7;
  EXPECT_EQ(FormatLogTime("kitchen", tm, 0), "9:07AM");
  tm.tm_hour = 0;
  EXPECT_EQ(FormatLogTime("kitchen", tm, 0), "12:07AM");
}

TEST(FormatLogTime, EmptyOrUnknownNameGivesNoTimestamp) {
  EXPECT_EQ(FormatLogTime("", ReferenceTime(), 0), "");
  EXPECT_EQ(FormatLogTime("iso", ReferenceTime(), 0), "");
}

TEST(GoLayoutStrftime, KnowsEveryAcceptedName) {
  for (const char* name : {"layout", "ansic", "unixdate", "rubydate", "rfc822", "rfc822z", "rfc850",
                           "rfc1123", "rfc1123z", "rfc3339", "rfc3339nano", "kitchen"}) {
    EXPECT_TRUE(GoLayoutStrftime(name).has_value()) << name;
    EXPECT_TRUE(IsTimeFormatName(name)) << name;
  }
  EXPECT_EQ(*GoLayoutStrftime("kitchen"), "%-I:%M%p");
  EXPECT_FALSE(GoLayoutStrftime("").has_value());
  EXPECT_FALSE(GoLayoutStrftime("KITCHEN").has_value());
}

// Runs `body` with stderr redirected into a pipe and returns what it wrote.
template <typename F>
std::string CaptureStderr(F body) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  std::fflush(stderr);
  int saved = ::dup(2);
  ::dup2(fds[1], 2);
  ::close(fds[1]);
  body();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  return out;
}

TEST(SetupLogging, WritesCosmovisorShapedLinesToStderr) {
  Config config;
  config.time_format_logs = "";
  std::string out = CaptureStderr([&] {
    SetupLogging(config);
    spdlog::info("starting {}", "node");
    spdlog::warn("careful");
    spdlog::error("broken");
  });
  // Not a terminal, so no colour codes even though COSMOVISOR_COLOR_LOGS defaults to true.
  EXPECT_EQ(out,
            "INF starting node module=replayer\n"
            "WRN careful module=replayer\n"
            "ERR broken module=replayer\n");
}

TEST(SetupLogging, TimestampPrecedesLevel) {
  Config config;
  config.time_format_logs = "rfc3339";
  std::string out = CaptureStderr([&] {
    SetupLogging(config);
    spdlog::info("hello");
  });
  ASSERT_GE(out.size(), 20u) << out;
  EXPECT_EQ(out[4], '-') << out;
  EXPECT_EQ(out[10], 'T') << out;
  EXPECT_NE(out.find(" INF hello module=replayer\n"), std::string::npos) << out;
}

TEST(SetupLogging, DisableLogsSilencesEverything) {
  Config config;
  config.disable_logs = true;
  std::string out = CaptureStderr([&] {
    SetupLogging(config);
    spdlog::error("you should not see this");
  });
  EXPECT_EQ(out, "");
  SetupDefaultLogging();
  EXPECT_EQ(spdlog::default_logger()->level(), spdlog::level::info);
}

}  // namespace
}  // namespace replayer

namespace {

TEST(ForDisplay, RedactsUserInfoInEveryUrlAndEscapesControls) {
  EXPECT_EQ(base::RedactUrlUserInfo("get https://u:p@h.example/x?y=a@b and ftp://me@h/ ok"),
            "get https://***@h.example/x?y=a@b and ftp://***@h/ ok");
  EXPECT_EQ(base::RedactUrlUserInfo("{\"b\":\"http://a:b:c@[::1]:80/p\"}"),
            "{\"b\":\"http://***@[::1]:80/p\"}");
  EXPECT_EQ(base::RedactUrlUserInfo("mail me@host, or see http://host/a@b"),
            "mail me@host, or see http://host/a@b");
  EXPECT_EQ(base::RedactUrlUserInfo("://@x"), "://@x");
  EXPECT_EQ(base::EscapeControl(std::string("v2\nINF forged\x1b[31m\0x", 20)),
            "v2\\nINF forged\\x1b[31m\\x00x");
}

}  // namespace
