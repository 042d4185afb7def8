// plans::ExplainSchedule (schedule_lint.h): the `replayer plans explain` table and the
// per-height answer. Pure text from the schedule; it never fetches or looks at the disk.
#include <algorithm>
#include <sstream>

#include "upgrade-plans/schedule_lint.h"

namespace plans {
namespace {

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
  std::string first = HeightKnown(s.segments[i]) ? std::to_string(s.segments[i].first_height) : "?";
  std::string end = last ? std::to_string(*last)
                         : (i + 1 < s.segments.size() ? std::string("?") : std::string("tip"));
  return first + "-" + end;
}

// What the segment does not know, for a line of its own ("" when nothing).
std::string HoleText(const Schedule& s, size_t i) {
  const Segment& seg = s.segments[i];
  std::vector<std::string> holes;
  if (!HeightKnown(seg)) holes.push_back("first height unknown");
  if (seg.binaries.empty()) holes.push_back("binary unknown");
  if (seg.halt_semantics == HaltSemantics::kUnknown) holes.push_back("halt behaviour unknown");
  if (holes.empty()) return "";
  std::string out = "HOLE: ";
  for (size_t k = 0; k < holes.size(); ++k) out += (k ? ", " : "") + holes[k];
  for (const char* f : {"first_height", "binaries", "halt_semantics"}) {
    auto it = seg.sources.find(f);
    if (it != seg.sources.end() && it->second.starts_with("unknown")) {
      out += " (" + it->second + ")";
      break;
    }
  }
  return out;
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
             "stopped by --halt-height so that it commits " +
             std::to_string(seg.first_height - 1) + ", and this one takes over at " +
             std::to_string(seg.first_height);
  }
  return "";
}

std::string HowItEnds(const Schedule& s, size_t i) {
  if (i + 1 >= s.segments.size()) return "it runs to the tip (the last segment)";
  const Segment& next = s.segments[i + 1];
  if (!HeightKnown(next)) {
    return "unknown: the next segment \"" + next.name +
           "\" has no known first height, so where this one ends is not known";
  }
  std::string end = std::to_string(next.first_height - 1);
  if (next.kind == SwitchKind::kHaltHeight) {
    const Segment& seg = s.segments[i];
    if (seg.halt_semantics == HaltSemantics::kUnknown) {
      return "unknown: its binary's --halt-height behaviour is not known, so it cannot be "
             "stopped at " + end + " for \"" + next.name + "\"";
    }
    std::string flag = std::to_string(HaltHeightFlagValue(seg.halt_semantics, next.first_height - 1));
    return "it is started with --halt-height " + flag + " (" +
           std::string(HaltSemanticsName(seg.halt_semantics)) + ") so it commits " + end +
           " and stops; \"" + next.name + "\" continues at " + std::to_string(next.first_height);
  }
  return "the node halts itself at governance plan \"" + next.name + "\" (height " +
         std::to_string(next.first_height) + "), after committing " + end;
}

}  // namespace

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
    bool uncertain = false;
    for (size_t k = i + 1; k < s.segments.size(); ++k) uncertain |= !HeightKnown(s.segments[k]);
    out << chain << ": height " << *height << (uncertain ? " may be" : " is")
        << " executed by segments[" << i << "] (of 0-" << s.segments.size() - 1 << "), \""
        << seg.name << "\" (" << SwitchKindName(seg.kind) << ", heights " << HeightsText(s, i)
        << ").\n";
    if (uncertain) {
      out << "  UNCERTAIN: a later segment has an unknown first height and may start at or "
             "below " << *height << "\n";
    }
    if (std::string hole = HoleText(s, i); !hole.empty()) out << "  " << hole << "\n";
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
    if (std::string hole = HoleText(s, i); !hole.empty()) out << indent << hole << "\n";
  }
  return out.str();
}

}  // namespace plans
