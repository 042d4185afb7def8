#include "upgrade-plans/batch_upgrade.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <set>

namespace plans {
namespace {

using json = nlohmann::json;

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

base::Status EntryError(size_t index, std::string_view text, const std::string& why) {
  return base::Status::InvalidArgument("batch entry " + std::to_string(index + 1) + " (" +
                                       Quote(text.substr(0, 200)) + "): " + why);
}

// Checks and builds one entry from its three fields; `seen` holds the names so far.
base::Result<BatchEntry> MakeEntry(size_t index, std::string_view text,
                                   const std::vector<std::string>& fields,
                                   std::set<std::string>& seen) {
  if (fields.size() != 3) {
    return EntryError(index, text,
                      "expected 3 fields (name:path:height), got " + std::to_string(fields.size()));
  }
  BatchEntry e{fields[0], fields[1], 0};
  if (e.name.empty()) return EntryError(index, text, "upgrade name is empty");
  if (auto st = CheckPlanName(e.name); !st.ok()) return EntryError(index, text, st.message());
  if (e.binary.empty()) return EntryError(index, text, "binary path is empty");
  const std::string& h = fields[2];
  auto [end, ec] = std::from_chars(h.data(), h.data() + h.size(), e.height);
  if (h.empty() || ec != std::errc() || end != h.data() + h.size()) {
    return EntryError(index, text, "height " + Quote(h) + " is not a decimal int64");
  }
  if (e.height <= 0) return EntryError(index, text, "height must be above 0");
  if (!seen.insert(e.name).second) {
    return EntryError(index, text, "upgrade \"" + e.name + "\" appears twice in the batch");
  }
  return e;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? s.npos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

// One CSV record starting at `pos` (Go encoding/csv with TrimLeadingSpace). Advances `pos` past
// the record's line end. Fails on a bare quote inside a field or an unterminated quote.
base::Status ReadCsvRecord(std::string_view s, size_t& pos, std::vector<std::string>& fields,
                           std::string& why) {
  fields.clear();
  while (true) {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
    std::string field;
    if (pos < s.size() && s[pos] == '"') {
      ++pos;
      while (true) {
        if (pos >= s.size()) {
          why = "unterminated quoted field";
          return base::Status::InvalidArgument(why);
        }
        if (s[pos] == '"') {
          if (pos + 1 < s.size() && s[pos + 1] == '"') {
            field += '"';
            pos += 2;
            continue;
          }
          ++pos;
          break;
        }
        field += s[pos++];
      }
      if (pos < s.size() && s[pos] != ',' && s[pos] != '\n' && s[pos] != '\r') {
        why = "extraneous text after a quoted field";
        return base::Status::InvalidArgument(why);
      }
    } else {
      while (pos < s.size() && s[pos] != ',' && s[pos] != '\n') {
        if (s[pos] == '"') {
          why = "bare \" in a non-quoted field";
          return base::Status::InvalidArgument(why);
        }
        field += s[pos++];
      }
      if (!field.empty() && field.back() == '\r' && (pos >= s.size() || s[pos] == '\n')) {
        field.pop_back();
      }
    }
    fields.push_back(std::move(field));
    if (pos < s.size() && s[pos] == '\r') ++pos;
    if (pos >= s.size()) return {};
    if (s[pos] == '\n') {
      ++pos;
      return {};
    }
    ++pos;  // ','
  }
}

}  // namespace

base::Result<std::vector<BatchEntry>> ParseBatchList(std::string_view text) {
  if (text.empty()) return base::Status::InvalidArgument("--upgrade-list is empty");
  std::vector<BatchEntry> out;
  std::set<std::string> seen;
  auto items = Split(text, ',');
  for (size_t i = 0; i < items.size(); ++i) {
    ASSIGN_OR_RETURN(auto e, MakeEntry(i, items[i], Split(items[i], ':'), seen));
    out.push_back(std::move(e));
  }
  return out;
}

base::Result<std::vector<BatchEntry>> ParseBatchCsv(std::string_view text) {
  std::vector<BatchEntry> out;
  std::set<std::string> seen;
  size_t pos = 0;
  std::vector<std::string> fields;
  while (pos < text.size()) {
    size_t line_start = pos;
    size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == text.npos ? text.npos : eol - pos);
    if (line.empty() || line == "\r") {  // blank lines are skipped, as encoding/csv does
      pos = eol == text.npos ? text.size() : eol + 1;
      continue;
    }
    std::string why;
    if (!ReadCsvRecord(text, pos, fields, why).ok()) {
      return EntryError(out.size(), line, why);
    }
    std::string_view record = text.substr(line_start, pos - line_start);
    while (!record.empty() && (record.back() == '\n' || record.back() == '\r')) {
      record.remove_suffix(1);
    }
    ASSIGN_OR_RETURN(auto e, MakeEntry(out.size(), record, fields, seen));
    out.push_back(std::move(e));
  }
  if (out.empty()) return base::Status::InvalidArgument("the upgrade file names no upgrades");
  return out;
}

std::string FormatBatchFile(std::vector<UpgradeInfo> plans) {
  std::stable_sort(plans.begin(), plans.end(), [](const UpgradeInfo& a, const UpgradeInfo& b) {
    return a.height != b.height ? a.height < b.height : a.name < b.name;
  });
  json arr = json::array();
  for (const auto& p : plans) {
    json o{{"name", p.name}, {"height", p.height}};
    if (!p.info.empty()) o["info"] = p.info;
    arr.push_back(std::move(o));
  }
  return arr.dump(2) + "\n";
}

base::Result<std::vector<UpgradeInfo>> ParseBatchFile(std::string_view text) {
  json root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return base::Status::InvalidArgument("batch file is not JSON");
  if (!root.is_array()) return base::Status::InvalidArgument("batch file must be a JSON array");
  std::vector<UpgradeInfo> out;
  for (size_t i = 0; i < root.size(); ++i) {
    // Each element is an upgrade-info.json object; reuse that parser and its checks.
    auto plan = ParseUpgradeInfo(root[i].dump());
    if (!plan.ok()) {
      return base::Status::InvalidArgument("batch file element " + std::to_string(i + 1) + ": " +
                                           plan.status().message());
    }
    out.push_back(std::move(*plan));
  }
  std::stable_sort(out.begin(), out.end(), [](const UpgradeInfo& a, const UpgradeInfo& b) {
    return a.height < b.height;
  });
  return out;
}

}  // namespace plans
