#include "replayer/upgrade/crash_points.h"

#include <signal.h>
#include <unistd.h>

#include <charconv>

namespace replayer {

base::Result<CrashPoints> CrashPoints::Parse(std::string_view spec) {
  CrashPoints cp;
  if (spec.empty()) return cp;
  std::string_view rest = spec;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    std::string_view n = rest.substr(at + 1);
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), cp.ordinal_);
    if (ec != std::errc() || p != n.data() + n.size() || cp.ordinal_ < 1) {
      return base::Status::InvalidArgument("REPLAYER_TEST_CRASH_AT: bad ordinal in \"" +
                                           std::string(spec) + "\"");
    }
    rest = rest.substr(0, at);
  }
  if (size_t colon = rest.find(':'); colon != std::string_view::npos) {
    if (rest.substr(colon + 1) != "unrecorded") {
      return base::Status::InvalidArgument("REPLAYER_TEST_CRASH_AT: unknown suffix in \"" +
                                           std::string(spec) + "\" (only :unrecorded)");
    }
    cp.after_record_ = false;
    rest = rest.substr(0, colon);
  }
  cp.step_ = state::StepFromName(rest);
  if (!cp.step_) {
    std::string names;
    for (auto n : state::AllStepNames()) names += (names.empty() ? "" : ", ") + std::string(n);
    return base::Status::InvalidArgument("REPLAYER_TEST_CRASH_AT: unknown step \"" +
                                         std::string(rest) + "\" (one of: " + names + ")");
  }
  return cp;
}

void CrashPoints::Maybe(state::Step step, bool recorded, int txn_ordinal) const {
  if (!step_ || *step_ != step || after_record_ != recorded) return;
  if (ordinal_ != 0 && ordinal_ != txn_ordinal) return;
  kill(getpid(), SIGKILL);
  pause();  // not reached
}

}  // namespace replayer
