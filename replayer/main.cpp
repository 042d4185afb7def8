// The `replayer` binary: parses arguments and calls into the library; nothing else. The last
// line of defence: an exception that escapes (a third-party library's, a std::filesystem call
// without an error code) ends Replayer with a message and exit code 1, never std::terminate.
#include <cstdio>
#include <exception>

#include "replayer/cli/cli.h"

int main(int argc, char** argv, char** envp) {
  try {
    return replayer::RunCli(argc, argv, envp);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "replayer: error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "replayer: error: an unknown exception escaped\n");
  }
  return 1;
}
