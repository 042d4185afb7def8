#include "upgrade-plans/schedule_merge.h"

#include <algorithm>

#include "upgrade-plans/upgrade_info.h"

namespace plans {
namespace {

bool Assumed(const Segment& seg, const std::string& field) {
  auto it = seg.sources.find(field);
  return it != seg.sources.end() && it->second.starts_with("assumed");
}

std::string ArgsText(const SegmentArgs& args) {
  std::string out = "add [";
  for (size_t i = 0; i < args.add.size(); ++i) out += (i ? " " : "") + args.add[i];
  out += "] remove [";
  for (size_t i = 0; i < args.remove.size(); ++i) out += (i ? " " : "") + args.remove[i];
  return out + "]";
}

std::string ChecksumText(const std::optional<Checksum>& c) {
  return c ? FormatChecksum(*c) : std::string("(none)");
}

class Merger {
 public:
  Merger(const Schedule& a, std::vector<Conflict>& conflicts) : out_(a), conflicts_(conflicts) {}

  Schedule Merge(const Schedule& b) {
    MergeText("chain_id", out_.chain_id, b.chain_id, b);
    MergeText("daemon_name", out_.daemon_name, b.daemon_name, b);
    // matched[i]: out_.segments[i] is b's too (matched, or inserted from b).
    std::vector<bool> matched(out_.segments.size(), false);
    std::optional<size_t> prev;  // where b's previous segment is in out_
    for (const Segment& theirs : b.segments) {
      std::optional<size_t> match = Find(theirs, matched);
      if (match) {
        matched[*match] = true;
        // Merged on a copy: a pair that disagrees anywhere keeps a's whole entry (never a's
        // version with b's binary), and every disagreement is reported.
        Segment merged = out_.segments[*match];
        size_t before = conflicts_.size();
        MergeSegment(merged, theirs);
        if (conflicts_.size() == before) out_.segments[*match] = std::move(merged);
        prev = match;
        continue;
      }
      // Only in b: after b's previous segment (b's order is kept, never re-sorted), past a's own
      // segments that lie below it.
      auto& segs = out_.segments;
      size_t pos = 0;
      if (theirs.kind != SwitchKind::kGenesis) {
        pos = prev ? *prev + 1
                   : (!segs.empty() && segs[0].kind == SwitchKind::kGenesis ? 1 : 0);
        while (pos < segs.size() && !matched[pos] && HeightKnown(theirs) &&
               HeightKnown(segs[pos]) && segs[pos].first_height < theirs.first_height) {
          ++pos;
        }
      }
      segs.insert(segs.begin() + static_cast<long>(pos), theirs);
      matched.insert(matched.begin() + static_cast<long>(pos), true);
      prev = pos;
    }
    return std::move(out_);
  }

 private:
  std::optional<size_t> Find(const Segment& theirs, const std::vector<bool>& matched) const {
    std::string dir = UpgradeDirName(theirs.name, /*disable_recase=*/false);
    for (size_t i = 0; i < out_.segments.size(); ++i) {
      if (matched[i]) continue;
      const Segment& ours = out_.segments[i];
      if (ours.kind == SwitchKind::kGenesis && theirs.kind == SwitchKind::kGenesis) return i;
      if (!theirs.name.empty() && UpgradeDirName(ours.name, false) == dir &&
          ours.kind != SwitchKind::kGenesis && theirs.kind != SwitchKind::kGenesis) {
        return i;
      }
    }
    return std::nullopt;
  }

  void Record(const std::string& name, std::string field, std::string left, std::string right) {
    conflicts_.push_back({name, std::move(field), std::move(left), std::move(right)});
  }

  void MergeText(const char* field, std::string& ours, const std::string& theirs,
                 const Schedule& b) {
    if (ours.empty()) {
      ours = theirs;
      if (auto it = b.sources.find(field); it != b.sources.end() && !theirs.empty()) {
        out_.sources[field] = it->second;
      }
    } else if (!theirs.empty() && ours != theirs) {
      Record("", field, ours, theirs);
    }
  }

  static void TakeSource(Segment& ours, const Segment& theirs, const std::string& field) {
    auto it = theirs.sources.find(field);
    if (it != theirs.sources.end()) {
      ours.sources[field] = it->second;
    } else {
      ours.sources.erase(field);
    }
  }

  // Adds theirs' source for `field` to ours' (both contributed, e.g. different platforms).
  static void JoinSource(Segment& ours, const Segment& theirs, const std::string& field) {
    auto it = theirs.sources.find(field);
    if (it == theirs.sources.end()) return;
    std::string& mine = ours.sources[field];
    if (mine.empty()) {
      mine = it->second;
    } else if (mine != it->second && mine.find(it->second) == std::string::npos) {
      mine += " + " + it->second;
    }
  }

  // Scalar field: fill when ours is missing or assumed and theirs is not; else conflict.
  template <typename T, typename ToText>
  void MergeScalar(Segment& ours, const Segment& theirs, const std::string& field,
                   T Segment::*member, bool ours_missing, bool theirs_missing, ToText to_text) {
    if (ours.*member == theirs.*member) {
      if (Assumed(ours, field) && !Assumed(theirs, field)) TakeSource(ours, theirs, field);
      return;
    }
    if (theirs_missing) return;
    bool replace = ours_missing || (Assumed(ours, field) && !Assumed(theirs, field));
    if (replace) {
      ours.*member = theirs.*member;
      TakeSource(ours, theirs, field);
      return;
    }
    if (Assumed(theirs, field)) return;  // their guess never overrides a known value
    Record(ours.name, field, to_text(ours.*member), to_text(theirs.*member));
  }

  void MergeSegment(Segment& ours, const Segment& theirs) {
    const std::string label = ours.name;
    auto itos = [](int64_t v) { return std::to_string(v); };
    auto kind = [](SwitchKind k) { return std::string(SwitchKindName(k)); };
    auto same = [](const std::string& s) { return s; };
    MergeScalar(ours, theirs, "first_height", &Segment::first_height, !HeightKnown(ours),
                !HeightKnown(theirs), itos);
    MergeScalar(ours, theirs, "kind", &Segment::kind, false, false, kind);
    MergeScalar(ours, theirs, "name", &Segment::name, ours.name.empty(), theirs.name.empty(), same);
    MergeScalar(ours, theirs, "version", &Segment::version, ours.version.empty(),
                theirs.version.empty(), same);
    bool took_binaries = false;
    for (const auto& [platform, spec] : theirs.binaries) {
      auto it = ours.binaries.find(platform);
      if (it == ours.binaries.end()) {
        ours.binaries[platform] = spec;
        took_binaries = true;
        continue;
      }
      BinarySpec& mine = it->second;
      if (mine.url != spec.url) {
        Record(label, "binaries." + platform, BinaryUrlForSchedule(mine),
               BinaryUrlForSchedule(spec));
        continue;
      }
      if (!mine.checksum && spec.checksum) {
        mine.checksum = spec.checksum;
        took_binaries = true;
      } else if (mine.checksum && spec.checksum && *mine.checksum != *spec.checksum) {
        Record(label, "binaries." + platform + ".checksum", ChecksumText(mine.checksum),
               ChecksumText(spec.checksum));
      }
    }
    if (took_binaries) JoinSource(ours, theirs, "binaries");
    bool took_signatures = false;
    for (const auto& [platform, url] : theirs.signatures) {
      auto [it, inserted] = ours.signatures.emplace(platform, url);
      if (inserted) {
        took_signatures = true;
      } else if (it->second != url) {
        Record(label, "signatures." + platform, it->second, url);
      }
    }
    if (took_signatures) JoinSource(ours, theirs, "signatures");
    if (ours.args.empty() && !theirs.args.empty()) {
      ours.args = theirs.args;
      TakeSource(ours, theirs, "args");
    } else if (!theirs.args.empty() && ours.args != theirs.args) {
      Record(label, "args", ArgsText(ours.args), ArgsText(theirs.args));
    }
    // kUnknown is what an import that cannot know says: the known value is taken.
    auto halt = [](HaltSemantics h) { return std::string(HaltSemanticsName(h)); };
    MergeScalar(ours, theirs, "halt_semantics", &Segment::halt_semantics,
                ours.halt_semantics == HaltSemantics::kUnknown,
                theirs.halt_semantics == HaltSemantics::kUnknown, halt);
    if (!ours.next_name && theirs.next_name) ours.next_name = theirs.next_name;
    if (!ours.previous_name && theirs.previous_name) ours.previous_name = theirs.previous_name;
  }

  Schedule out_;
  std::vector<Conflict>& conflicts_;
};

}  // namespace

MergeResult MergeSchedules(const Schedule& a, const Schedule& b) {
  MergeResult result;
  result.schedule = Merger(a, result.conflicts).Merge(b);
  result.schedule.format_version = RequiredFormatVersion(result.schedule);
  return result;
}

std::string FormatConflicts(const std::vector<Conflict>& conflicts) {
  std::string out;
  for (const Conflict& c : conflicts) {
    out += (c.name.empty() ? std::string("schedule") : "\"" + c.name + "\"") + " " + c.field +
           ": " + c.left + " vs " + c.right +
           (c.name.empty() ? " (kept " + c.left + ")\n"
                           : " (kept the whole entry of the higher-priority source)\n");
  }
  return out;
}

}  // namespace plans
