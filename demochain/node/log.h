// Line-oriented logging to stderr for demochaind: "<UTC time> <LEVEL> <message>", one line per
// call, flushed immediately, safe from several threads. The x/upgrade messages a supervisor
// scans for ("UPGRADE \"<name>\" NEEDED at height: <H>: <info>") always end the line.
#pragma once

#include <string>

#include "demochain/core/app.h"

namespace demochain {

LogFn StderrLogger();

}  // namespace demochain
