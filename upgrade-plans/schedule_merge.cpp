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
    MergeText("chain_id", out_.chain_id, b.chain_id);
    MergeText("daemon_name", out_.daemon_name, b.daemon_name);
    std::vector<bool> matched(out_.segments.size(), false);
    std::vector<Segment> only_in_b;
    for (const Segment& theirs : b.segments) {
      std::optional<size_t> match = Find(theirs, matched);
      if (!match) {
        only_in_b.push_back(theirs);
        continue;
      }
      matched[*match] = true;
      MergeSegment(out_.segments[*match], theirs);
    }
    for (Segment& seg : only_in_b) Insert(std::move(seg));
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

  void Insert(Segment seg) {
    auto& segs = out_.segments;
    auto pos = segs.end();
    if (seg.kind == SwitchKind::kGenesis) {
      pos = segs.begin();
    } else {
      pos = std::find_if(segs.begin(), segs.end(), [&](const Segment& s) {
        return s.kind != SwitchKind::kGenesis && s.first_height > seg.first_height;
      });
    }
    segs.insert(pos, std::move(seg));
  }

  void Record(const std::string& name, std::string field, std::string left, std::string right) {
    conflicts_.push_back({name, std::move(field), std::move(left), std::move(right)});
  }

  void MergeText(const char* field, std::string& ours, const std::string& theirs) {
    if (ours.empty()) {
      ours = theirs;
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
    MergeScalar(ours, theirs, "first_height", &Segment::first_height, ours.first_height <= 0,
                theirs.first_height <= 0, itos);
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
    // The default (commit-then-exit) is also what an import that cannot know says, so a source
    // that states stop-before is taken (there are only the two values: no conflict possible).
    if (theirs.halt_semantics != HaltSemantics::kCommitThenExit) {
      ours.halt_semantics = theirs.halt_semantics;
    }
  }

  Schedule out_;
  std::vector<Conflict>& conflicts_;
};

}  // namespace

MergeResult MergeSchedules(const Schedule& a, const Schedule& b) {
  MergeResult result;
  result.schedule = Merger(a, result.conflicts).Merge(b);
  return result;
}

std::string FormatConflicts(const std::vector<Conflict>& conflicts) {
  std::string out;
  for (const Conflict& c : conflicts) {
    out += (c.name.empty() ? std::string("schedule") : "\"" + c.name + "\"") + " " + c.field +
           ": " + c.left + " vs " + c.right + " (kept " + c.left + ")\n";
  }
  return out;
}

}  // namespace plans
