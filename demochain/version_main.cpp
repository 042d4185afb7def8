// Entry point of every demochaind executable. CMake compiles this file once per release with
// DEMOCHAIN_VERSION set ("v1.0.0", "v2.0.0", "v2.1.0", "v3.0.0", "v4.0.0"); the version selects
// the release's module versions, upgrade handlers and consensus rules (core/version.h).
#include "demochain/cli/commands.h"

#ifndef DEMOCHAIN_VERSION
#error "DEMOCHAIN_VERSION must be defined by the build"
#endif
#ifndef DEMOCHAIN_COMMIT
#define DEMOCHAIN_COMMIT "unknown"
#endif

int main(int argc, char** argv) {
  demochain::BuildInfo build;
  build.version = DEMOCHAIN_VERSION;
  build.commit = DEMOCHAIN_COMMIT;
  build.build_date = __DATE__;  // no time of day: rebuilds the same day hash the same
  build.compiler = "gcc " __VERSION__;
  return demochain::RunCli(build, argc, argv);
}
