// replayer::RunCli: the command line. Parses flags (CLI11), loads the configuration from the
// environment it is given, calls the library, prints results and maps errors to exit codes:
// 0 success, 1 a command failed, 2 bad usage or configuration; `run` returns the node's code.
#pragma once

namespace replayer {
int RunCli(int argc, char** argv, char** envp);
}  // namespace replayer
