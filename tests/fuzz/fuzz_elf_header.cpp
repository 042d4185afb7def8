// Fuzz target: the executable-format check (ELF header, #! scripts, Mach-O and PE named as such)
// must never crash on a file's first bytes; whatever it accepts for a linux platform is an ELF
// header that DetectPlatform reports as that platform.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "binary-registry/verify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view head(reinterpret_cast<const char*>(data), size);
  const std::string detected = registry::DetectPlatformFromHeader(head);
  for (std::string_view platform : {"linux/amd64", "linux/arm64", "linux/arm", "linux/386",
                                    "linux/riscv64", "darwin/arm64", "any", ""}) {
    base::Status st = registry::CheckExecutableHeader(head, "fuzz.bin", platform);
    if (!st.ok()) {
      if (st.message().rfind("fuzz.bin ", 0) != 0) std::abort();  // names the file
      continue;
    }
    if (detected == "any") continue;  // a #! script runs anywhere
    if (platform != "any" && detected != platform) std::abort();
  }
  return 0;
}
