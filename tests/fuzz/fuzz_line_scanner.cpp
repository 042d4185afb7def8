// Fuzz target: LineScanner must deliver the same lines however the stream is cut into chunks:
// each line as split at '\n', cut to the bound, without a trailing '\r'; the last unterminated
// line on Finish. Input: <bound byte> <chunk-size byte> <stream>.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "replayer/supervisor/line_scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t max_line = data[0] % 128 + 1;
  const size_t chunk = data[1] % 64 + 1;
  std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);

  std::vector<std::string> got;
  replayer::LineScanner scanner([&](std::string_view line) { got.emplace_back(line); }, max_line);
  for (size_t at = 0; at < stream.size(); at += chunk) scanner.Feed(stream.substr(at, chunk));
  scanner.Finish();

  std::vector<std::string> want;
  std::string_view rest = stream;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string line(rest.substr(0, std::min(nl, rest.size())).substr(0, max_line));
    if (nl == std::string_view::npos) {
      want.push_back(line);
      break;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    want.push_back(line);
    rest.remove_prefix(nl + 1);
  }
  if (got != want) std::abort();
  for (const auto& line : got) {
    if (line.size() > max_line) std::abort();
  }
  return 0;
}
