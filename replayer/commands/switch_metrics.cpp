#include "replayer/commands/switch_metrics.h"

#include <cstdio>

#include "replayer/sync/progress.h"

namespace replayer {

std::string FormatSwitchMetrics(const std::vector<state::AppliedUpgrade>& applied) {
  struct Series {
    const char* name;
    const char* help;
    std::string body;
  };
  Series confirmed{"replayer_switch_confirmed",
                   "1 once the switch's new binary committed a block above the switch height.", ""};
  Series unconfirmed{"replayer_switch_unconfirmed",
                     "1 while the switch is reported unconfirmed (not confirmed within "
                     "REPLAYER_CONFIRM_TIMEOUT, or the node exited first).",
                     ""};
  Series height{"replayer_switch_confirmed_height",
                "The committed block that confirmed the switch (0: not confirmed).", ""};
  Series time{"replayer_switch_confirmed_timestamp_seconds",
              "Unix time the switch was confirmed (0: not confirmed).", ""};
  int pending = 0;
  int reported = 0;
  for (const auto& a : applied) {
    if (a.confirmation == state::Confirmation::kUnknown) continue;
    const bool ok = a.confirmation == state::Confirmation::kConfirmed;
    const bool bad = a.confirmation == state::Confirmation::kUnconfirmed;
    pending += a.confirmation == state::Confirmation::kPending ? 1 : 0;
    reported += bad ? 1 : 0;
    std::string labels =
        "{upgrade=\"" + PromEscape(a.name) + "\",height=\"" + std::to_string(a.height) + "\"} ";
    confirmed.body += std::string(confirmed.name) + labels + (ok ? "1" : "0") + "\n";
    unconfirmed.body += std::string(unconfirmed.name) + labels + (bad ? "1" : "0") + "\n";
    height.body += std::string(height.name) + labels +
                   std::to_string(ok ? a.confirmed_height : 0) + "\n";
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.3f", ok ? static_cast<double>(a.confirmed_ms) / 1000 : 0.0);
    time.body += std::string(time.name) + labels + secs + "\n";
  }
  std::string out;
  for (const Series* s : {&confirmed, &unconfirmed, &height, &time}) {
    out += std::string("# HELP ") + s->name + " " + s->help + "\n# TYPE " + s->name + " gauge\n" +
           s->body;
  }
  out += "# HELP replayer_switches_pending Applied switches still waiting for confirmation.\n"
         "# TYPE replayer_switches_pending gauge\nreplayer_switches_pending " +
         std::to_string(pending) + "\n";
  out += "# HELP replayer_switches_unconfirmed Applied switches reported unconfirmed.\n"
         "# TYPE replayer_switches_unconfirmed gauge\nreplayer_switches_unconfirmed " +
         std::to_string(reported) + "\n";
  return out;
}

std::string SwitchMetrics(state::Database& db) {
  state::JournalStore journal(db);
  auto applied = journal.Applied();
  if (!applied.ok()) {
    std::string why = applied.status().message();
    for (char& c : why) {
      if (c == '\n') c = ' ';
    }
    return "# applied switches unreadable: " + why + "\n";
  }
  return FormatSwitchMetrics(*applied);
}

}  // namespace replayer
