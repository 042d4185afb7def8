#include "upgrade-plans/upgrade_info.h"

#include <nlohmann/json.hpp>

#include "base/redact.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace plans {
namespace {

using nlohmann::json;

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<int64_t> ParseDecimal(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

base::Result<UpgradeInfo> ParseUpgradeInfo(std::string_view text) {
  if (IsBlank(text)) return base::Status::Unavailable("upgrade-info.json is empty");
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // An error at the very end is a file still being written; anywhere else it is invalid.
    if (e.byte >= text.size()) {
      return base::Status::Unavailable("upgrade-info.json is not complete JSON yet");
    }
    return base::Status::InvalidArgument("upgrade-info.json is not valid JSON (at byte " +
                                         std::to_string(e.byte) + ")");
  } catch (const json::exception& e) {  // out_of_range 406: a number beyond double, "1E400"
    return base::Status::InvalidArgument(std::string("upgrade-info.json is not valid JSON: ") +
                                         e.what());
  }
  if (!j.is_object()) {
    return base::Status::InvalidArgument("upgrade-info.json: expected a JSON object, got " +
                                         std::string(j.type_name()));
  }
  UpgradeInfo out;
  auto name = j.find("name");
  if (name == j.end()) return base::Status::InvalidArgument("upgrade-info.json: missing \"name\"");
  if (!name->is_string()) {
    return base::Status::InvalidArgument("upgrade-info.json: \"name\" must be a string, got " +
                                         std::string(name->type_name()));
  }
  out.name = name->get<std::string>();
  if (out.name.empty()) return base::Status::InvalidArgument("upgrade-info.json: \"name\" is empty");
  if (auto st = CheckPlanName(out.name); !st.ok()) return st.WithContext("upgrade-info.json");

  auto height = j.find("height");
  if (height == j.end()) {
    return base::Status::InvalidArgument("upgrade-info.json: missing \"height\"");
  }
  if (height->is_number_unsigned() &&
      height->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    // nlohmann keeps 2^63 and above as unsigned; get<int64_t> would wrap to a negative height.
    return base::Status::InvalidArgument("upgrade-info.json: \"height\" " + height->dump() +
                                         " is out of range (at most " +
                                         std::to_string(std::numeric_limits<int64_t>::max()) + ")");
  }
  if (height->is_number_integer()) {
    out.height = height->get<int64_t>();
  } else if (height->is_string()) {
    // protobuf JSON writes int64 as a string.
    const std::string& s = height->get_ref<const std::string&>();
    auto h = ParseDecimal(s);
    if (!h) {
      bool digits = !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isdigit(c) || c == '-';
      });
      return base::Status::InvalidArgument(
          "upgrade-info.json: \"height\" \"" + s + "\" " +
          (digits ? "is out of range (at most " +
                        std::to_string(std::numeric_limits<int64_t>::max()) + ")"
                  : std::string("is not an integer")));
    }
    out.height = *h;
  } else {
    return base::Status::InvalidArgument(
        "upgrade-info.json: \"height\" must be an integer or a decimal string, got " +
        std::string(height->type_name()));
  }
  if (out.height <= 0) {
    return base::Status::InvalidArgument("upgrade-info.json: \"height\" must be above 0, got " +
                                         std::to_string(out.height));
  }

  if (auto info = j.find("info"); info != j.end() && !info->is_null()) {
    if (!info->is_string()) {
      return base::Status::InvalidArgument("upgrade-info.json: \"info\" must be a string, got " +
                                           std::string(info->type_name()));
    }
    out.info = info->get<std::string>();
  }
  if (auto t = j.find("time"); t != j.end() && t->is_string()) out.time = t->get<std::string>();
  return out;
}

std::string FormatUpgradeInfo(const UpgradeInfo& info) {
  json j = json::object();
  j["name"] = info.name;
  j["time"] = info.time.empty() ? "0001-01-01T00:00:00Z" : info.time;
  j["height"] = info.height;
  if (!info.info.empty()) j["info"] = info.info;
  // Keep Go's field order: nlohmann sorts keys, so build the text by hand.
  std::string out = "{\"name\":" + json(info.name).dump() + ",\"time\":" + j["time"].dump() +
                    ",\"height\":" + std::to_string(info.height);
  if (!info.info.empty()) out += ",\"info\":" + json(info.info).dump();
  out += "}";
  return out;
}

std::optional<UpgradeInfo> ParseUpgradeNeededLine(std::string_view line) {
  static constexpr std::string_view kPrefix = "UPGRADE ";
  size_t pos = line.find(kPrefix);
  while (pos != std::string_view::npos) {
    std::string_view rest = line.substr(pos + kPrefix.size());
    // The name is quoted; in JSON logs the quote is escaped as \".
    bool escaped = rest.starts_with("\\\"");
    std::string_view quote = escaped ? "\\\"" : "\"";
    if (rest.starts_with(quote)) {
      rest.remove_prefix(quote.size());
      size_t end = rest.find(quote);
      if (end != std::string_view::npos && end > 0) {
        std::string_view name = rest.substr(0, end);
        rest.remove_prefix(end + quote.size());
        // A name that could forge lines or escape upgrades/ is not a plan (the file, if the
        // node writes one, is refused with a message).
        if (!CheckPlanName(name).ok()) break;
        static constexpr std::string_view kNeeded = " NEEDED at height: ";
        if (rest.starts_with(kNeeded)) {
          rest.remove_prefix(kNeeded.size());
          size_t digits = 0;
          while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) {
            ++digits;
          }
          auto h = ParseDecimal(rest.substr(0, digits));
          if (h && *h > 0) {
            UpgradeInfo out{std::string(name), *h, {}, {}};
            rest.remove_prefix(digits);
            if (rest.starts_with(": ")) {
              std::string_view info = rest.substr(2);
              // In JSON logs the message ends at the closing quote of the string.
              if (escaped) {
                size_t close = info.find('"');
                while (close != std::string_view::npos && close > 0 && info[close - 1] == '\\') {
                  close = info.find('"', close + 1);
                }
                if (close != std::string_view::npos) info = info.substr(0, close);
              }
              while (!info.empty() && (info.back() == '\r' || info.back() == '\n')) {
                info.remove_suffix(1);
              }
              out.info = std::string(info);
            }
            return out;
          }
        }
      }
    }
    pos = line.find(kPrefix, pos + 1);
  }
  return std::nullopt;
}

std::string UpgradeDirName(std::string_view plan_name, bool disable_recase) {
  std::string name = disable_recase ? std::string(plan_name) : Lower(plan_name);
  // Go url.PathEscape: unreserved and a few sub-delims stay, everything else is %XX.
  static constexpr std::string_view kKeep = "-_.~$&+:=@";
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c) || kKeep.find(static_cast<char>(c)) != std::string_view::npos) {
      out.push_back(static_cast<char>(c));
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

base::Status CheckPlanName(std::string_view name) {
  if (name.empty()) return base::Status::InvalidArgument("plan name is empty");
  const std::string shown = "plan name \"" + base::EscapeControl(name) + "\"";
  if (name == "." || name == "..") {
    return base::Status::InvalidArgument(shown + " is not a folder name; refused");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return base::Status::InvalidArgument(shown + " contains control characters; refused");
    }
  }
  size_t dir = UpgradeDirName(name, false).size();
  if (dir > kMaxUpgradeDirNameBytes) {
    return base::Status::InvalidArgument(
        "plan name \"" + std::string(name.substr(0, 40)) + "...\" is too long: its folder under "
        "upgrades/ would be " + std::to_string(dir) + " bytes, over the limit of " +
        std::to_string(kMaxUpgradeDirNameBytes) + "; refused");
  }
  return base::Status::Ok();
}

bool SameUpgradeName(std::string_view a, std::string_view b, bool disable_recase) {
  if (disable_recase) return a == b;
  return Lower(a) == Lower(b);
}

}  // namespace plans
