// End to end, notifications: the real `replayer run` over a switch of script nodes posts every
// journal entry to a real loopback webhook receiver (Boost.Beast), in the journal's order,
// signed (checked here with OpenSSL), with the URL's credentials used as Basic auth and never
// printed; Slack's form; and receivers that refuse, hang or answer 500 change nothing about the
// switch: same exit, same node history, bounded retries, bounded exit.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

#include "tests/e2e/harness.h"
#include "tests/e2e/webhook_receiver.h"

namespace e2e {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Env = std::map<std::string, std::string>;

const Env kRun = {{"STOP_AT", "8"}, {"UNSAFE_SKIP_BACKUP", "true"}};
const char* kPassword = "hunter2-webhook-pw";

void SetUpSwitch(TestHome& h, const std::string& preupgrade_exits = "0") {
  NodeSpec g;
  g.version = "v1";
  g.upgrade_name = "v2";
  g.upgrade_height = 5;
  h.InitGenesis(g);
  NodeSpec v2;
  v2.version = "v2";
  v2.preupgrade_exits = preupgrade_exits;
  v2.commit_log = "cometbft";  // its committed-state lines confirm the switch
  h.PlaceUpgrade("v2", v2);
}

Env With(Env env, const Env& more) {
  for (const auto& [k, v] : more) env[k] = v;
  return env;
}

// The journal as `status --json` shows it: (step, failed) per entry, oldest first.
std::vector<std::pair<std::string, bool>> Journal(TestHome& h) {
  auto st = h.Run({"status", "--json", "-n", "1000"});
  EXPECT_EQ(st.exit_code, 0) << st.err;
  std::vector<std::pair<std::string, bool>> out;
  json status = json::parse(st.out);
  for (const auto& e : status.at("journal")) {
    out.emplace_back(e.at("step").get<std::string>(), e.at("failed").get<bool>());
  }
  return out;
}

// node.log without its timestamps: what the node did, comparable across homes.
std::string NodeHistory(const TestHome& h) {
  std::istringstream in(h.NodeLog());
  std::string line, out;
  while (std::getline(in, line)) out += line.substr(line.find(' ') + 1) + "\n";
  return out;
}

// The upgrade steps every successful switch records, in order (the journal may hold more).
const std::vector<std::string> kSteps = {"detected",          "node-stopped",     "snapshot-taken",
                                         "binary-ready",      "custom-preupgrade", "current-switched",
                                         "node-preupgrade",   "node-restarted",   "confirmed"};

TEST(Webhook, EverySwitchStepIsPostedInJournalOrderSignedAndAuthenticated) {
  WebhookReceiver rx;
  TestHome h;
  SetUpSwitch(h);
  auto r = h.Run({"run", "start"},
                 With(kRun, {{"REPLAYER_WEBHOOK_URL", rx.Url("/hook", std::string("ops:") + kPassword)},
                             {"REPLAYER_WEBHOOK_SECRET", "topsecret"}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  auto journal = Journal(h);
  // Delivered before `run` exited (it drains its queue on the way out).
  auto posts = rx.posts();
  ASSERT_EQ(posts.size(), journal.size()) << r.err;

  std::vector<std::string> steps;
  for (size_t i = 0; i < posts.size(); ++i) {
    ReceivedPost& p = posts[i];
    EXPECT_EQ(p.method, "POST");
    EXPECT_EQ(p.target, "/hook");
    EXPECT_EQ(p.headers["content-type"], "application/json");
    // The signature is over the exact bytes received.
    EXPECT_EQ(p.headers["x-replayer-signature"], HmacSha256Header("topsecret", p.body)) << i;
    EXPECT_NE(p.headers["x-replayer-signature"], HmacSha256Header("other", p.body));
    // The URL's user-info is sent as Basic auth ("ops:hunter2-webhook-pw").
    EXPECT_EQ(p.headers["authorization"], "Basic b3BzOmh1bnRlcjItd2ViaG9vay1wdw==");
    json j = json::parse(p.body);
    EXPECT_EQ(p.headers["x-replayer-event"], j.at("event")) << p.body;
    EXPECT_EQ(j.at("schema"), 1);
    EXPECT_EQ(j.at("home"), h.home());
    EXPECT_EQ(j.at("daemon"), "simd");
    EXPECT_FALSE(j.at("replayer_version").get<std::string>().empty());
    EXPECT_EQ(j.at("upgrade").at("name"), "v2");
    EXPECT_EQ(j.at("upgrade").at("height"), 5);
    EXPECT_EQ(j.at("upgrade").at("seq"), i + 1);
    EXPECT_EQ(j.at("upgrade").at("step"), journal[i].first) << i;
    EXPECT_EQ(j.at("upgrade").at("failed"), journal[i].second) << i;
    steps.push_back(j.at("upgrade").at("step"));
    if (i > 0) {
      EXPECT_GE(j.at("time_ms"), json::parse(posts[i - 1].body).at("time_ms"));
    }
  }
  // Every step of the switch is there, in order, whatever steps the journal adds around them.
  size_t next = 0;
  for (const auto& s : steps) {
    if (next < kSteps.size() && s == kSteps[next]) ++next;
  }
  EXPECT_EQ(next, kSteps.size()) << json(steps).dump();
  EXPECT_EQ(json::parse(posts.front().body).at("event"), "upgrade.detected");
  size_t restarted = std::find(steps.begin(), steps.end(), "node-restarted") - steps.begin();
  ASSERT_LT(restarted, posts.size());
  EXPECT_EQ(json::parse(posts[restarted].body).at("event"), "upgrade.completed");
  EXPECT_EQ(json::parse(posts[restarted].body).at("upgrade").at("completed"), true);
  // The confirmation (the new binary committed a block above 5) comes after the completion.
  size_t confirmed = std::find(steps.begin(), steps.end(), "confirmed") - steps.begin();
  ASSERT_LT(confirmed, posts.size());
  EXPECT_GT(confirmed, restarted);
  EXPECT_EQ(json::parse(posts[confirmed].body).at("event"), "upgrade.confirmed") << posts[confirmed].body;
  EXPECT_EQ(json::parse(posts[confirmed].body).at("upgrade").at("failed"), false);

  // The password is used, never shown.
  EXPECT_EQ((r.out + r.err).find(kPassword), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("notifications to http://***@127.0.0.1:"), std::string::npos) << r.err;
}

TEST(Webhook, SlackFormatPostsOneTextPerEvent) {
  WebhookReceiver rx;
  TestHome h;
  SetUpSwitch(h);
  auto r = h.Run({"run", "start"}, With(kRun, {{"REPLAYER_WEBHOOK_URL", rx.Url("/services/T/B/x")},
                                               {"REPLAYER_WEBHOOK_FORMAT", "slack"}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto posts = rx.posts();
  ASSERT_EQ(posts.size(), Journal(h).size());
  for (const auto& p : posts) {
    json j = json::parse(p.body);
    ASSERT_EQ(j.size(), 1u) << p.body;
    EXPECT_TRUE(j.at("text").is_string()) << p.body;
    EXPECT_EQ(p.headers.count("x-replayer-signature"), 0u) << "no secret, no signature";
  }
  EXPECT_EQ(json::parse(posts.front().body).at("text"),
            "simd: upgrade \"v2\" at height 5 detected: from genesis to upgrades/v2");
  // (Not necessarily the last post: the journal may record more after completion.)
  std::vector<std::string> texts;
  for (const auto& p : posts) texts.push_back(json::parse(p.body).at("text"));
  EXPECT_NE(std::find(texts.begin(), texts.end(),
                      "simd: upgrade \"v2\" at height 5 complete (node-restarted): node restarted "
                      "on the new binary"),
            texts.end())
      << json(texts).dump();
}

TEST(Webhook, AFailedSwitchIsPostedAndTheRunsFailureToo) {
  WebhookReceiver rx;
  TestHome h;
  SetUpSwitch(h, "30");  // the new binary's pre-upgrade aborts the upgrade
  auto r = h.Run({"run", "start"}, With(kRun, {{"REPLAYER_WEBHOOK_URL", rx.Url("/hook")}}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto posts = rx.posts();
  ASSERT_GE(posts.size(), 2u);
  json failed = json::parse(posts[posts.size() - 2].body);
  EXPECT_EQ(failed.at("event"), "upgrade.failed") << failed.dump();
  EXPECT_EQ(failed.at("upgrade").at("step"), "node-preupgrade");
  EXPECT_NE(failed.at("error").get<std::string>().find("exit 30"), std::string::npos);
  json run = json::parse(posts.back().body);
  EXPECT_EQ(run.at("event"), "run.failed");
  EXPECT_NE(run.at("error").get<std::string>().find("aborted the upgrade (exit 30)"), std::string::npos);
  EXPECT_EQ(posts.size(), Journal(h).size() + 1);
}

// Receivers that refuse (closed port), hang (accept, never answer) and break (500) at once: the
// switch happens exactly as without webhooks, `run` exits in bounded time (the harness's 30 s
// kill would show as a time-out), each event is tried 1 + REPLAYER_WEBHOOK_RETRIES times, and
// no log line shows a password.
TEST(Webhook, DeadReceiversChangeNothing) {
  TestHome plain;
  SetUpSwitch(plain);
  auto base = plain.Run({"run", "start"}, kRun);
  ASSERT_EQ(base.exit_code, 0) << base.err;
  size_t events = Journal(plain).size();

  WebhookReceiver hangs(WebhookReceiver::Answer::kNever);
  WebhookReceiver breaks(WebhookReceiver::Answer::kStatus500);
  std::string refused = "http://ops:" + std::string(kPassword) + "@127.0.0.1:" +
                        std::to_string(ClosedLoopbackPort()) + "/hook";
  TestHome h;
  SetUpSwitch(h);
  auto r = h.Run({"run", "start"},
                 With(kRun, {{"REPLAYER_WEBHOOK_URL",
                              refused + " " + hangs.Url("/h", std::string("ops:") + kPassword) +
                                  "," + breaks.Url("/b")},
                             {"REPLAYER_WEBHOOK_SECRET", "s"},
                             {"REPLAYER_WEBHOOK_TIMEOUT", "300ms"},
                             {"REPLAYER_WEBHOOK_RETRIES", "2"},
                             {"REPLAYER_WEBHOOK_BACKOFF", "10ms"},
                             {"REPLAYER_WEBHOOK_DRAIN_TIMEOUT", "3s"}}));
  ASSERT_FALSE(r.timed_out) << r.err;
  EXPECT_EQ(r.exit_code, base.exit_code) << r.err;
  EXPECT_EQ(h.Current(), plain.Current());
  EXPECT_EQ(h.Height(), plain.Height());
  EXPECT_EQ(NodeHistory(h), NodeHistory(plain));
  EXPECT_EQ(Journal(h), Journal(plain));

  // The 500 receiver saw every event exactly 3 times, the same bytes each time, in order.
  auto posts = breaks.posts();
  ASSERT_EQ(posts.size(), 3 * events) << r.err;
  for (size_t i = 0; i < posts.size(); ++i) {
    EXPECT_EQ(posts[i].body, posts[i - i % 3].body) << i;
    EXPECT_EQ(json::parse(posts[i].body).at("upgrade").at("seq"), i / 3 + 1) << i;
  }
  // The hanging one got at most 3 tries per event (the exit deadline may cut them short), and
  // the first event all 3: each try ended at its 300 ms timeout.
  EXPECT_GE(hangs.connections(), 3);
  EXPECT_LE(hangs.connections(), static_cast<int>(3 * events));
  EXPECT_NE(r.err.find("not delivered after 3 attempts: HTTP 500"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("webhook http://***@127.0.0.1:"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find(kPassword), std::string::npos) << r.err;
}

// A request that would wait for an hour is aborted at the exit deadline: `run` ends (the
// harness's 30 s bound), having tried once, and says what it gave up.
TEST(Webhook, AHangingReceiverIsAbandonedAtTheExitDeadline) {
  WebhookReceiver hangs(WebhookReceiver::Answer::kNever);
  TestHome h;
  SetUpSwitch(h);
  auto r = h.Run({"run", "start"}, With(kRun, {{"REPLAYER_WEBHOOK_URL", hangs.Url("/h")},
                                               {"REPLAYER_WEBHOOK_TIMEOUT", "1h"},
                                               {"REPLAYER_WEBHOOK_DRAIN_TIMEOUT", "1s"}}));
  ASSERT_FALSE(r.timed_out) << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(hangs.connections(), 1);
  EXPECT_NE(r.err.find("upgrade.detected not delivered after 1 attempt"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(std::to_string(Journal(h).size() - 1) + " events not sent: the exit deadline"),
            std::string::npos) << r.err;
}

TEST(Webhook, BadConfigurationExitsTwoAndTouchesNothing) {
  TestHome h;
  SetUpSwitch(h);
  std::string listing_before = h.Current();
  for (const Env& bad : std::vector<Env>{
           {{"REPLAYER_WEBHOOK_URL", "ftp://ops:" + std::string(kPassword) + "@127.0.0.1/x"}},
           {{"REPLAYER_WEBHOOK_URL", "http://127.0.0.1:1/x"}, {"REPLAYER_WEBHOOK_FORMAT", "teams"}},
           {{"REPLAYER_WEBHOOK_SECRET", "s"}}}) {
    auto r = h.Run({"run", "start"}, With(kRun, bad));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("REPLAYER_WEBHOOK_"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(kPassword), std::string::npos) << r.err;
    auto s = h.Run({"sync", "--plans", h.home() + "/none.json"}, bad);
    EXPECT_EQ(s.exit_code, 2) << s.err;
    EXPECT_NE(s.err.find("REPLAYER_WEBHOOK_"), std::string::npos) << s.err;
  }
  EXPECT_EQ(h.NodeLog(), "") << "the node never started";
  EXPECT_EQ(h.Current(), listing_before);
  EXPECT_FALSE(h.Exists("data/upgrade-info.json"));
}

}  // namespace
}  // namespace e2e
