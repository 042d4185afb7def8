// The webhook bodies: the JSON schema of docs/notifications.md and Slack's {"text": ...}, built
// from journal entries and sync moments (pure functions, no clock).
#include "replayer/notify/event.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace replayer {
namespace {

using nlohmann::json;

const NotifyContext kCtx{"/srv/node", "simd", "", "1.2.3"};

state::JournalEvent Entry(state::Step step, bool failed = false, bool completed = false,
                          std::string detail = "") {
  state::JournalEvent e;
  e.entry = {7, 3, "v2", step, failed, 1796169860123, std::move(detail)};
  e.txn.id = 3;
  e.txn.name = "v2";
  e.txn.height = 50;
  e.txn.last_step = step;
  e.completed = completed;
  return e;
}

TEST(NotifyEvent, JournalEntryBecomesTheDocumentedJson) {
  NotifyEvent e = EventFromJournal(Entry(state::Step::kBinaryReady, false, false, "fetched"));
  json j = json::parse(FormatEventJson(e, kCtx));
  EXPECT_EQ(j["schema"], 1);
  EXPECT_EQ(j["event"], "upgrade.step");
  EXPECT_EQ(j["time"], "2026-12-02T00:04:20.123Z");
  EXPECT_EQ(j["time_ms"], 1796169860123);
  EXPECT_EQ(j["replayer_version"], "1.2.3");
  EXPECT_EQ(j["home"], "/srv/node");
  EXPECT_EQ(j["daemon"], "simd");
  EXPECT_FALSE(j.contains("chain_id"));
  EXPECT_FALSE(j.contains("error"));
  EXPECT_EQ(j["upgrade"], (json{{"name", "v2"}, {"height", 50}, {"txn", 3}, {"seq", 7},
                               {"step", "binary-ready"}, {"failed", false},
                               {"completed", false}, {"detail", "fetched"}}));
  EXPECT_EQ(j["text"], "simd: upgrade \"v2\" at height 50: binary-ready: fetched");
}

TEST(NotifyEvent, EventNamesFollowTheEntry) {
  EXPECT_EQ(EventFromJournal(Entry(state::Step::kDetected)).event, "upgrade.detected");
  EXPECT_EQ(EventFromJournal(Entry(state::Step::kNodeStopped)).event, "upgrade.step");
  EXPECT_EQ(EventFromJournal(Entry(state::Step::kNodeRestarted, false, true)).event,
            "upgrade.completed");
  NotifyEvent f = EventFromJournal(Entry(state::Step::kNodePreUpgradeDone, true, false, "exit 30"));
  EXPECT_EQ(f.event, "upgrade.failed");
  EXPECT_EQ(f.error, "exit 30");
  EXPECT_EQ(EventText(f, kCtx), "simd: upgrade \"v2\" at height 50 FAILED at step node-preupgrade: exit 30");
  // A step this code does not know yet (the journal's later `confirmed`) is still an event.
  state::JournalEvent later = Entry(static_cast<state::Step>(99));
  EXPECT_EQ(EventFromJournal(later).event, "upgrade.step");
  EXPECT_EQ(EventFromJournal(later).upgrade->step, "unknown");
}

TEST(NotifyEvent, CredentialsAndControlCharactersNeverReachABody) {
  NotifyEvent e = EventFromJournal(
      Entry(state::Step::kBinaryReady, true, false, "GET https://bob:hunter2@host.invalid/x\n"));
  std::string body = FormatEventJson(e, kCtx);
  EXPECT_EQ(body.find("hunter2"), std::string::npos) << body;
  EXPECT_NE(body.find("https://***@host.invalid/x"), std::string::npos) << body;
  EXPECT_EQ(FormatSlackJson(e, kCtx).find("hunter2"), std::string::npos);
  EXPECT_EQ(EventText(e, kCtx).find('\n'), std::string::npos);
  EXPECT_EQ(RunFailedEvent(1, "see https://a:b@h.invalid").error, "see https://***@h.invalid");
  EXPECT_EQ(SyncFinishedEvent(1, 3, false, 1, 2, "u https://a:b@h.invalid").error,
            "u https://***@h.invalid");
  // Bytes that are not UTF-8 (a plan name is the chain's) are replaced, not thrown.
  state::JournalEvent bad = Entry(state::Step::kDetected);
  bad.entry.upgrade = "v\xff";
  json parsed = json::parse(FormatEventJson(EventFromJournal(bad), kCtx), nullptr, false);
  EXPECT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed.at("event"), "upgrade.detected");
}

TEST(NotifyEvent, SyncEvents) {
  NotifyContext ctx = kCtx;
  ctx.chain_id = "demo-1";
  json started = json::parse(FormatEventJson(SyncStartedEvent(0, 3, 40), ctx));
  EXPECT_EQ(started["event"], "sync.started");
  EXPECT_EQ(started["chain_id"], "demo-1");
  EXPECT_EQ(started["time"], "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(started["sync"], (json{{"segments", 3}, {"until", 40}}));
  EXPECT_EQ(started["text"], "simd (demo-1): sync started: 3 segments, until height 40");
  EXPECT_EQ(json::parse(FormatEventJson(SyncStartedEvent(0, 3, std::nullopt), ctx))["sync"]["until"],
            nullptr);

  json seg = json::parse(FormatEventJson(
      SegmentReachedEvent(5, 1, 3, "v2 (gov-plan)", "v2.0.0", "upgrades/v2", 11, 20), ctx));
  EXPECT_EQ(seg["event"], "sync.segment");
  EXPECT_EQ(seg["sync"], (json{{"segments", 3}, {"segment", 2}, {"label", "v2 (gov-plan)"},
                              {"version", "v2.0.0"}, {"target", "upgrades/v2"},
                              {"first_height", 11}, {"last_height", 20}}));
  EXPECT_EQ(seg["text"], "simd (demo-1): sync reached segment 2 of 3: v2 (gov-plan) (v2.0.0, heights 11-20)");
  json last = json::parse(FormatEventJson(
      SegmentReachedEvent(5, 2, 3, "v3", "v3.0.0", "upgrades/v3", 21, std::nullopt), ctx));
  EXPECT_EQ(last["sync"]["last_height"], nullptr);

  json done = json::parse(FormatEventJson(SyncFinishedEvent(9, 3, true, 0, 40, ""), ctx));
  EXPECT_EQ(done["event"], "sync.finished");
  EXPECT_EQ(done["sync"], (json{{"segments", 3}, {"ok", true}, {"exit_code", 0}, {"height", 40}}));
  EXPECT_FALSE(done.contains("error"));
  json bad = json::parse(FormatEventJson(SyncFinishedEvent(9, 3, false, std::nullopt, 12, "boom"), ctx));
  EXPECT_EQ(bad["sync"]["ok"], false);
  EXPECT_EQ(bad["sync"]["exit_code"], nullptr);
  EXPECT_EQ(bad["error"], "boom");
  EXPECT_EQ(bad["text"], "simd (demo-1): sync FAILED at height 12: boom");
}

TEST(NotifyEvent, SlackBodyIsOnlyTextWithEntities) {
  state::JournalEvent e = Entry(state::Step::kDetected, false, false, "a <b> & c");
  std::string body = FormatSlackJson(EventFromJournal(e), kCtx);
  json j = json::parse(body);
  ASSERT_EQ(j.size(), 1u) << body;
  EXPECT_EQ(j["text"], "simd: upgrade \"v2\" at height 50 detected: a &lt;b&gt; &amp; c");
}

TEST(NotifyEvent, UtcTimes) {
  EXPECT_EQ(FormatUtcMillis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatUtcMillis(951782400999), "2000-02-29T00:00:00.999Z");
  EXPECT_EQ(FormatUtcMillis(-1), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace replayer
