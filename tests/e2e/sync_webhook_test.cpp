// End to end, notifications of `replayer sync` on a real demochain: a fresh node synced from
// genesis to the tip through its three switches posts sync.started, each segment reached, every
// journal entry of every switch and sync.finished to a real loopback receiver, in that order;
// and a sync that cannot start still says it finished, and how.
#include <gtest/gtest.h>

#include "tests/e2e/demochain_fixture.h"
#include "tests/e2e/webhook_receiver.h"

namespace e2e {
namespace {

using nlohmann::json;

class SyncWebhook : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { chain_.Start({.blocks = 300}); }
  static void TearDownTestSuite() { chain_.Stop(); }
  void SetUp() override { ASSERT_NE(chain_.get(), nullptr) << chain_.error(); }
  static const DemoChain& chain() { return *chain_.get(); }
  static SharedChain chain_;
};
SharedChain SyncWebhook::chain_;

std::vector<json> Bodies(const WebhookReceiver& rx) {
  std::vector<json> out;
  for (const auto& p : rx.posts()) out.push_back(json::parse(p.body));
  return out;
}

TEST_F(SyncWebhook, StartedEverySegmentEveryStepFinishedInOrder) {
  WebhookReceiver rx;
  std::string plans = chain().WriteSchedule(chain().OperatorSchedule(), "webhook");
  SyncHome h(chain());
  ProcResult r = h.Sync(plans, 0, {{"REPLAYER_WEBHOOK_URL", rx.Url("/sync")},
                                   {"REPLAYER_WEBHOOK_SECRET", "k"}});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  std::vector<json> events = Bodies(rx);
  ASSERT_GE(events.size(), 2u) << r.err;
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(rx.posts()[i].headers.at("x-replayer-signature"),
              HmacSha256Header("k", rx.posts()[i].body));
    EXPECT_EQ(events[i].at("chain_id"), chain().chain_id());
    EXPECT_EQ(events[i].at("home"), h.home());
  }

  EXPECT_EQ(events.front().at("event"), "sync.started");
  EXPECT_EQ(events.front().at("sync").at("segments"), 4);
  EXPECT_EQ(events.back().at("event"), "sync.finished");
  EXPECT_EQ(events.back().at("sync").at("ok"), true);
  EXPECT_EQ(events.back().at("sync").at("height"), chain().tip());

  // Segment k+1 is reached when switch k starts its new binary, which completes the switch
  // (node-restarted); every switch is there.
  std::vector<std::string> order;
  for (const auto& e : events) {
    std::string ev = e.at("event");
    if (ev == "sync.segment") {
      order.push_back("segment " + std::to_string(e.at("sync").at("segment").get<int>()) + " " +
                      e.at("sync").at("target").get<std::string>());
    } else if (ev == "upgrade.detected" || ev == "upgrade.completed") {
      order.push_back(ev + " " + e.at("upgrade").at("name").get<std::string>());
    } else if (ev == "upgrade.failed") {
      ADD_FAILURE() << e.dump();
    }
  }
  EXPECT_EQ(order, (std::vector<std::string>{
                       "segment 1 genesis",
                       "upgrade.detected v2", "segment 2 upgrades/v2", "upgrade.completed v2",
                       "upgrade.detected v2.1.0", "segment 3 upgrades/v2.1.0", "upgrade.completed v2.1.0",
                       "upgrade.detected v3", "segment 4 upgrades/v3", "upgrade.completed v3"}))
      << json(order).dump();
  json first = events[1];
  ASSERT_EQ(first.at("event"), "sync.segment");
  EXPECT_EQ(first.at("sync").at("first_height"), 1);
  EXPECT_EQ(first.at("sync").at("version"), "v1.0.0");
  EXPECT_FALSE(first.at("sync").at("last_height").is_null());

  // As many upgrade events as the journal has entries.
  size_t upgrade_events = 0;
  for (const auto& e : events) upgrade_events += e.contains("upgrade") ? 1 : 0;
  json status = json::parse(h.Replayer({"status", "--json", "-n", "1000"}).out);
  EXPECT_EQ(upgrade_events, status.at("journal").size());
}

TEST_F(SyncWebhook, ASyncThatCannotStartSaysSo) {
  WebhookReceiver rx;
  json schedule = chain().OperatorSchedule();
  // A checksum that the mirror's binary does not match: prepare refuses, nothing runs.
  for (auto& [platform, url] : schedule["segments"][1]["binaries"].items()) {
    std::string u = url;
    url = u.substr(0, u.find("sha256:") + 7) + std::string(64, '0');
  }
  std::string plans = chain().WriteSchedule(schedule, "unfetchable");
  SyncHome h(chain());
  ProcResult r = h.Sync(plans, 0, {{"REPLAYER_WEBHOOK_URL", rx.Url("/sync")}});
  ASSERT_NE(r.exit_code, 0) << r.all();
  std::vector<json> events = Bodies(rx);
  ASSERT_EQ(events.size(), 2u) << r.err;
  EXPECT_EQ(events[0].at("event"), "sync.started");
  EXPECT_EQ(events[1].at("event"), "sync.finished");
  EXPECT_EQ(events[1].at("sync").at("ok"), false);
  EXPECT_FALSE(events[1].at("error").get<std::string>().empty());
}

}  // namespace
}  // namespace e2e
