// FormatSwitchMetrics: each applied switch's confirmation as Prometheus text (pure).
#include "replayer/commands/switch_metrics.h"

#include <gtest/gtest.h>

namespace replayer {
namespace {

state::AppliedUpgrade Applied(std::string name, int64_t height, state::Confirmation c) {
  state::AppliedUpgrade a;
  a.name = std::move(name);
  a.dir = a.name;
  a.height = height;
  a.confirmation = c;
  return a;
}

TEST(SwitchMetrics, EachStateHasItsSeriesAndTotals) {
  auto ok = Applied("v2", 4, state::Confirmation::kConfirmed);
  ok.confirmed_height = 5;
  ok.confirmed_ms = 1764623903250;
  auto waiting = Applied("v3", 10, state::Confirmation::kPending);
  auto bad = Applied("v4", 20, state::Confirmation::kUnconfirmed);
  std::string text = FormatSwitchMetrics({ok, waiting, bad});
  for (const char* want : {
           "# TYPE replayer_switch_confirmed gauge\n",
           "replayer_switch_confirmed{upgrade=\"v2\",height=\"4\"} 1\n",
           "replayer_switch_confirmed{upgrade=\"v3\",height=\"10\"} 0\n",
           "replayer_switch_confirmed{upgrade=\"v4\",height=\"20\"} 0\n",
           "replayer_switch_unconfirmed{upgrade=\"v2\",height=\"4\"} 0\n",
           "replayer_switch_unconfirmed{upgrade=\"v4\",height=\"20\"} 1\n",
           "replayer_switch_confirmed_height{upgrade=\"v2\",height=\"4\"} 5\n",
           "replayer_switch_confirmed_height{upgrade=\"v3\",height=\"10\"} 0\n",
           "replayer_switch_confirmed_timestamp_seconds{upgrade=\"v2\",height=\"4\"} 1764623903.250\n",
           "replayer_switches_pending 1\n",
           "replayer_switches_unconfirmed 1\n",
       }) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\nin:\n" << text;
  }
}

TEST(SwitchMetrics, OlderRecordsAreLeftOutAndLabelsEscaped) {
  auto old = Applied("v1", 2, state::Confirmation::kUnknown);
  auto odd = Applied("a\"b\\c\nd", 3, state::Confirmation::kPending);
  std::string text = FormatSwitchMetrics({old, odd});
  EXPECT_EQ(text.find("\"v1\""), std::string::npos) << text;
  EXPECT_NE(text.find("replayer_switch_confirmed{upgrade=\"a\\\"b\\\\c\\nd\",height=\"3\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(FormatSwitchMetrics({}).find("replayer_switches_unconfirmed 0\n"), std::string::npos);
}

}  // namespace
}  // namespace replayer
