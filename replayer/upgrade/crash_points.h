// replayer::CrashPoints: a test hook that kills Replayer (SIGKILL, no cleanup) at a named step
// of the upgrade transaction, so tests can prove a restart completes the switch exactly once.
//
// Spec (from REPLAYER_TEST_CRASH_AT, read by the CLI only): "<step>" crashes right after the
// step is recorded in the journal; "<step>:unrecorded" crashes after the step's work is done but
// before it is recorded. An optional "@<n>" suffix crashes only at the n-th transaction of this
// process (1-based). Step names are state::StepName's. Empty spec: never crashes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "state/journal.h"

namespace replayer {

class CrashPoints {
 public:
  CrashPoints() = default;
  static base::Result<CrashPoints> Parse(std::string_view spec);

  void BeforeRecord(state::Step step, int txn_ordinal) const { Maybe(step, false, txn_ordinal); }
  void AfterRecord(state::Step step, int txn_ordinal) const { Maybe(step, true, txn_ordinal); }

 private:
  void Maybe(state::Step step, bool recorded, int txn_ordinal) const;
  std::optional<state::Step> step_;
  bool after_record_ = true;
  int ordinal_ = 0;  // 0: any
};

}  // namespace replayer
