#include "replayer/chain/gov_import.h"

#include <spdlog/spdlog.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "replayer/chain/url.h"
#include "upgrade-plans/gov_rest.h"

namespace replayer {
namespace {

constexpr int kMaxRestPages = 100;  // 10,000 proposals: far more than any chain has

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

base::Result<plans::ImportResult> ImportScheduleFromRest(const std::string& base_url,
                                                         const std::string& chain_id,
                                                         const std::string& daemon,
                                                         registry::DownloadOptions options) {
  options.allow_http_without_checksum = true;  // API answers, not binaries
  options.max_attempts = 3;
  registry::Downloader http(options);
  std::string base = TrimSlash(base_url);
  std::vector<plans::GovPlan> plans_found;
  base::Status last_error;
  for (const char* api : {"v1", "v1beta1"}) {
    plans_found.clear();
    std::string key;
    std::set<std::string> keys_seen;  // a server that repeats a key would loop for ever
    int pages = 0;
    bool ok = true;
    do {
      std::string url = base + "/cosmos/gov/" + api +
                        "/proposals?proposal_status=PROPOSAL_STATUS_PASSED&pagination.limit=100";
      if (!key.empty()) url += "&pagination.key=" + UrlEscape(key);
      auto text = http.FetchText(url, std::nullopt, 16 << 20);
      if (!text.ok()) {
        last_error = text.status();
        ok = false;
        break;
      }
      auto page = plans::ParseGovProposalsPage(*text);
      if (!page.ok()) return page.status().WithContext(url);
      plans_found.insert(plans_found.end(), page->plans.begin(), page->plans.end());
      key = page->next_key;
      if (!key.empty() && !keys_seen.insert(key).second) {
        return base::Status::InvalidArgument(
            url + ": the server repeated pagination.next_key \"" + key + "\" (page " +
            std::to_string(pages + 1) + "); stopped instead of reading the same pages again");
      }
      if (!key.empty() && ++pages >= kMaxRestPages) {
        return base::Status::InvalidArgument(
            url + ": still more pages after " + std::to_string(kMaxRestPages) +
            " (pagination.next_key keeps coming); stopped");
      }
    } while (!key.empty());
    if (ok) break;
    spdlog::warn("gov {} proposals not available at {} ({}); trying the next API version", api,
                 base, last_error.message());
  }
  if (!last_error.ok() && plans_found.empty()) return last_error.WithContext("--rest " + base);
  std::map<std::string, int64_t> applied;
  for (const auto& p : plans_found) {
    if (applied.count(p.name)) continue;
    std::string url = base + "/cosmos/upgrade/v1beta1/applied_plan/" + UrlEscape(p.name);
    auto text = http.FetchText(url, std::nullopt);
    if (!text.ok()) return text.status().WithContext("confirming plan \"" + p.name + "\"");
    auto h = plans::ParseAppliedPlanHeight(*text);
    if (!h.ok()) return h.status().WithContext(url);
    applied[p.name] = *h;
  }
  plans::ImportResult result = plans::ScheduleFromGovPlans(plans_found, applied, chain_id, daemon);
  for (const auto& doc : result.info_documents) {
    auto text = http.FetchText(doc.url, doc.checksum);
    if (!text.ok()) {
      result.notes.push_back({doc.segment_name, "plan info " + doc.url + ": " +
                                                    text.status().message()});
      continue;
    }
    if (auto st = plans::AttachInfoDocument(result.schedule, doc, *text); !st.ok()) {
      result.notes.push_back({doc.segment_name, st.message()});
    }
  }
  return result;
}

}  // namespace replayer
