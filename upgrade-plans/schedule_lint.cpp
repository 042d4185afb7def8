#include "upgrade-plans/schedule_lint.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "upgrade-plans/upgrade_info.h"

namespace plans {
namespace {

using Severity = Finding::Severity;

class Linter {
 public:
  Linter(const Schedule& s, std::string_view platform, bool must_have_checksum)
      : s_(s), platform_(platform), must_have_checksum_(must_have_checksum) {}

  std::vector<Finding> Run() {
    if (s_.chain_id.empty())
      Warn("chain_id", "chain_id is empty: set it so a node of another chain is refused");
    if (s_.daemon_name.empty()) {
      Warn("daemon_name",
           "daemon_name is empty: the executable name inside bin/ (e.g. gaiad) must come from "
           "the command line");
    }
    if (s_.segments.empty()) {
      Error("segments", "the schedule has no segments: at least the genesis segment is needed");
      return std::move(out_);
    }
    std::map<std::string, size_t> dirs;
    for (size_t i = 0; i < s_.segments.size(); ++i) {
      CheckSegment(i);
      const Segment& seg = s_.segments[i];
      if (seg.name.empty()) continue;
      std::string dir = UpgradeDirName(seg.name, /*disable_recase=*/false);
      auto [it, inserted] = dirs.emplace(dir, i);
      if (!inserted) {
        Error(Where(i, "name"), Label(i) + ": the name collides with " +
                                    SegmentLabel(s_, it->second) +
                                    " (both use the Cosmovisor folder upgrades/" + dir + ")");
      }
    }
    CheckVersionJumps();
    return std::move(out_);
  }

 private:
  static std::string Where(size_t i, std::string_view field) {
    std::string w = "segments[" + std::to_string(i) + "]";
    if (!field.empty()) w += "." + std::string(field);
    return w;
  }
  std::string Label(size_t i) const {
    const std::string& n = s_.segments[i].name;
    return n.empty() ? "segment " + std::to_string(i) : "\"" + n + "\"";
  }
  void Error(std::string where, std::string msg) {
    out_.push_back({Severity::kError, std::move(where), std::move(msg)});
  }
  void Warn(std::string where, std::string msg) {
    out_.push_back({Severity::kWarning, std::move(where), std::move(msg)});
  }

  static bool UrlLooksFetchable(const std::string& url) {
    std::string scheme = UrlScheme(url);
    if (scheme != "http" && scheme != "https" && scheme != "file") return false;
    if (url.size() <= scheme.size() + 3) return false;
    return std::none_of(url.begin(), url.end(),
                        [](unsigned char c) { return std::isspace(c) || c < 0x20; });
  }

  void CheckSegment(size_t i) {
    const Segment& seg = s_.segments[i];
    const std::string label = Label(i);
    if (i == 0 && seg.kind != SwitchKind::kGenesis) {
      Error(Where(0, "kind"), label +
                                  ": the first segment must be the genesis segment (kind "
                                  "\"genesis\"); the binary that runs before it is unknown");
    }
    if (i > 0 && seg.kind == SwitchKind::kGenesis) {
      Error(Where(i, "kind"), label + ": only segments[0] can be the genesis segment");
    }
    if (seg.first_height <= 0) {
      Error(Where(i, "first_height"), label + ": first_height must be above 0");
    }
    if (i > 0) {
      const Segment& prev = s_.segments[i - 1];
      if (seg.first_height == prev.first_height) {
        Error(Where(i, "first_height"),
              label + ": first_height " + std::to_string(seg.first_height) + " is the same as " +
                  SegmentLabel(s_, i - 1) + "'s: one of them would run no block");
      } else if (seg.first_height < prev.first_height) {
        Error(Where(i, "first_height"),
              label + ": first_height " + std::to_string(seg.first_height) + " is below " +
                  SegmentLabel(s_, i - 1) + "'s " + std::to_string(prev.first_height) +
                  ": segments must be in height order");
      }
    }
    if (seg.kind == SwitchKind::kHaltHeight && seg.first_height <= 1) {
      Error(Where(i, "first_height"),
            label + ": a halt-height switch at first_height " + std::to_string(seg.first_height) +
                " would need the previous binary to halt at height " +
                std::to_string(seg.first_height - 1) + ", which does not exist");
    }
    if (seg.name.empty() && seg.kind == SwitchKind::kGovernancePlan) {
      Error(Where(i, "name"), "segment " + std::to_string(i) +
                                  ": a gov-plan segment needs the on-chain plan name (the node "
                                  "reports it in upgrade-info.json)");
    } else if (seg.name.empty() && seg.kind == SwitchKind::kHaltHeight) {
      Error(Where(i, "name"), "segment " + std::to_string(i) +
                                  ": a halt-height segment needs a name (its upgrades/<name> "
                                  "folder)");
    }
    if (seg.version.empty()) {
      Warn(Where(i, "version"),
           label + ": no expected version, so `version` output of its binary cannot be checked");
    }
    CheckBinaries(i);
    CheckArgs(i);
  }

  void CheckBinaries(size_t i) {
    const Segment& seg = s_.segments[i];
    const std::string label = Label(i);
    for (const auto& [platform, spec] : seg.binaries) {
      if (!UrlLooksFetchable(spec.url)) {
        Error(Where(i, "binaries." + platform),
              label + ": URL \"" + spec.url + "\" is not an http(s) or file URL without spaces");
      }
    }
    for (const auto& [platform, url] : seg.signatures) {
      if (!UrlLooksFetchable(url)) {
        Error(Where(i, "signatures." + platform),
              label + ": signature URL \"" + url + "\" is not an http(s) or file URL");
      }
      if (!seg.binaries.contains(platform)) {
        Warn(Where(i, "signatures." + platform),
             label + ": a signature for " + platform + " but no binary for it");
      }
    }
    if (seg.binaries.empty()) {
      Error(Where(i, "binaries"), label + ": no binaries at all; add one for " +
                                      std::string(platform_) + " (or place it by hand)");
      return;
    }
    auto chosen = seg.binaries.find(std::string(platform_));
    if (chosen == seg.binaries.end()) chosen = seg.binaries.find("any");
    if (chosen == seg.binaries.end()) {
      std::string keys;
      for (const auto& [k, v] : seg.binaries) keys += (keys.empty() ? "" : ", ") + k;
      Error(Where(i, "binaries"), label + ": no binary for " + std::string(platform_) +
                                      " and no \"any\" (it has: " + keys + ")");
      return;
    }
    const BinarySpec& spec = chosen->second;
    std::string where = Where(i, "binaries." + chosen->first);
    if (!spec.checksum) {
      std::string msg = label + ": the " + chosen->first +
                        " binary has no checksum (add ?checksum=sha256:<hex> to its URL)";
      if (must_have_checksum_) {
        Error(where, msg);
      } else {
        Warn(where, msg);
      }
    } else if (spec.checksum->weak()) {
      Warn(where, label + ": the checksum is " + std::string(HashAlgoName(spec.checksum->algo)) +
                      ", which is weak; prefer sha256");
    }
  }

  void CheckArgs(size_t i) {
    const Segment& seg = s_.segments[i];
    const std::string label = Label(i);
    for (const std::string& a : seg.args.add) {
      if (a.empty()) Error(Where(i, "args.add"), label + ": an empty argument");
      if (a == "--halt-height" || a.starts_with("--halt-height=")) {
        Warn(Where(i, "args.add"),
             label +
                 ": --halt-height in args.add; Replayer sets it from the next segment, and "
                 "two values make the node take the last one");
      }
      if (std::find(seg.args.remove.begin(), seg.args.remove.end(), a) != seg.args.remove.end()) {
        Warn(Where(i, "args"), label + ": \"" + a + "\" is both added and removed (it is added)");
      }
    }
    for (const std::string& r : seg.args.remove) {
      if (r.empty()) Error(Where(i, "args.remove"), label + ": an empty argument");
    }
  }

  // "v19.2.0" -> 19, "25.2.1" -> 25; nullopt when the version does not start with a number.
  static std::optional<long> Major(const std::string& version) {
    size_t p = (!version.empty() && (version[0] == 'v' || version[0] == 'V')) ? 1 : 0;
    size_t end = p;
    while (end < version.size() && end - p < 9 &&
           std::isdigit(static_cast<unsigned char>(version[end]))) {
      ++end;
    }
    if (end == p) return std::nullopt;
    return std::stol(version.substr(p, end - p));
  }

  void CheckVersionJumps() {
    std::optional<size_t> prev;
    for (size_t i = 0; i < s_.segments.size(); ++i) {
      auto major = Major(s_.segments[i].version);
      if (!major) continue;
      if (prev) {
        long before = *Major(s_.segments[*prev].version);
        if (*major > before + 1) {
          Warn(Where(i, "version"), Label(i) + ": the major version jumps from " +
                                        s_.segments[*prev].version + " (" + Label(*prev) + ") to " +
                                        s_.segments[i].version +
                                        ": is an upgrade missing, or does a binary carry a fork?");
        } else if (*major < before) {
          Warn(Where(i, "version"), Label(i) + ": the version goes backwards from " +
                                        s_.segments[*prev].version + " to " +
                                        s_.segments[i].version);
        }
      }
      prev = i;
    }
  }

  const Schedule& s_;
  std::string_view platform_;
  bool must_have_checksum_;
  std::vector<Finding> out_;
};

std::string ShortChecksum(const BinarySpec& spec) {
  if (!spec.checksum) return "-";
  return std::string(HashAlgoName(spec.checksum->algo)) + ":" + spec.checksum->hex.substr(0, 12) +
         "...";
}

std::string Join(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) {
    if (!out.empty()) out += ' ';
    bool quote = a.empty() || a.find_first_of(" \t\"'") != std::string::npos;
    out += quote ? "'" + a + "'" : a;
  }
  return out;
}

std::string HeightsText(const Schedule& s, size_t i) {
  auto last = LastHeight(s, i);
  return std::to_string(s.segments[i].first_height) + "-" +
         (last ? std::to_string(*last) : std::string("tip"));
}

const BinarySpec* Chosen(const Segment& seg, std::string_view platform) {
  auto it = seg.binaries.find(std::string(platform));
  if (it == seg.binaries.end()) it = seg.binaries.find("any");
  return it == seg.binaries.end() ? nullptr : &it->second;
}

std::string WhyItStarts(const Schedule& s, size_t i) {
  const Segment& seg = s.segments[i];
  switch (seg.kind) {
    case SwitchKind::kGenesis:
      return "it is the genesis segment: its binary runs from the chain's first block";
    case SwitchKind::kGovernancePlan:
      return "governance plan \"" + seg.name + "\" halts the previous binary at height " +
             std::to_string(seg.first_height) + " (the previous binary commits " +
             std::to_string(seg.first_height - 1) + " and writes upgrade-info.json)";
    case SwitchKind::kHaltHeight:
      return "a coordinated halt-height switch (no on-chain plan): the previous binary is "
             "started with --halt-height " +
             std::to_string(seg.first_height - 1) + " and this one takes over at " +
             std::to_string(seg.first_height);
  }
  return "";
}

std::string HowItEnds(const Schedule& s, size_t i) {
  if (i + 1 >= s.segments.size()) return "it runs to the tip (the last segment)";
  const Segment& next = s.segments[i + 1];
  std::string end = std::to_string(next.first_height - 1);
  if (next.kind == SwitchKind::kHaltHeight) {
    return "it is started with --halt-height " + end + " so it commits " + end + " and exits; \"" +
           next.name + "\" continues at " + std::to_string(next.first_height);
  }
  return "the node halts itself at governance plan \"" + next.name + "\" (height " +
         std::to_string(next.first_height) + "), after committing " + end;
}

}  // namespace

std::string_view SeverityName(Finding::Severity severity) {
  return severity == Severity::kError ? "error" : "warning";
}

bool HasErrors(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Severity::kError; });
}

std::vector<Finding> CheckSchedule(const Schedule& schedule, std::string_view platform,
                                   bool must_have_checksum) {
  return Linter(schedule, platform, must_have_checksum).Run();
}

std::string FormatFindings(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) {
    std::string sev(SeverityName(f.severity));
    sev.resize(8, ' ');
    out += sev + f.where + ": " + f.message + "\n";
  }
  return out;
}

std::string ExplainSchedule(const Schedule& schedule, std::string_view platform,
                            const std::vector<std::string>& base_args,
                            std::optional<int64_t> height) {
  const Schedule& s = schedule;
  std::ostringstream out;
  std::string chain = s.chain_id.empty() ? std::string("(chain id not set)") : s.chain_id;
  if (height) {
    auto idx = SegmentForHeight(s, *height);
    if (!idx) {
      out << "Height " << *height << " is before the schedule's first segment"
          << (s.segments.empty()
                  ? std::string(" (the schedule is empty)")
                  : " (which starts at " + std::to_string(s.segments[0].first_height) + ")")
          << ".\n";
      return out.str();
    }
    size_t i = *idx;
    const Segment& seg = s.segments[i];
    const BinarySpec* bin = Chosen(seg, platform);
    out << chain << ": height " << *height << " is executed by segment " << i + 1 << " of "
        << s.segments.size() << ", \"" << seg.name << "\" (" << SwitchKindName(seg.kind)
        << ", heights " << HeightsText(s, i) << ").\n";
    out << "  version:  " << (seg.version.empty() ? "(not checked)" : seg.version) << "\n";
    out << "  binary:   "
        << (bin ? bin->url + " [" + bin->platform + "]"
                : "(none for " + std::string(platform) + ")")
        << "\n";
    out << "  checksum: " << (bin && bin->checksum ? FormatChecksum(*bin->checksum) : "-") << "\n";
    out << "  start:    " << Join(StartArgs(s, i, base_args)) << "\n";
    out << "  starts:   " << WhyItStarts(s, i) << "\n";
    out << "  ends:     " << HowItEnds(s, i) << "\n";
    for (const auto& [field, source] : seg.sources) {
      out << "  source:   " << field << " from " << source << "\n";
    }
    return out.str();
  }
  out << chain << " (" << (s.daemon_name.empty() ? "daemon not set" : s.daemon_name) << "), "
      << s.segments.size() << " segment" << (s.segments.size() == 1 ? "" : "s") << ", platform "
      << platform << "\n";
  struct Row {
    std::string cells[7];
  };
  std::vector<Row> rows;
  rows.push_back({{"#", "HEIGHTS", "KIND", "NAME", "VERSION", "CHECKSUM", ""}});
  for (size_t i = 0; i < s.segments.size(); ++i) {
    const Segment& seg = s.segments[i];
    const BinarySpec* bin = Chosen(seg, platform);
    rows.push_back(
        {{std::to_string(i), HeightsText(s, i), std::string(SwitchKindName(seg.kind)), seg.name,
          seg.version.empty() ? "-" : seg.version, bin ? ShortChecksum(*bin) : "-", ""}});
  }
  size_t width[6] = {};
  for (const Row& r : rows) {
    for (size_t c = 0; c < 6; ++c) width[c] = std::max(width[c], r.cells[c].size());
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (size_t c = 0; c < 6; ++c) {
      std::string cell = rows[r].cells[c];
      if (c + 1 < 6) cell.resize(width[c] + 2, ' ');
      line += cell;
    }
    out << line << "\n";
    if (r == 0) continue;
    size_t i = r - 1;
    const Segment& seg = s.segments[i];
    const BinarySpec* bin = Chosen(seg, platform);
    std::string indent(width[0] + 2, ' ');
    out << indent << "binary: " << (bin ? bin->url : "(none for " + std::string(platform) + ")")
        << "\n";
    out << indent << "start:  " << Join(StartArgs(s, i, base_args)) << "\n";
  }
  return out.str();
}

}  // namespace plans
