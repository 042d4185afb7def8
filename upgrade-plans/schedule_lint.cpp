#include "upgrade-plans/schedule_lint.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

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
    CheckHaltSemantics();
    CheckLinks();
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
  void Error(std::string where, std::string msg) { Add(Severity::kError, where, msg); }
  void Warn(std::string where, std::string msg) { Add(Severity::kWarning, where, msg); }
  // Fills the segment's name and the source of the field `where` points at
  // ("segments[3].binaries.linux/amd64" -> sources["binaries"], else sources["name"]).
  void Add(Severity sev, const std::string& where, const std::string& msg) {
    Finding f{sev, where, msg, "", ""};
    if (where.starts_with("segments[")) {
      size_t close = where.find(']');
      size_t i = std::stoul(where.substr(9, close - 9));
      if (i < s_.segments.size()) {
        const Segment& seg = s_.segments[i];
        f.segment = seg.name;
        std::string field = close + 2 < where.size() ? where.substr(close + 2) : "";
        field = field.substr(0, field.find('.'));
        if (auto it = seg.sources.find(field); it != seg.sources.end()) {
          f.source = it->second;
        } else if (auto n = seg.sources.find("name"); n != seg.sources.end()) {
          f.source = n->second;
        }
      }
    } else if (auto it = s_.sources.find(where); it != s_.sources.end()) {
      f.source = it->second;
    }
    out_.push_back(std::move(f));
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
    if (!HeightKnown(seg)) {
      if (seg.kind == SwitchKind::kGenesis) {
        Warn(Where(i, "first_height"),
             label + ": the chain's initial height is not stated; the node's genesis.json "
                     "decides where this segment starts");
      } else {
        Error(Where(i, "first_height"),
              label + ": first height unknown: the segment cannot be placed, and nothing can "
                      "be replayed through it; set first_height from the chain (applied_plan, "
                      "release notes) or remove the segment if it never ran");
      }
    } else if (seg.first_height < 0) {
      Error(Where(i, "first_height"), label + ": first_height must be above 0");
    }
    // Order against the last segment before it with a known height.
    std::optional<size_t> prev_known;
    for (size_t k = i; k-- > 0;) {
      if (HeightKnown(s_.segments[k])) {
        prev_known = k;
        break;
      }
    }
    if (HeightKnown(seg) && prev_known) {
      const Segment& prev = s_.segments[*prev_known];
      if (seg.first_height == prev.first_height) {
        Error(Where(i, "first_height"),
              label + ": first_height " + std::to_string(seg.first_height) + " is the same as " +
                  SegmentLabel(s_, *prev_known) + "'s: one of them would run no block");
      } else if (seg.first_height < prev.first_height) {
        Error(Where(i, "first_height"),
              label + ": first_height " + std::to_string(seg.first_height) + " is below " +
                  SegmentLabel(s_, *prev_known) + "'s " + std::to_string(prev.first_height) +
                  ": segments must be in height order (not re-sorted: which one is wrong is "
                  "for a person to decide)");
      }
    }
    if (auto k = seg.sources.find("kind");
        k != seg.sources.end() && k->second.starts_with("assumed") && i > 0) {
      Warn(Where(i, "kind"), label + ": kind " + std::string(SwitchKindName(seg.kind)) +
                                 " is assumed, not stated; if an on-chain plan started it, set "
                                 "kind to gov-plan");
    }
    if (seg.kind == SwitchKind::kHaltHeight && HeightKnown(seg) && seg.first_height <= 1) {
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
    CheckReleaseFolders(i);
    if (seg.binaries.empty()) {
      Error(Where(i, "binaries"), label + ": no binaries at all (the binary is unknown); add "
                                          "one for " + std::string(platform_) +
                                          " (or place it by hand)");
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

  // A path component that is a version ("v25.0.0", "27.0.0-rc1"), without its leading v.
  static std::optional<std::string> VersionComponent(std::string_view c) {
    if (!c.empty() && (c[0] == 'v' || c[0] == 'V')) c.remove_prefix(1);
    size_t dots = 0, p = 0;
    while (p < c.size() && (std::isdigit(static_cast<unsigned char>(c[p])) || c[p] == '.')) {
      dots += c[p] == '.';
      ++p;
    }
    if (p == 0 || dots < 1 || !std::isdigit(static_cast<unsigned char>(c[0]))) return std::nullopt;
    if (p < c.size() && c[p] != '-' && c[p] != '+') return std::nullopt;
    return std::string(c.substr(0, p));  // the numbers only
  }
  static std::string Numbers(const std::string& version) {
    auto v = VersionComponent(version);
    return v ? *v : std::string();
  }

  // Osmosis v27's URL sits in the v25.0.0 release folder: a binary of another version?
  void CheckReleaseFolders(size_t i) {
    const Segment& seg = s_.segments[i];
    std::string want = Numbers(seg.version);
    if (want.empty()) return;
    for (const auto& [platform, spec] : seg.binaries) {
      std::string path = spec.url.substr(0, spec.url.find('?'));
      size_t start = path.find("://");
      start = start == std::string::npos ? 0 : path.find('/', start + 3);
      std::vector<std::string> dirs;
      while (start != std::string::npos && start < path.size()) {
        size_t next = path.find('/', start + 1);
        if (next == std::string::npos) break;  // the file name is not a folder
        dirs.push_back(path.substr(start + 1, next - start - 1));
        start = next;
      }
      for (const std::string& d : dirs) {
        auto v = VersionComponent(d);
        if (!v || *v == want) continue;
        Warn(Where(i, "binaries." + platform),
             Label(i) + ": the " + platform + " URL lies in release folder \"" + d +
                 "\", but the segment's version is " + seg.version +
                 ": is it the binary of another release?");
        break;
      }
    }
  }

  // halt_semantics matters where the next segment is a halt-height switch.
  void CheckHaltSemantics() {
    for (size_t i = 0; i + 1 < s_.segments.size(); ++i) {
      const Segment& seg = s_.segments[i];
      const Segment& next = s_.segments[i + 1];
      if (next.kind != SwitchKind::kHaltHeight) continue;
      if (seg.halt_semantics != HaltSemantics::kUnknown) continue;
      Error(Where(i, "halt_semantics"),
            Label(i) + ": how its binary treats --halt-height is unknown (no SDK version known), "
                       "so the halt-height switch to " + SegmentLabel(s_, i + 1) +
                (HeightKnown(next) ? " at " + std::to_string(next.first_height) : std::string()) +
                " cannot be replayed: set halt_semantics (commit-then-exit for SDK <= 0.47, "
                "commit-then-stall for 0.50.0-0.50.9, stop-before for 0.50.10+ and 0.53)");
    }
  }

  // next_name / previous_name (what the source said the neighbours are) against the order.
  void CheckLinks() {
    const auto& segs = s_.segments;
    auto dir = [](const std::string& n) { return UpgradeDirName(n, false); };
    auto index_of = [&](const std::string& n) -> std::optional<size_t> {
      for (size_t k = 0; k < segs.size(); ++k) {
        if (dir(segs[k].name) == dir(n)) return k;
      }
      return std::nullopt;
    };
    for (size_t i = 0; i < segs.size(); ++i) {
      const Segment& seg = segs[i];
      const bool last = i + 1 == segs.size();
      if (seg.next_name) {
        const std::string& next = *seg.next_name;
        if (next.empty()) {
          if (!last) {
            Warn(Where(i, "next_name"), Label(i) + ": the source names no next version, but " +
                                            SegmentLabel(s_, i + 1) + " follows it");
          }
        } else if (dir(next) == dir(seg.name)) {
          Warn(Where(i, "next_name"), Label(i) + ": names itself as its next version");
        } else if (auto k = index_of(next); !k) {
          Warn(Where(i, "next_name"), Label(i) + ": the next version \"" + next +
                                          "\" is no segment: an upgrade is missing");
        } else if (*k != i + 1) {
          Warn(Where(i, "next_name"),
               Label(i) + ": names \"" + next + "\" as its next version, but " +
                   (i + 1 < segs.size() ? SegmentLabel(s_, i + 1) + " follows it"
                                        : std::string("it is the last segment")) +
                   (*k > i + 1 ? " (skipped)" : " (\"" + next + "\" comes before it)"));
        }
      }
      if (seg.previous_name && !seg.previous_name->empty()) {
        const std::string& prev = *seg.previous_name;
        if (i == 0 || dir(segs[i - 1].name) != dir(prev)) {
          Warn(Where(i, "previous_name"),
               Label(i) + ": names \"" + prev + "\" as its previous version, but " +
                   (i == 0 ? std::string("it is the first segment")
                           : SegmentLabel(s_, i - 1) + " comes before it"));
        }
      }
      CheckNameAgainstVersion(i);
      CheckMixedSources(i);
    }
  }

  // Juno "v19" recommends v20.0.0: a later release replaced it, or the entry is wrong.
  void CheckNameAgainstVersion(size_t i) {
    const Segment& seg = s_.segments[i];
    if (seg.kind == SwitchKind::kGenesis) return;
    std::string_view n = seg.name;
    if (n.size() < 2 || (n[0] != 'v' && n[0] != 'V') ||
        !std::all_of(n.begin() + 1, n.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        })) {
      return;
    }
    auto name_major = Major(seg.name);
    auto version_major = Major(seg.version);
    if (!name_major || !version_major || *name_major == *version_major) return;
    Warn(Where(i, "version"), Label(i) + ": version " + seg.version +
                                  " is of another major than the upgrade's name: the binary "
                                  "that ran from " + (HeightKnown(seg) ? std::to_string(seg.first_height)
                                                                       : std::string("its height")) +
                                  " may have been a v" + std::to_string(*name_major) + " release");
  }

  // "(file)" in a source names the file; version and binaries from two files are halves of two.
  void CheckMixedSources(size_t i) {
    const Segment& seg = s_.segments[i];
    auto file = [&](const char* field) -> std::string {
      auto it = seg.sources.find(field);
      if (it == seg.sources.end() || it->second.starts_with("unknown")) return "";
      size_t open = it->second.find(" (");
      size_t close = it->second.find(')', open == std::string::npos ? 0 : open);
      if (open == std::string::npos || close == std::string::npos) return "";
      return it->second.substr(open + 2, close - open - 2);
    };
    std::string v = file("version"), b = file("binaries");
    if (v.empty() || b.empty() || v == b) return;
    Warn(Where(i, "binaries"), Label(i) + ": its version comes from " + v +
                                   " and its binaries from " + b +
                                   ": check that they are the same release");
  }

  const Schedule& s_;
  std::string_view platform_;
  bool must_have_checksum_;
  std::vector<Finding> out_;
};

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
    out += sev + f.where + ": " + f.message;
    if (!f.source.empty()) out += " [source: " + f.source + "]";
    out += "\n";
  }
  return out;
}

std::string FormatFindingsJson(const std::vector<Finding>& findings) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  size_t errors = 0;
  for (const Finding& f : findings) {
    errors += f.severity == Severity::kError;
    list.push_back({{"severity", std::string(SeverityName(f.severity))},
                    {"where", f.where},
                    {"segment", f.segment},
                    {"source", f.source},
                    {"message", f.message}});
  }
  nlohmann::ordered_json root = {{"ok", errors == 0},
                                 {"errors", errors},
                                 {"warnings", findings.size() - errors},
                                 {"findings", std::move(list)}};
  return root.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace plans
