// The demochaind command line (CLI11): version, init, start, status, pre-upgrade, export,
// keys list, tx gov submit-proposal software-upgrade, tx gov vote, tx bank send. Parses flags
// into options and calls the node library; each executable passes its build facts in, so one
// source tree yields demochaind-v1.0.0 ... demochaind-v3.0.0.
#pragma once

#include <string>

namespace demochain {

struct BuildInfo {
  std::string version;  // "v2.1.0"
  std::string commit;
  std::string build_date;
  std::string compiler;
};

int RunCli(const BuildInfo& build, int argc, char** argv);

}  // namespace demochain
