// Fuzz target: registry::UnpackArtifact on archives built from the fuzzer's input must never
// write, chmod or link anything outside the unpack root, and when it succeeds the binary must be
// a regular file reached from the root without a symlink.
//
// Input: either a real artefact (tar, tar.gz, zip, raw executable: the seed corpus holds a few),
// unpacked as is, or a description that starts with "ARCHIVE <format>\n" (format: tar, tgz, zip,
// xz) followed by one entry per line, built with libarchive's write API:
//   f <path> <content>     regular file       d <path>             directory
//   l <path> <target>      symlink            h <path> <target>    hard link
// Every run gets a fresh temp dir T with T/a/b/root (the unpack root, so escapes of one, two and
// three levels land on something) and sentinels T/outside/bin/appd, T/a/outside/bin/appd,
// T/a/b/outside/bin/appd (mode 0600, one link each). Afterwards every sentinel must be unchanged
// and nothing may exist in T but the sentinels, their folders, the artefact and the root.
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include "binary-registry/unpack.h"

namespace {

namespace fs = std::filesystem;
constexpr std::string_view kMagic = "ARCHIVE ";
constexpr char kSentinel[] = "#!/bin/sh\necho outside\n";

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_unpack: %s\n", what);
    std::abort();
  }
}

void BuildArchive(std::string_view text, const std::string& path) {
  size_t eol = text.find('\n');
  std::string format(text.substr(kMagic.size(), eol == std::string_view::npos
                                                     ? std::string_view::npos
                                                     : eol - kMagic.size()));
  archive* a = archive_write_new();
  if (format == "zip") {
    archive_write_set_format_zip(a);
  } else {
    archive_write_set_format_pax_restricted(a);
    if (format == "tgz") archive_write_add_filter_gzip(a);
    if (format == "xz") archive_write_add_filter_xz(a);
  }
  archive_write_open_filename(a, path.c_str());
  std::istringstream lines(eol == std::string_view::npos ? "" : std::string(text.substr(eol + 1)));
  std::string line;
  for (int n = 0; n < 64 && std::getline(lines, line); ++n) {
    if (line.size() < 3 || line[1] != ' ') continue;
    std::string rest = line.substr(2);
    size_t sp = rest.find(' ');
    std::string name = rest.substr(0, sp);
    std::string arg = sp == std::string::npos ? "" : rest.substr(sp + 1);
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_perm(e, 0755);
    switch (line[0]) {
      case 'd': archive_entry_set_filetype(e, AE_IFDIR); break;
      case 'l':
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, arg.c_str());
        break;
      case 'h':
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, arg.c_str());
        break;
      default:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, static_cast<la_int64_t>(arg.size()));
    }
    archive_write_header(a, e);
    if (line[0] == 'f' && !arg.empty()) archive_write_data(a, arg.data(), arg.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  char tmpl[] = "/tmp/replayer-fuzz-unpack-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return 0;
  const std::string t = tmpl;
  const std::string root = t + "/a/b/root";
  fs::create_directories(root);
  const std::string sentinels[] = {t + "/outside/bin/appd", t + "/a/outside/bin/appd",
                                   t + "/a/b/outside/bin/appd"};
  std::set<std::string> allowed = {t + "/artifact", t + "/a", t + "/a/b", root};
  for (const auto& s : sentinels) {
    fs::path p(s);
    fs::create_directories(p.parent_path());
    std::ofstream(s, std::ios::binary) << kSentinel;
    ::chmod(s.c_str(), 0600);
    allowed.insert({s, p.parent_path().string(), p.parent_path().parent_path().string()});
  }
  const std::string artifact = t + "/artifact";
  if (text.substr(0, kMagic.size()) == kMagic) {
    BuildArchive(text, artifact);
  } else {
    std::ofstream(artifact, std::ios::binary) << text;
  }
  registry::UnpackOptions options;
  options.max_total_bytes = 1 << 20;
  options.max_entries = 256;
  auto r = registry::UnpackArtifact(artifact, root, "appd", options);

  for (const auto& s : sentinels) {
    struct stat st {};
    Check(::lstat(s.c_str(), &st) == 0 && S_ISREG(st.st_mode), "a sentinel was replaced");
    Check((st.st_mode & 07777) == 0600, "a sentinel outside the root was chmodded");
    Check(st.st_nlink == 1, "a sentinel outside the root was hard-linked");
    Check(Slurp(s) == kSentinel, "a sentinel outside the root was written");
  }
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(t, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string p = it->path().string();
    if (p.rfind(root + "/", 0) == 0) continue;
    Check(allowed.count(p) == 1, "something was created outside the unpack root");
  }
  if (r.ok()) {
    Check(r->binary == root + "/bin/appd", "the binary is not at bin/appd");
    struct stat st {};
    Check(::lstat((root + "/bin").c_str(), &st) == 0 && S_ISDIR(st.st_mode), "bin is a link");
    Check(::lstat(r->binary.c_str(), &st) == 0 && S_ISREG(st.st_mode), "binary is not regular");
  }
  fs::remove_all(t, ec);
  return 0;
}
