#include "binary-registry/verify.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "process/process.h"
#include "upgrade-plans/plan_info.h"

namespace registry {
namespace {

constexpr uint16_t kEm386 = 3, kEmArm = 40, kEmX8664 = 62, kEmAarch64 = 183;

struct ElfId {
  bool is_elf = false, is_script = false;
  int elf_class = 0, data = 0;
  uint16_t type = 0, machine = 0;
  std::string other;  // "Mach-O", "PE (Windows)" ...
};

ElfId ParseId(std::string_view head) {
  ElfId id;
  unsigned char h[kHeaderBytes] = {};
  size_t n = std::min(head.size(), sizeof h);
  std::memcpy(h, head.data(), n);
  if (n >= 2 && h[0] == '#' && h[1] == '!') {
    id.is_script = true;
  } else if (n >= 20 && h[0] == 0x7f && h[1] == 'E' && h[2] == 'L' && h[3] == 'F') {
    id.is_elf = true;
    id.elf_class = h[4];
    id.data = h[5];
    bool le = h[5] == 1;
    id.type = le ? static_cast<uint16_t>(h[16] | h[17] << 8) : static_cast<uint16_t>(h[16] << 8 | h[17]);
    id.machine = le ? static_cast<uint16_t>(h[18] | h[19] << 8) : static_cast<uint16_t>(h[18] << 8 | h[19]);
  } else if (n >= 4 && ((h[0] == 0xcf && h[1] == 0xfa && h[2] == 0xed && h[3] == 0xfe) ||
                        (h[0] == 0xca && h[1] == 0xfe && h[2] == 0xba && h[3] == 0xbe))) {
    id.other = "a macOS (Mach-O) binary";
  } else if (n >= 2 && h[0] == 'M' && h[1] == 'Z') {
    id.other = "a Windows (PE) binary";
  } else {
    char hex[16] = {};
    std::snprintf(hex, sizeof hex, "%02x %02x %02x %02x", h[0], h[1], h[2], h[3]);
    id.other = "neither ELF nor a #! script (starts with " + std::string(hex) + ")";
  }
  return id;
}

// The file's first kHeaderBytes (fewer when it is shorter).
base::Result<std::string> ReadHead(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return base::Status::IoError("open " + path + ": " + std::strerror(errno));
  char h[kHeaderBytes];
  ssize_t n = ::read(fd, h, sizeof h);
  ::close(fd);
  return std::string(h, static_cast<size_t>(std::max<ssize_t>(n, 0)));
}

std::string MachineName(uint16_t m) {
  switch (m) {
    case kEm386: return "386";
    case kEmArm: return "arm";
    case kEmX8664: return "amd64";
    case kEmAarch64: return "arm64";
    default: return "machine " + std::to_string(m);
  }
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string_view StripV(std::string_view s) {
  if (!s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);
  return s;
}

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == '_';
}

// A `#!` script runs only if its interpreter does: an absolute path to an executable file.
base::Status CheckInterpreter(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return base::Status::IoError("open " + path + ": " + std::strerror(errno));
  char line[256] = {};
  ssize_t n = ::read(fd, line, sizeof line - 1);
  ::close(fd);
  std::string_view first(line, n > 0 ? static_cast<size_t>(n) : 0);
  first = first.substr(0, first.find('\n'));
  first.remove_prefix(std::min<size_t>(2, first.size()));  // "#!"
  while (!first.empty() && (first.front() == ' ' || first.front() == '\t')) first.remove_prefix(1);
  std::string interpreter(first.substr(0, first.find_first_of(" \t\r")));
  struct stat st {};
  if (interpreter.empty() || interpreter.front() != '/' ||
      ::stat(interpreter.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
      ::access(interpreter.c_str(), X_OK) != 0) {
    return base::Status::FailedPrecondition(
        path + " is a #! script whose interpreter \"" + interpreter +
        "\" is not an executable file on this machine");
  }
  return base::Status::Ok();
}

}  // namespace

std::string DetectPlatformFromHeader(std::string_view head) {
  ElfId id = ParseId(head);
  if (id.is_script) return "any";
  if (!id.is_elf) return "";
  return "linux/" + MachineName(id.machine);
}

std::string DetectPlatform(const std::string& path) {
  auto head = ReadHead(path);
  return head.ok() ? DetectPlatformFromHeader(*head) : std::string();
}

base::Status CheckExecutableFormat(const std::string& path, std::string_view platform) {
  ASSIGN_OR_RETURN(std::string head, ReadHead(path));
  if (ParseId(head).is_script) return CheckInterpreter(path);
  return CheckExecutableHeader(head, path, platform);
}

base::Status CheckExecutableHeader(std::string_view head, const std::string& path,
                                   std::string_view platform) {
  ElfId id = ParseId(head);
  if (id.is_script) return base::Status::Ok();  // CheckExecutableFormat also checks its #! line
  std::string want = platform == "any" ? std::string(plans::HostPlatform()) : std::string(platform);
  if (!id.is_elf) {
    return base::Status::FailedPrecondition(path + " is " + id.other + ", not an executable for " +
                                            want);
  }
  std::string got = "linux/" + MachineName(id.machine);
  if (want.rfind("linux/", 0) != 0 || got != want) {
    return base::Status::FailedPrecondition(path + " is an ELF executable for " + got +
                                            ", not for " + want);
  }
  bool is64 = id.machine == kEmX8664 || id.machine == kEmAarch64;
  if (id.elf_class != (is64 ? 2 : 1) || id.data != 1) {
    return base::Status::FailedPrecondition(path + " has an ELF class or byte order that does not "
                                                   "match " + want);
  }
  if (id.type != 2 && id.type != 3) {
    return base::Status::FailedPrecondition(path + " is an ELF object file, not an executable");
  }
  return base::Status::Ok();
}

base::Result<std::string> ProbeVersion(const std::string& binary, const ProbeOptions& options) {
  process::SpawnOptions spawn;
  spawn.path = binary;
  spawn.args = options.args;
  spawn.merge_stderr = true;  // some SDK versions print `version` on stderr
  spawn.stdin_null = true;
  if (!options.library_dir.empty()) {
    const char* old = std::getenv("LD_LIBRARY_PATH");
    spawn.env.push_back({"LD_LIBRARY_PATH",
                         options.library_dir + (old && *old ? ":" + std::string(old) : "")});
  }
  process::PosixProcessLauncher posix;
  process::ProcessLauncher& launcher = options.launcher ? *options.launcher : posix;
  std::string cmd = binary;
  for (const auto& a : options.args) cmd += " " + a;
  auto run = process::RunCaptured(launcher, spawn, options.timeout, options.max_output);
  if (!run.ok()) {
    if (run.status().Is(base::Status::Code::kUnavailable)) {
      return base::Status::Unavailable("version probe: `" + cmd + "` did not finish within " +
                                       std::to_string(options.timeout.count()) + " ms");
    }
    return base::Status::FailedPrecondition("cannot run " + binary + ": " + run.status().message());
  }
  std::string text = Trim(run->out);
  if (run->exit.exit_code != 0) {
    std::string how = run->exit.signaled
                          ? "was killed by signal " + std::to_string(run->exit.signal)
                          : "exited with " + std::to_string(run->exit.exit_code);
    return base::Status::FailedPrecondition("version probe: `" + cmd + "` " + how + ": " +
                                            text.substr(0, 400));
  }
  return text;
}

base::Status CheckVersionOutput(std::string_view output, std::string_view expected) {
  const std::string trimmed = Trim(expected);
  std::string_view want = StripV(trimmed);
  if (want.empty()) return base::Status::Ok();
  std::string text(output);
  for (size_t pos = text.find(want); pos != std::string::npos; pos = text.find(want, pos + 1)) {
    size_t start = pos;
    if (start > 0 && (text[start - 1] == 'v' || text[start - 1] == 'V')) --start;
    bool left_ok = start == 0 || !IsWordChar(text[start - 1]);
    size_t end = pos + want.size();
    bool right_ok = end == text.size() || !IsWordChar(text[end]) ||
                    (text[end] == '.' && (end + 1 == text.size() || !IsWordChar(text[end + 1])));
    if (left_ok && right_ok) return base::Status::Ok();
  }
  return base::Status::FailedPrecondition("version probe printed \"" + Trim(output).substr(0, 200) +
                                          "\", expected version " + std::string(expected));
}

}  // namespace registry
