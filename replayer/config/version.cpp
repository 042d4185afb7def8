#include "replayer/config/version.h"
namespace replayer {
std::string_view ReplayerVersion() { return "0.1.0"; }
}  // namespace replayer
