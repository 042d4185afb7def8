// The `replayer` binary: parses arguments and calls into the library; nothing else.
#include "replayer/cli/cli.h"

int main(int argc, char** argv, char** envp) { return replayer::RunCli(argc, argv, envp); }
