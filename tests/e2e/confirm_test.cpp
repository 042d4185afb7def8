// End to end: the `confirmed` step after `node restarted`. The real `replayer run` on script
// nodes whose new binary logs CometBFT's committed-state line: confirmed once it commits a block
// above the switch height (journal, `status --json`, /metrics over real HTTP); not confirmed in
// time, or the node exiting first, reported loudly (error line, `status`, /metrics) with nothing
// rolled back, and confirmed late once a block comes; a Replayer killed before `confirmed` keeps
// waiting after its restart.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <regex>
#include <thread>

#include "tests/e2e/harness.h"

namespace e2e {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// GET with libcurl; "" when the request fails or the status is not 200.
std::string HttpGet(const std::string& url) {
  CURL* curl = curl_easy_init();
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 2000L);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  return rc == CURLE_OK && status == 200 ? body : std::string();
}

// Waits (bounded) until `ready` holds; false when it never did.
template <typename Fn>
bool WaitUntil(Fn ready, std::chrono::seconds limit = 30s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return ready();
}

// The metrics URL a running Replayer announced on stderr ("" until it has).
std::string MetricsUrl(const TestHome& h, pid_t pid) {
  static const std::regex announced(R"(metrics at (http://127\.0\.0\.1:[0-9]+/metrics))");
  std::smatch m;
  std::string err = h.ErrSoFar(pid);
  return std::regex_search(err, m, announced) ? m[1].str() : "";
}

json Status(TestHome& h) {
  auto r = h.Run({"status", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out, nullptr, false);
}

json Confirmation(TestHome& h) {
  json s = Status(h);
  if (!s.is_object() || s["applied"].size() != 1) return json();
  return s["applied"][0]["confirmation"];
}

// The journal entries for step `confirmed`, as "ok" or "failed: <detail>".
std::vector<std::string> ConfirmedEntries(const json& status) {
  std::vector<std::string> out;
  for (const auto& e : status["journal"]) {
    if (e["step"] == "confirmed") {
      out.push_back(e["failed"].get<bool>() ? "failed: " + e["detail"].get<std::string>() : "ok");
    }
  }
  return out;
}

// genesis v1 (plan "v2" at height 4) and upgrades/v2 logging CometBFT's committed-state lines.
void SetUpSwitch(TestHome& h, const std::string& v2_stall_at = "") {
  NodeSpec g;
  g.version = "v1";
  g.upgrade_name = "v2";
  g.upgrade_height = 4;
  h.InitGenesis(g);
  NodeSpec v2;
  v2.version = "v2";
  v2.commit_log = "cometbft";
  v2.stall_at = v2_stall_at;
  h.PlaceUpgrade("v2", v2);
}

void Terminate(TestHome& h, pid_t pid) {
  kill(pid, SIGTERM);
  auto r = h.Wait(pid);
  EXPECT_FALSE(r.timed_out);
}

TEST(Confirmation, SwitchIsConfirmedOnceTheNewBinaryCommitsAboveTheHeight) {
  TestHome h;
  SetUpSwitch(h, /*v2_stall_at=*/"9");  // commits 4..8, then stays up for the scrapes
  pid_t run = h.Start({"run", "start"}, {{"REPLAYER_METRICS_ADDR", "127.0.0.1:0"}});
  std::string url;
  ASSERT_TRUE(WaitUntil([&] { return !(url = MetricsUrl(h, run)).empty(); })) << h.ErrSoFar(run);
  std::string body;
  ASSERT_TRUE(WaitUntil([&] {
    body = HttpGet(url);
    return body.find("replayer_switch_confirmed{upgrade=\"v2\",height=\"4\"} 1\n") !=
           std::string::npos;
  })) << body << h.ErrSoFar(run);
  EXPECT_NE(body.find("replayer_switch_confirmed_height{upgrade=\"v2\",height=\"4\"} 5\n"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("replayer_switch_unconfirmed{upgrade=\"v2\",height=\"4\"} 0\n"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("replayer_switches_unconfirmed 0\n"), std::string::npos) << body;
  EXPECT_NE(body.find("replayer_switches_pending 0\n"), std::string::npos) << body;
  EXPECT_EQ(body.find("replayer_switch_confirmed_timestamp_seconds{upgrade=\"v2\",height=\"4\"} 0"),
            std::string::npos)
      << body;

  json s = Status(h);
  ASSERT_TRUE(s.is_object());
  ASSERT_EQ(s["applied"].size(), 1u) << s.dump(2);
  json c = s["applied"][0]["confirmation"];
  EXPECT_EQ(c["state"], "confirmed") << c.dump();
  EXPECT_EQ(c["confirmed"], true);
  EXPECT_EQ(c["height"], 5) << "the first block above the switch height 4";
  EXPECT_TRUE(c["time"].is_string()) << c.dump();
  EXPECT_EQ(ConfirmedEntries(s), std::vector<std::string>{"ok"}) << s.dump(2);
  auto text = h.Run({"status"});
  EXPECT_NE(text.out.find("v2 at height 4 ("), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(", confirmed at height 5 ("), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  v2  confirmed: upgrades/v2 committed height 5"), std::string::npos)
      << text.out;
  EXPECT_NE(h.ErrSoFar(run).find("upgrade \"v2\" at height 4: confirmed: upgrades/v2 committed "
                                 "height 5"),
            std::string::npos)
      << h.ErrSoFar(run);
  Terminate(h, run);
  EXPECT_EQ(ConfirmedEntries(Status(h)), std::vector<std::string>{"ok"}) << "stopping adds nothing";
}

TEST(Confirmation, NotConfirmedInTimeIsReportedLoudlyAndNothingIsRolledBack) {
  TestHome h;
  SetUpSwitch(h, /*v2_stall_at=*/"5");  // commits the switch block 4, never one above it
  pid_t run = h.Start({"run", "start"}, {{"REPLAYER_METRICS_ADDR", "127.0.0.1:0"},
                                         {"REPLAYER_CONFIRM_TIMEOUT", "1s"}});
  ASSERT_TRUE(WaitUntil([&] { return h.ErrSoFar(run).find("NOT CONFIRMED") != std::string::npos; }))
      << h.ErrSoFar(run);
  std::string err = h.ErrSoFar(run);
  EXPECT_NE(err.find("upgrade \"v2\" at height 4 NOT CONFIRMED: no block above height 4 "
                     "committed by upgrades/v2 within 1s (REPLAYER_CONFIRM_TIMEOUT); "),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("nothing is rolled back"), std::string::npos) << err;

  std::string body;
  std::string url = MetricsUrl(h, run);
  ASSERT_FALSE(url.empty()) << err;
  ASSERT_TRUE(WaitUntil([&] {
    body = HttpGet(url);
    return body.find("replayer_switches_unconfirmed 1\n") != std::string::npos;
  })) << body;
  EXPECT_NE(body.find("replayer_switch_unconfirmed{upgrade=\"v2\",height=\"4\"} 1\n"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("replayer_switch_confirmed{upgrade=\"v2\",height=\"4\"} 0\n"),
            std::string::npos)
      << body;

  json s = Status(h);
  json c = s["applied"][0]["confirmation"];
  EXPECT_EQ(c["state"], "unconfirmed") << s.dump(2);
  EXPECT_EQ(c["confirmed"], false);
  EXPECT_TRUE(c["height"].is_null());
  EXPECT_TRUE(c["reported_at"].is_string());
  EXPECT_NE(c["detail"].get<std::string>().find("within 1s"), std::string::npos) << c.dump();
  auto entries = ConfirmedEntries(s);
  ASSERT_EQ(entries.size(), 1u) << s.dump(2);
  EXPECT_EQ(entries[0].rfind("failed: no block above height 4", 0), 0u) << entries[0];
  auto text = h.Run({"status"});
  EXPECT_NE(text.out.find(", NOT CONFIRMED ("), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("confirmed FAILED: no block above height 4"), std::string::npos)
      << text.out;

  // Nothing rolled back: the new binary still runs on the switched home, the old one never
  // started again, the data was not restored.
  EXPECT_EQ(h.Current(), "upgrades/v2");
  EXPECT_EQ(h.CountInLog("v1 start"), 1);
  EXPECT_EQ(h.CountInLog("v2 start"), 1);
  EXPECT_EQ(h.CountInLog("v2 stalled before 5"), 1);
  EXPECT_EQ(h.Height(), 4);
  EXPECT_TRUE(s["in_progress"].is_null());
  Terminate(h, run);
  EXPECT_EQ(Confirmation(h)["state"], "unconfirmed") << "a stop on request changes nothing";
  EXPECT_EQ(h.Current(), "upgrades/v2");

  // The operator fixes the binary; the next run confirms the switch, late.
  NodeSpec fixed;
  fixed.version = "v2";
  fixed.commit_log = "cometbft";
  h.PlaceUpgrade("v2", fixed);
  auto again = h.Run({"run", "start"}, {{"STOP_AT", "6"}});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("it was reported unconfirmed before"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("upgrade \"v2\" at height 4: confirmed late"), std::string::npos)
      << again.err;
  json late = Status(h);
  EXPECT_EQ(late["applied"][0]["confirmation"]["state"], "confirmed") << late.dump(2);
  EXPECT_EQ(late["applied"][0]["confirmation"]["height"], 5);
  EXPECT_EQ(ConfirmedEntries(late).back(), "ok");
}

TEST(Confirmation, NodeExitingBeforeConfirmingIsReported) {
  TestHome h;
  SetUpSwitch(h);
  // v2 commits the switch block 4 and exits 2 (v1 never reaches its STOP_AT: its plan stops it).
  auto r = h.Run({"run", "start"}, {{"STOP_AT", "4"}, {"STOP_CODE", "2"}});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("upgrade \"v2\" at height 4 NOT CONFIRMED: the node exited (exit code 2) "
                       "before upgrades/v2 committed a block above height 4 (last committed: 4)"),
            std::string::npos)
      << r.err;
  json s = Status(h);
  json c = s["applied"][0]["confirmation"];
  EXPECT_EQ(c["state"], "unconfirmed") << s.dump(2);
  EXPECT_NE(c["detail"].get<std::string>().find("the node exited (exit code 2)"),
            std::string::npos);
  auto entries = ConfirmedEntries(s);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].rfind("failed: the node exited (exit code 2)", 0), 0u) << entries[0];
  EXPECT_EQ(h.Current(), "upgrades/v2") << "nothing rolled back";

  auto again = h.Run({"run", "start"}, {{"STOP_AT", "6"}});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Confirmation(h)["state"], "confirmed");
  EXPECT_EQ(h.CountInLog("v1 start"), 1);
}

// Killed right after `node restarted` is recorded: the switch is applied and pending; the next
// run starts the new binary again and records `confirmed` once it commits above the height.
TEST(Confirmation, KilledBeforeConfirmedKeepsWaitingAfterTheRestart) {
  TestHome h;
  SetUpSwitch(h);
  auto first = h.Run({"run", "start"},
                     {{"STOP_AT", "7"}, {"REPLAYER_TEST_CRASH_AT", "node-restarted"}});
  ASSERT_EQ(first.exit_code, 137) << first.err;
  json s = Status(h);
  ASSERT_EQ(s["applied"].size(), 1u) << s.dump(2);
  EXPECT_EQ(s["applied"][0]["confirmation"]["state"], "pending") << s.dump(2);
  EXPECT_TRUE(ConfirmedEntries(s).empty());
  auto text = h.Run({"status"});
  EXPECT_NE(text.out.find(", waiting for confirmation (a block above 4)"), std::string::npos)
      << text.out;

  auto second = h.Run({"run", "start"}, {{"STOP_AT", "7"}});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("waiting for upgrades/v2 to commit a block above height 4"),
            std::string::npos)
      << second.err;
  json after = Status(h);
  EXPECT_EQ(after["applied"][0]["confirmation"]["state"], "confirmed") << after.dump(2);
  EXPECT_GT(after["applied"][0]["confirmation"]["height"].get<int64_t>(), 4);
  EXPECT_EQ(ConfirmedEntries(after), std::vector<std::string>{"ok"});
  EXPECT_EQ(h.CountInLog("v1 start"), 1);
}

// A new binary that logs no commit line (the plain "committed height=N" is none) is asked with
// its `status` (the script node answers like CometBFT's RPC /status, from its data/height): a
// latest height of L >= 6 confirms block L - 1 (above the switch height 4), since /status shows
// a block before it is committed; L = 5 would not.
TEST(Confirmation, ANodeThatLogsNoCommitLinesIsConfirmedThroughItsStatus) {
  TestHome h;
  NodeSpec g;
  g.version = "v1";
  g.upgrade_name = "v2";
  g.upgrade_height = 4;
  h.InitGenesis(g);
  NodeSpec v2;
  v2.version = "v2";
  v2.stall_at = "9";  // commits 4..8, then stays up
  h.PlaceUpgrade("v2", v2);
  // A quarter of the timeout between probes: 1 s.
  pid_t run = h.Start({"run", "start"}, {{"REPLAYER_CONFIRM_TIMEOUT", "4s"}});
  static const std::regex confirmed(
      R"(confirmed: upgrades/v2 committed height ([0-9]+) \(its `status` reports latest block )"
      R"(height ([0-9]+); it logs no commit lines\))");
  std::smatch m;
  std::string err;
  ASSERT_TRUE(WaitUntil([&] {
    err = h.ErrSoFar(run);
    return std::regex_search(err, m, confirmed);
  })) << err;
  int64_t block = std::stoll(m[1].str());
  EXPECT_EQ(std::stoll(m[2].str()), block + 1);
  EXPECT_GE(block, 5);
  EXPECT_LE(block, 7);
  json c = Confirmation(h);
  EXPECT_EQ(c["state"], "confirmed") << c.dump();
  EXPECT_EQ(c["height"], block);
  EXPECT_EQ(h.ErrSoFar(run).find("NOT CONFIRMED"), std::string::npos) << h.ErrSoFar(run);
  Terminate(h, run);
}

// The same node stalled after block 5: `status` reports 5, which proves only block 4 (the switch
// block itself) committed, so the switch is reported unconfirmed after the timeout.
TEST(Confirmation, AStatusHeightOneAboveTheSwitchDoesNotConfirm) {
  TestHome h;
  NodeSpec g;
  g.version = "v1";
  g.upgrade_name = "v2";
  g.upgrade_height = 4;
  h.InitGenesis(g);
  NodeSpec v2;
  v2.version = "v2";
  v2.stall_at = "6";  // commits 4 and 5
  h.PlaceUpgrade("v2", v2);
  pid_t run = h.Start({"run", "start"}, {{"REPLAYER_CONFIRM_TIMEOUT", "2s"}});
  ASSERT_TRUE(WaitUntil([&] { return h.ErrSoFar(run).find("NOT CONFIRMED") != std::string::npos; }))
      << h.ErrSoFar(run);
  std::string err = h.ErrSoFar(run);
  EXPECT_NE(err.find("it logged no committed block, and its `status` reports latest block height "),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find("confirmed: "), std::string::npos) << err;
  EXPECT_EQ(Confirmation(h)["state"], "unconfirmed");
  Terminate(h, run);
}

// With DAEMON_RESTART_AFTER_UPGRADE=false Replayer exits after the switch: it waits, pending,
// and the next `replayer run` (the restart the operator does) confirms it.
TEST(Confirmation, WithRestartDisabledTheNextRunConfirms) {
  TestHome h;
  SetUpSwitch(h);
  auto first = h.Run({"run", "start"}, {{"DAEMON_RESTART_AFTER_UPGRADE", "false"}});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(h.CountInLog("v2 start"), 0);
  EXPECT_EQ(Confirmation(h)["state"], "pending");
  auto second = h.Run({"run", "start"}, {{"STOP_AT", "6"}});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  json c = Confirmation(h);
  EXPECT_EQ(c["state"], "confirmed") << c.dump();
  EXPECT_EQ(c["height"], 5);
}

// A bad REPLAYER_METRICS_ADDR is a usage error before anything starts.
TEST(Confirmation, BadMetricsAddressIsAUsageError) {
  TestHome h;
  SetUpSwitch(h);
  auto r = h.Run({"run", "start"}, {{"REPLAYER_METRICS_ADDR", "nowhere"}});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("REPLAYER_METRICS_ADDR"), std::string::npos) << r.err;
  EXPECT_FALSE(h.Exists("node.log")) << "the node must not have started";
}

}  // namespace
}  // namespace e2e
