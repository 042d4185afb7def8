// Fuzz target: the schedule parser must never crash; whatever parses must survive a
// format/parse round trip, and lint, explain, StartArgs and the height lookups must run on it.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "upgrade-plans/schedule.h"
#include "upgrade-plans/schedule_lint.h"
#include "upgrade-plans/schedule_merge.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = plans::ParseSchedule(text);
  if (!parsed.ok()) return 0;
  const plans::Schedule& s = *parsed;
  auto again = plans::ParseSchedule(plans::FormatSchedule(s));
  if (!again.ok() || *again != s) std::abort();
  (void)plans::FormatFindingsJson(plans::CheckSchedule(s, "linux/amd64", true));
  (void)plans::ExplainSchedule(s, "linux/amd64", {"start", "--home", "/h"}, std::nullopt);
  for (size_t i = 0; i < s.segments.size() && i < 64; ++i) {
    int64_t first = s.segments[i].first_height;
    (void)plans::StartArgs(s, i, {"start", "--halt-height", "5", "--pruning=nothing"});
    if (!plans::HeightKnown(s.segments[i])) continue;  // a hole: placed nowhere
    auto at = plans::SegmentForHeight(s, first);
    if (!at) std::abort();  // every known first height is executed by some segment
    (void)plans::LastHeight(s, i);
    (void)plans::ExplainSchedule(s, "linux/arm64", {}, first);
  }
  auto merged = plans::MergeSchedules(s, s);
  (void)plans::FormatConflicts(merged.conflicts);
  return 0;
}
