// Fuzz target: matching a binary's `version` output against the expected version must never
// crash; an output that is the expected version (after "v" and blanks) or a line naming it
// always matches. Input: <expected version> '\n' <output>.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "binary-registry/verify.h"

namespace {
std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || (s.front() >= '\t' && s.front() <= '\r'))) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || (s.back() >= '\t' && s.back() <= '\r'))) s.remove_suffix(1);
  return std::string(s);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t nl = text.find('\n');
  std::string_view expected = text.substr(0, nl);
  std::string_view output = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  (void)registry::CheckVersionOutput(output, expected);
  (void)registry::CheckVersionOutput(text, text);
  const std::string want = Trim(expected);
  if (!registry::CheckVersionOutput(want, expected).ok()) std::abort();
  if (!registry::CheckVersionOutput("version: " + want + "\ncommit: x\n", expected).ok()) std::abort();
  return 0;
}
