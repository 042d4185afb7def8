#include "upgrade-plans/chain_registry.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>

#include "upgrade-plans/upgrade_info.h"

namespace plans {
namespace {

using nlohmann::json;

std::string StringField(const json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

// A registry number (height, proposal): JSON integer, integral float, or a digit string.
// nullopt when absent or null; -1 when present but unusable.
std::optional<int64_t> NumberField(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    return v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ? -1
                                                                          : static_cast<int64_t>(v);
  }
  if (it->is_number_integer()) return -1;  // negative
  if (it->is_number_float()) {
    double d = it->get<double>();
    if (!(d >= 0 && d < 9e18) || std::floor(d) != d) return -1;
    return static_cast<int64_t>(d);
  }
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    if (s.empty() || s.size() > 18 ||
        !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); })) {
      return -1;
    }
    return std::stoll(s);
  }
  return -1;
}

class Importer {
 public:
  base::Result<ImportResult> Run(const json& root) {
    if (!root.is_object()) {
      return base::Status::InvalidArgument(
          std::string("chain-registry file must be a JSON object, got ") + root.type_name());
    }
    const json* versions = nullptr;
    std::string genesis_name;
    if (auto v = root.find("versions"); v != root.end()) {
      source_ = "chain-registry versions.json";
      array_name_ = "versions";
      versions = &*v;
      out_.schedule.chain_id = StringField(root, "chain_id");
      out_.schedule.daemon_name = StringField(root, "daemon_name");
      if (out_.schedule.chain_id.empty()) {
        Note("chain_id", "versions.json does not carry chain_id (chain_name \"" +
                             StringField(root, "chain_name") +
                             "\"): set it, or import chain.json and merge");
      }
      if (out_.schedule.daemon_name.empty()) {
        Note("daemon_name", "versions.json does not carry daemon_name: take it from chain.json");
      }
    } else if (auto c = root.find("codebase"); c != root.end() && c->is_object()) {
      source_ = "chain-registry chain.json";
      array_name_ = "codebase.versions";
      out_.schedule.chain_id = StringField(root, "chain_id");
      out_.schedule.daemon_name = StringField(root, "daemon_name");
      if (auto g = c->find("genesis"); g != c->end()) genesis_name = StringField(*g, "name");
      auto cv = c->find("versions");
      if (cv == c->end()) {
        return base::Status::InvalidArgument(
            "chain.json has no codebase.versions: since chain-registry PR #5630 the upgrade "
            "history lives in versions.json next to it; import that file");
      }
      versions = &*cv;
      if (out_.schedule.chain_id.empty()) Note("chain_id", "chain.json has no chain_id");
      if (out_.schedule.daemon_name.empty()) Note("daemon_name", "chain.json has no daemon_name");
    } else {
      return base::Status::InvalidArgument(
          "not a chain-registry file: expected versions.json ({\"chain_name\", \"versions\": "
          "[...]}) or chain.json (with \"codebase\": {\"versions\": [...]})");
    }
    if (!versions->is_array()) {
      return base::Status::InvalidArgument(array_name_ + " must be an array, got " +
                                           versions->type_name());
    }
    std::optional<size_t> genesis_index;
    for (size_t i = 0; i < versions->size(); ++i) {
      const json& e = (*versions)[i];
      if (!genesis_name.empty() && e.is_object() && StringField(e, "name") == genesis_name) {
        genesis_index = i;
        break;
      }
    }
    if (!genesis_name.empty() && !genesis_index) {
      Note("codebase.genesis.name",
           "names \"" + genesis_name + "\", which no entry of " + array_name_ + " has");
    }
    if (!genesis_index && !versions->empty() && (*versions)[0].is_object()) {
      const json& first = (*versions)[0];
      auto h = NumberField(first, "height");
      std::string name = StringField(first, "name");
      bool named_genesis = UpgradeDirName(name, false) == "genesis";
      if (!h || *h == 0 || *h == 1 || named_genesis) genesis_index = 0;
      if (genesis_index && !h) {
        Note(Where(0, name),
             "has no height: taken as the genesis segment because it is the "
             "first entry; check that this binary really runs from genesis "
             "(the registry often lacks early history)");
      }
    }
    for (size_t i = 0; i < versions->size(); ++i) ImportEntry((*versions)[i], i, genesis_index);
    NoteBrokenLinks(*versions);
    if (!genesis_index) {
      Note(array_name_,
           "no entry is the genesis version (the first entry has a height above 1 "
           "and no codebase.genesis.name): the binary for the first blocks is "
           "unknown; add a genesis segment");
    }
    // Registry files are in order; sort anyway (stable) so the schedule is, keeping genesis first.
    auto& segs = out_.schedule.segments;
    auto genesis = std::find_if(segs.begin(), segs.end(),
                                [](const Segment& s) { return s.kind == SwitchKind::kGenesis; });
    auto begin = segs.begin();
    if (genesis != segs.end()) {
      std::rotate(segs.begin(), genesis, genesis + 1);
      ++begin;
    }
    std::stable_sort(begin, segs.end(), [](const Segment& a, const Segment& b) {
      return a.first_height < b.first_height;
    });
    return std::move(out_);
  }

 private:
  std::string Where(size_t i, const std::string& name) const {
    std::string w = array_name_ + "[" + std::to_string(i) + "]";
    if (!name.empty()) w += " \"" + name + "\"";
    return w;
  }
  void Note(std::string where, std::string message) {
    out_.notes.push_back({std::move(where), std::move(message)});
  }

  // next_version_name pointing at no entry: the registry skipped an upgrade (Hub v20, v23).
  void NoteBrokenLinks(const json& versions) {
    std::set<std::string> names;
    for (const json& e : versions) {
      if (e.is_object()) names.insert(UpgradeDirName(StringField(e, "name"), false));
    }
    for (size_t i = 0; i < versions.size(); ++i) {
      const json& e = versions[i];
      if (!e.is_object()) continue;
      std::string next = StringField(e, "next_version_name");
      if (next.empty() || names.contains(UpgradeDirName(next, false))) continue;
      Note(Where(i, StringField(e, "name")),
           "next_version_name \"" + next +
               "\" names no entry: an upgrade is missing from the registry; add it by hand");
    }
  }

  void ImportEntry(const json& e, size_t i, std::optional<size_t> genesis_index) {
    if (!e.is_object()) {
      Note(Where(i, ""), std::string("is not an object (") + e.type_name() + "): skipped");
      return;
    }
    Segment seg;
    seg.name = StringField(e, "name");
    const std::string where = Where(i, seg.name);
    if (seg.name.empty()) {
      Note(where, "has no name: skipped");
      return;
    }
    seg.sources["name"] = source_;
    auto height = NumberField(e, "height");
    auto proposal = NumberField(e, "proposal");
    if (genesis_index && *genesis_index == i) {
      seg.kind = SwitchKind::kGenesis;
      seg.first_height = (height && *height > 1) ? *height : 1;
      seg.sources["kind"] = source_ + " (genesis entry)";
      seg.sources["first_height"] = (height && *height > 1)
                                        ? source_
                                        : "assumed: initial height 1 (registry height " +
                                              (height ? std::to_string(*height) : "none") + ")";
    } else {
      if (!height) {
        Note(where, "cannot be scheduled: no height");
        return;
      }
      if (*height <= 1) {
        Note(where, "cannot be scheduled: height is not a block number above 1");
        return;
      }
      seg.first_height = *height;
      seg.sources["first_height"] = source_;
      if (proposal) {
        seg.kind = SwitchKind::kGovernancePlan;
        seg.sources["kind"] =
            source_ + " (proposal " + (*proposal >= 0 ? std::to_string(*proposal) : "?") + ")";
      } else {
        seg.kind = SwitchKind::kHaltHeight;
        seg.sources["kind"] = "assumed: no proposal in " + source_;
        Note(where,
             "kind inferred as halt-height because the entry has no proposal number; "
             "if it was a governance upgrade, set kind to gov-plan (or merge a REST "
             "import)");
      }
    }
    ImportVersion(e, where, seg);
    ImportBinaries(e, where, seg);
    out_.schedule.segments.push_back(std::move(seg));
  }

  void ImportVersion(const json& e, const std::string& where, Segment& seg) {
    std::string recommended = StringField(e, "recommended_version");
    std::string tag = StringField(e, "tag");
    seg.version = !recommended.empty() ? recommended : tag;
    if (seg.version.empty()) {
      Note(where, "has neither recommended_version nor tag: the version is not checked");
      return;
    }
    seg.sources["version"] =
        source_ + (!recommended.empty() ? " recommended_version" : std::string(" tag"));
    if (!recommended.empty() && !tag.empty() && recommended != tag && "v" + recommended != tag &&
        recommended != "v" + tag) {
      Note(where, "recommended_version \"" + recommended + "\" differs from tag \"" + tag +
                      "\"; using recommended_version (a patch may only be valid from a later "
                      "height)");
    }
    if (std::isdigit(static_cast<unsigned char>(seg.version[0]))) {
      Note(where, "version \"" + seg.version + "\" has no leading \"v\"; the binary may print \"v" +
                      seg.version + "\": check and edit (not changed)");
    }
  }

  void ImportBinaries(const json& e, const std::string& where, Segment& seg) {
    auto b = e.find("binaries");
    if (b == e.end() || b->is_null() || (b->is_object() && b->empty())) {
      Note(where, "has no binaries");
      return;
    }
    if (!b->is_object()) {
      Note(where, std::string("binaries is not an object (") + b->type_name() + "): ignored");
      return;
    }
    std::vector<std::string> unchecked;
    for (const auto& [platform, value] : b->items()) {
      if (!IsValidPlatformKey(platform)) {
        Note(where, "binary key \"" + platform + "\" is not os/arch: ignored");
        continue;
      }
      if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
        Note(where, "binary for " + platform + " is not a URL string: ignored");
        continue;
      }
      auto split = SplitChecksumFromUrl(value.get_ref<const std::string&>());
      if (!split.ok()) {
        Note(where, "binary for " + platform + " ignored: " + split.status().message());
        continue;
      }
      if (split->url.empty()) {
        Note(where, "binary for " + platform + " has no address before its query: ignored");
        continue;
      }
      if (!split->checksum) unchecked.push_back(platform);
      seg.binaries[platform] = BinarySpec{platform, split->url, split->checksum};
    }
    if (!seg.binaries.empty()) seg.sources["binaries"] = source_;
    if (!unchecked.empty()) {
      std::string list;
      for (const std::string& p : unchecked) list += (list.empty() ? "" : ", ") + p;
      Note(where, "binaries without checksum: " + list);
    }
  }

  std::string source_;
  std::string array_name_;
  ImportResult out_;
};

}  // namespace

base::Result<ImportResult> ImportChainRegistry(std::string_view text) {
  try {
    json root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded()) {
      return base::Status::InvalidArgument("chain-registry file is not valid JSON");
    }
    return Importer().Run(root);
  } catch (const json::exception& e) {
    return base::Status::InvalidArgument(std::string("chain-registry file: ") + e.what());
  }
}

}  // namespace plans
