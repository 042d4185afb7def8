// registry::Verify: checks an unpacked executable before it may be installed.
//
// CheckExecutableFormat reads the file's first bytes: an ELF executable or shared object for this
// host's architecture (64/32-bit, byte order and machine must match the platform key), or a
// script starting with `#!` whose interpreter is an executable file here. Mach-O and PE binaries are named as such in the error.
// ProbeVersion runs `<binary> version` through the process seam (process::ProcessLauncher: no
// shell, own process group) with the artefact's `lib/` on LD_LIBRARY_PATH, stdin from /dev/null,
// stdout and stderr merged, its group killed at the timeout; CheckVersionOutput compares
// the output with the expected version, ignoring a leading "v". Nothing here changes files.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace process {
class ProcessLauncher;
}

namespace registry {

// `platform` is a plan key ("linux/amd64"); "any" accepts any ELF of the host's architecture.
base::Status CheckExecutableFormat(const std::string& path, std::string_view platform);

// The platform key an ELF file is built for ("linux/amd64"), "any" for scripts, "" otherwise.
std::string DetectPlatform(const std::string& path);

// Both on a file's first bytes (the two above read up to kHeaderBytes); `path` only names the
// file in messages; a #! script passes here (CheckExecutableFormat also checks its interpreter
// line, which needs the file). Pure.
inline constexpr size_t kHeaderBytes = 64;
base::Status CheckExecutableHeader(std::string_view head, const std::string& path,
                                   std::string_view platform);
std::string DetectPlatformFromHeader(std::string_view head);

struct ProbeOptions {
  std::vector<std::string> args{"version"};
  std::chrono::milliseconds timeout{10000};
  std::string library_dir;  // prepended to LD_LIBRARY_PATH when not empty
  size_t max_output = 64 * 1024;
  process::ProcessLauncher* launcher = nullptr;  // null: the real one (PosixProcessLauncher)
};

// Runs the binary and returns its trimmed output. kUnavailable on timeout, kFailedPrecondition
// on a non-zero exit (the message includes the output).
base::Result<std::string> ProbeVersion(const std::string& binary, const ProbeOptions& options);

// OK when `output` names `expected` ("v7.0.0" matches "7.0.0", a line "version: 7.0.0", or a
// whole-word occurrence); kFailedPrecondition otherwise, quoting both.
base::Status CheckVersionOutput(std::string_view output, std::string_view expected);

}  // namespace registry
