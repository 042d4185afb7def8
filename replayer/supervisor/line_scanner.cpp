#include "replayer/supervisor/line_scanner.h"

namespace replayer {

void LineScanner::Feed(std::string_view chunk) {
  while (!chunk.empty()) {
    size_t nl = chunk.find('\n');
    std::string_view piece = nl == std::string_view::npos ? chunk : chunk.substr(0, nl);
    if (partial_.size() < max_line_) {
      partial_.append(piece.substr(0, max_line_ - partial_.size()));
    }
    if (nl == std::string_view::npos) return;
    if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
    on_line_(partial_);
    partial_.clear();
    chunk.remove_prefix(nl + 1);
  }
}

void LineScanner::Finish() {
  if (!partial_.empty()) on_line_(partial_);
  partial_.clear();
}

}  // namespace replayer
