#include "replayer/chain/chain_query.h"

#include "replayer/chain/url.h"
#include "upgrade-plans/gov_rest.h"

namespace replayer {

base::Result<int64_t> QueryAppliedPlanHeight(const std::string& rest_url,
                                             const std::string& plan_name,
                                             const registry::DownloadOptions& download) {
  std::string base = rest_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string url = base + "/cosmos/upgrade/v1beta1/applied_plan/" + UrlEscape(plan_name);
  registry::DownloadOptions o = download;
  o.allow_http_without_checksum = true;  // a JSON answer, not a binary
  o.retry_refused_connection = false;    // the node's API is up or it is not
  registry::Downloader dl(o);
  auto body = dl.FetchText(url, std::nullopt);
  if (!body.ok()) return base::Status(body.status().code(), "applied_plan query: " + body.status().message());
  auto applied = plans::ParseAppliedPlanHeight(*body);
  if (!applied.ok()) return base::Status(applied.status().code(), url + ": " + applied.status().message());
  return *applied;
}

base::Result<std::optional<plans::GovPlan>> QueryCurrentPlan(
    const std::string& rest_url, const registry::DownloadOptions& download) {
  std::string base = rest_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string url = base + "/cosmos/upgrade/v1beta1/current_plan";
  registry::DownloadOptions o = download;
  o.allow_http_without_checksum = true;  // a JSON answer, not a binary
  o.retry_refused_connection = false;    // the node's API is up or it is not
  registry::Downloader dl(o);
  auto body = dl.FetchText(url, std::nullopt);
  if (!body.ok()) {
    return base::Status(body.status().code(), "current_plan query: " + body.status().message());
  }
  auto plan = plans::ParseCurrentPlan(*body);
  if (!plan.ok()) return base::Status(plan.status().code(), url + ": " + plan.status().message());
  return *plan;
}

}  // namespace replayer
