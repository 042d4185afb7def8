// End to end, what `replayer sync` tells an operator while it runs: the Prometheus endpoint
// (`--metrics`, scraped over real HTTP while a real demochain node syncs), the progress lines,
// the summary's downtime per switch, and the progress kept for `replayer status`.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <thread>

#include "tests/e2e/demochain_fixture.h"

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

// The unlabelled samples of a Prometheus text body.
std::map<std::string, double> Samples(const std::string& body) {
  std::map<std::string, double> out;
  static const std::regex line(R"(^(replayer_[a-z_]+) ([-+0-9.eE]+)$)");
  size_t at = 0;
  while (at < body.size()) {
    size_t nl = body.find('\n', at);
    if (nl == std::string::npos) nl = body.size();
    std::smatch m;
    std::string l = body.substr(at, nl - at);
    if (std::regex_match(l, m, line)) out[m[1]] = std::stod(m[2]);
    at = nl + 1;
  }
  return out;
}

class SyncMetrics : public ::testing::Test {
 protected:
  // Long enough (a few seconds on two cores) for several scrapes during the sync.
  static void SetUpTestSuite() { chain_.Start({.blocks = 6000}); }
  static void TearDownTestSuite() { chain_.Stop(); }
  void SetUp() override { ASSERT_NE(chain_.get(), nullptr) << chain_.error(); }
  static const DemoChain& chain() { return *chain_.get(); }
  static SharedChain chain_;
};
SharedChain SyncMetrics::chain_;

TEST_F(SyncMetrics, EndpointProgressSummaryAndStatusTellWhereTheSyncIs) {
  std::string plans = chain().WriteSchedule(chain().OperatorSchedule(), "metrics");
  SyncHome h(chain());
  auto sync = h.StartReplayer(
      h.SyncArgs(plans, 0, {"--metrics", "127.0.0.1:0", "--progress-interval", "0.05"}));
  static const std::regex announced(R"(metrics at (http://127\.0\.0\.1:[0-9]+/metrics))");
  std::string url;
  std::vector<std::map<std::string, double>> scrapes;
  auto deadline = std::chrono::steady_clock::now() + 90s;
  while (sync->Running() && std::chrono::steady_clock::now() < deadline) {
    if (url.empty()) {
      std::smatch m;
      std::string err = sync->Err();
      if (std::regex_search(err, m, announced)) url = m[1];
    }
    if (!url.empty()) {
      std::string body = HttpGet(url);
      if (!body.empty()) scrapes.push_back(Samples(body));
    }
    std::this_thread::sleep_for(20ms);
  }
  ProcResult r = sync->Wait(5s);
  ASSERT_EQ(r.exit_code, 0) << r.all();
  ASSERT_FALSE(url.empty()) << "no \"metrics at\" line:\n" << r.err;
  EXPECT_TRUE(HttpGet(url).empty()) << "the endpoint outlived the sync";

  // Scrapes taken while the node ran: the whole schedule, the target, a rising height.
  ASSERT_GE(scrapes.size(), 3u) << r.err;
  double last_height = 0;
  bool saw_rate = false;
  for (const auto& s : scrapes) {
    ASSERT_EQ(s.count("replayer_sync_height"), 1u);
    EXPECT_EQ(s.at("replayer_sync_segments"), 4);
    EXPECT_EQ(s.at("replayer_sync_target_height"), static_cast<double>(chain().tip()));
    EXPECT_GE(s.at("replayer_sync_height"), last_height) << "height went backwards";
    EXPECT_LE(s.at("replayer_sync_height"), static_cast<double>(chain().tip()));
    // Before the first launch (the endpoint is up first) no segment runs yet.
    EXPECT_GE(s.at("replayer_sync_segment"), s.at("replayer_sync_height") > 0 ? 1 : 0);
    EXPECT_LE(s.at("replayer_sync_segment"), 4);
    last_height = s.at("replayer_sync_height");
    saw_rate |= s.at("replayer_sync_blocks_per_second") > 0;
  }
  EXPECT_GT(last_height, 0);
  EXPECT_TRUE(saw_rate);

  // Progress lines, and the summary with a downtime per switch.
  EXPECT_NE(r.err.find("progress: height "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" blocks/s"), std::string::npos);
  EXPECT_NE(r.err.find("segment 1 of 4"), std::string::npos);
  EXPECT_NE(r.err.find("downtime: median"), std::string::npos) << r.err;
  EXPECT_EQ(CountOf(r.err, "    -> "), 3) << r.err;

  // `replayer status` keeps the outcome.
  ProcResult status = h.Replayer({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  json j = json::parse(status.out);
  ASSERT_TRUE(j.at("sync").is_object()) << status.out;
  EXPECT_TRUE(j["sync"].at("finished").get<bool>());
  EXPECT_EQ(j["sync"].at("height"), chain().tip());
  EXPECT_EQ(j["sync"].at("segment"), 4);
  ASSERT_EQ(j["sync"].at("downtimes").size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(j["sync"]["downtimes"][i].at("first_height"),
              chain().switches()[i].at("height"));
    EXPECT_GT(j["sync"]["downtimes"][i].at("seconds").get<double>(), 0);
  }
  ProcResult text = h.Replayer({"status"});
  EXPECT_NE(text.out.find("sync:         height " ), std::string::npos) << text.out;

  // Each switch was confirmed by a block its new binary committed above the switch height (the
  // real demochain's own "committed block height=N" lines), and /metrics said so.
  ASSERT_EQ(j.at("applied").size(), 3u) << status.out;
  for (size_t i = 0; i < 3; ++i) {
    const json& c = j["applied"][i].at("confirmation");
    EXPECT_EQ(c.at("state"), "confirmed") << status.out;
    EXPECT_EQ(c.at("height"), chain().switches()[i].at("height").get<int64_t>() + 1) << status.out;
  }
  EXPECT_EQ(scrapes.back().at("replayer_switches_unconfirmed"), 0);
  bool switch_totals_served = false;
  for (const auto& s : scrapes) switch_totals_served |= s.count("replayer_switches_pending") > 0;
  EXPECT_TRUE(switch_totals_served);
}

TEST_F(SyncMetrics, BadMetricsAddressIsRefusedBeforeAnythingRuns) {
  std::string plans = chain().WriteSchedule(chain().OperatorSchedule(), "metrics-bad");
  SyncHome h(chain());
  ProcResult r = h.Replayer(h.SyncArgs(plans, 0, {"--metrics", "9464"}));
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_NE(r.err.find("--metrics"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("IP:PORT"), std::string::npos) << r.err;
  EXPECT_FALSE(h.Exists("cosmovisor")) << "a refused sync touched the home";
  EXPECT_FALSE(h.Exists("data"));
}

}  // namespace
}  // namespace e2e
