// FormatAuditTable and FormatAuditJson (declared in replayer/audit.h).
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "binary-registry/progress.h"
#include "replayer/audit/audit.h"

namespace replayer {
namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Pad(const std::string& s, size_t width, bool right = false) {
  if (s.size() >= width) return s;
  std::string fill(width - s.size(), ' ');
  return right ? fill + s : s + fill;
}

}  // namespace

std::string FormatAuditTable(const AuditReport& report) {
  // Header and cells, then every column as wide as its widest cell.
  std::vector<std::vector<std::string>> lines;
  std::vector<std::string> header{"SEGMENT", "FROM", "PLATFORM"};
  std::vector<std::string> names;
  if (!report.rows.empty()) {
    for (const auto& c : report.rows.front().checks) names.push_back(c.name);
  }
  for (const auto& n : names) header.push_back(Upper(n));
  lines.push_back(header);
  size_t failures = 0, warnings = 0, failed_rows = 0;
  for (const auto& row : report.rows) {
    std::vector<std::string> cells{row.label, std::to_string(row.first_height), row.platform};
    for (const auto& c : row.checks) {
      cells.emplace_back(AuditResultName(c.result));
      failures += c.result == AuditCheck::Result::kFail;
      warnings += c.result == AuditCheck::Result::kWarn;
    }
    failed_rows += !row.ok();
    lines.push_back(std::move(cells));
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& l : lines) {
    for (size_t i = 0; i < l.size() && i < width.size(); ++i) width[i] = std::max(width[i], l[i].size());
  }
  std::ostringstream out;
  for (const auto& l : lines) {
    std::string text;
    for (size_t i = 0; i < l.size() && i < width.size(); ++i) {
      if (i) text += "  ";
      text += Pad(l[i], i + 1 == l.size() ? 0 : width[i], i == 1);
    }
    out << text << "\n";
  }
  out << "\n"
      << report.rows.size() << " row" << (report.rows.size() == 1 ? "" : "s") << ": "
      << (report.rows.size() - failed_rows) << " ok, " << failed_rows << " failed ("
      << failures << " failure" << (failures == 1 ? "" : "s") << ", " << warnings << " warning"
      << (warnings == 1 ? "" : "s") << "); " << report.artifacts << " artefact"
      << (report.artifacts == 1 ? "" : "s") << ": " << report.downloaded << " downloaded ("
      << registry::FormatBytes(static_cast<double>(report.bytes_downloaded)) << "), "
      << report.from_cache << " from the audit cache\n";
  for (auto kind : {AuditCheck::Result::kFail, AuditCheck::Result::kWarn}) {
    bool first = true;
    std::set<std::pair<size_t, std::string>> heights;  // one line per segment, not per platform
    for (const auto& row : report.rows) {
      for (const auto& c : row.checks) {
        if (c.result != kind) continue;
        const bool per_segment = c.name == "height";
        if (per_segment && !heights.emplace(row.segment, c.detail).second) continue;
        if (first) out << "\n" << (kind == AuditCheck::Result::kFail ? "failures" : "warnings") << ":\n";
        first = false;
        out << "  " << row.label << " " << (per_segment ? "" : row.platform + " ") << c.name
            << ": " << c.detail << "\n";
      }
    }
  }
  return out.str();
}

std::string FormatAuditJson(const AuditReport& report) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : report.rows) {
    nlohmann::json checks = nlohmann::json::object();
    for (const auto& c : row.checks) {
      checks[c.name] = {{"result", Lower(AuditResultName(c.result))}, {"detail", c.detail}};
    }
    rows.push_back({{"segment", row.segment},
                    {"label", row.label},
                    {"first_height", row.first_height},
                    {"platform", row.platform},
                    {"ok", row.ok()},
                    {"checks", checks}});
  }
  nlohmann::json j{{"ok", report.ok()},
                   {"artifacts", report.artifacts},
                   {"downloaded", report.downloaded},
                   {"from_cache", report.from_cache},
                   {"bytes_downloaded", report.bytes_downloaded},
                   {"rows", rows}};
  // Details quote binary output; replace invalid UTF-8 rather than throw.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace replayer
