// replayer::FormatSwitchMetrics: each applied switch's confirmation as Prometheus text, for the
// /metrics endpoint of `replayer run` (REPLAYER_METRICS_ADDR) and `replayer sync --metrics`.
//
// FormatSwitchMetrics is pure: it formats the journal's applied records. SwitchMetrics reads them
// from an open database and may run on the metrics server's thread while the event loop writes
// (LevelDB allows concurrent reads and writes). Records written before switches were confirmed (state
// unknown) are left out. Series per switch, labelled upgrade="<name>",height="<H>":
//   replayer_switch_confirmed                     1 once confirmed, else 0
//   replayer_switch_unconfirmed                   1 while reported unconfirmed, else 0
//   replayer_switch_confirmed_height              the committed block that confirmed it (0: none)
//   replayer_switch_confirmed_timestamp_seconds   when (0: not yet)
// and totals: replayer_switches_pending, replayer_switches_unconfirmed.
#pragma once

#include <string>
#include <vector>

#include "state/journal.h"

namespace replayer {

std::string FormatSwitchMetrics(const std::vector<state::AppliedUpgrade>& applied);
// The same from `db`'s journal; a comment line saying why when it cannot be read.
std::string SwitchMetrics(state::Database& db);

}  // namespace replayer
