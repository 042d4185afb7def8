// registry::Unpack: turns a downloaded artefact into `<dest>/bin/<daemon>` (plus its siblings).
//
// The artefact is a raw executable (ELF or a `#!` script, possibly gzip/xz/bzip2-compressed) or
// an archive libarchive reads (tar, tar.gz/tgz, tar.xz, tar.bz2, zip); the format is detected
// from the content, not the URL. The executable must be at `<daemon>` or `bin/<daemon>`; other
// files (notably `lib/*.so*` such as libwasmvm) are kept beside it, as Cosmovisor does. Every
// entry is checked before anything is written and refused with an error naming it: absolute
// paths, `..`, links pointing outside the target, device files and FIFOs, too many entries or
// more bytes than the limit (counted as data is written, so lying headers do not help).
// Entries are written by this file, not libarchive's disk writer: every directory, file, symlink
// and hard link is created relative to an fd of a directory that was opened beneath `dest` with
// no symlink on the way (beneath.h), so no entry is ever written through a link. After the last
// entry, every symlink in the tree is resolved by the kernel beneath `dest` (RESOLVE_BENEATH):
// links that each look harmless but compose into an escape (`d/up -> ..`, `c -> d/up/..`, ...)
// are refused. The executable must be a regular file reached without any symlink; it is
// chmodded through its fd. The caller owns `dest` (a fresh staging directory) and deletes it on
// error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace registry {

struct UnpackOptions {
  uint64_t max_total_bytes = uint64_t{4} << 30;  // sum of extracted file sizes
  uint64_t max_entries = 100000;
};

struct UnpackResult {
  std::string binary;                  // absolute path of <dest>/bin/<daemon>
  std::vector<std::string> libraries;  // paths relative to dest, e.g. "lib/libwasmvm.so"
  std::string format;                  // "raw", "raw (gzip)", "tar (gzip)", "zip", ...
  uint64_t total_bytes = 0;
};

// `dest` must exist and be empty.
base::Result<UnpackResult> UnpackArtifact(const std::string& artifact, const std::string& dest,
                                          const std::string& daemon,
                                          const UnpackOptions& options = {});

// Pure checks, exposed for tests: an archive entry's path normalised ("./a//b" -> "a/b"; empty
// for the archive root), or kInvalidArgument for absolute paths and `..`.
base::Result<std::string> SafeEntryPath(std::string_view name);
// A symlink at `entry` (normalised) with `target` must stay inside the extraction root.
base::Status CheckSymlinkTarget(std::string_view entry, std::string_view target);

}  // namespace registry
