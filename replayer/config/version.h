// Replayer's own version, for `replayer version` and logs.
#pragma once
#include <string_view>
namespace replayer {
std::string_view ReplayerVersion();
}  // namespace replayer
