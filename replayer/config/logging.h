// logging: Replayer's own log lines, shaped like Cosmovisor's so existing log filters still match.
//
// Every line goes to STDERR (the node's stdout must reach the operator untouched) as
// `<time> <LVL> <message> module=replayer`, LVL one of DBG/INF/WRN/ERR, the time written in the
// Go layout named by COSMOVISOR_TIMEFORMAT_LOGS (none when empty), coloured only when
// COSMOVISOR_COLOR_LOGS is true and stderr is a terminal, nothing at all when
// COSMOVISOR_DISABLE_LOGS is true. Setup replaces spdlog's default logger; call it once from
// main, before any other thread logs. Library code just calls spdlog::info(...) and friends.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "replayer/config/config.h"

namespace replayer {

// Configures spdlog's default logger from `config` (see above).
void SetupLogging(const Config& config);
// For commands that run before the configuration is loaded: Cosmovisor's defaults (kitchen time,
// colours on a terminal).
void SetupDefaultLogging();

// The strftime pattern equivalent to a COSMOVISOR_TIMEFORMAT_LOGS name ("kitchen" ->
// "%-I:%M%p"), or nullopt for an unknown name. RFC 3339 needs more than strftime can say; see
// FormatLogTime.
std::optional<std::string_view> GoLayoutStrftime(std::string_view name);
// Formats a broken-down local time (with its tm_gmtoff/tm_zone) and its nanoseconds exactly as
// Go's time.Format would with the named layout: "" for an empty or unknown name.
std::string FormatLogTime(std::string_view name, const std::tm& tm, long nanos);

}  // namespace replayer
