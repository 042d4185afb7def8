// Fuzz target: the gov REST parsers must never crash; the plans of any page that parses must
// build a schedule that formats and parses back unchanged, confirmed or not.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "upgrade-plans/gov_rest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)plans::ParseAppliedPlanHeight(text);
  (void)plans::ParseCurrentPlan(text);
  auto page = plans::ParseGovProposalsPage(text);
  if (!page.ok()) return 0;
  std::map<std::string, int64_t> applied;
  for (const plans::GovPlan& p : page->plans) applied[p.name] = p.height - (p.height % 2);
  for (const auto& heights : {std::map<std::string, int64_t>{}, applied}) {
    plans::ImportResult r = plans::ScheduleFromGovPlans(page->plans, heights, "fuzz-1", "fuzzd");
    auto again = plans::ParseSchedule(plans::FormatSchedule(r.schedule));
    if (!again.ok() || *again != r.schedule) std::abort();
    for (const plans::InfoDocument& doc : r.info_documents) {
      (void)plans::AttachInfoDocument(r.schedule, doc, text);
    }
  }
  return 0;
}
