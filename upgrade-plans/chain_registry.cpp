#include "upgrade-plans/chain_registry.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
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

// "chain-registry versions.json" plus " (<file>)" when the caller named the file.
std::string SourceName(const std::string& layout, const std::string& file) {
  return "chain-registry " + layout + (file.empty() ? std::string() : " (" + file + ")");
}

BinaryMap ReadBinaryMap(const json& b, const std::function<void(std::string)>& note,
                        std::vector<std::string>& unchecked) {
  BinaryMap out;
  for (const auto& [platform, value] : b.items()) {
    if (!IsValidPlatformKey(platform)) {
      note("binary key \"" + platform + "\" is not os/arch: ignored");
      continue;
    }
    if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
      note("binary for " + platform + " is not a URL string: ignored");
      continue;
    }
    auto split = SplitChecksumFromUrl(value.get_ref<const std::string&>());
    if (!split.ok()) {
      note("binary for " + platform + " ignored: " + split.status().message());
      continue;
    }
    if (split->url.empty()) {
      note("binary for " + platform + " has no address before its query: ignored");
      continue;
    }
    if (!split->checksum) unchecked.push_back(platform);
    out[platform] = BinarySpec{platform, split->url, split->checksum};
  }
  return out;
}

std::string SdkVersionOf(const json& object) {
  auto sdk = object.find("sdk");
  if (sdk == object.end() || !sdk->is_object()) return "";
  std::string v = StringField(*sdk, "version");
  return v.empty() ? StringField(*sdk, "tag") : v;
}

class Importer {
 public:
  explicit Importer(const RegistryImportOptions& options) : options_(options) {}

  base::Result<ImportResult> Run(const json& root) {
    if (!root.is_object()) {
      return base::Status::InvalidArgument(
          std::string("chain-registry file must be a JSON object, got ") + root.type_name());
    }
    const json* versions = nullptr;
    std::string genesis_name = options_.genesis_name;
    out_.chain_name = StringField(root, "chain_name");
    if (auto v = root.find("versions"); v != root.end()) {
      source_ = SourceName("versions.json", options_.file);
      array_name_ = "versions";
      versions = &*v;
      ReadChainFields(root);
      if (out_.schedule.chain_id.empty()) {
        Note("chain_id", "versions.json does not carry chain_id (chain_name \"" +
                             out_.chain_name + "\"): set it with --chain-id, or import chain.json "
                                               "with it");
      }
      if (out_.schedule.daemon_name.empty()) {
        Note("daemon_name", "versions.json does not carry daemon_name: import chain.json with "
                            "it, or set --daemon-name");
      }
    } else if (auto c = root.find("codebase"); c != root.end() && c->is_object()) {
      source_ = SourceName("chain.json", options_.file);
      array_name_ = "codebase.versions";
      ReadChainFields(root);
      if (auto g = c->find("genesis"); g != c->end() && genesis_name.empty()) {
        genesis_name = StringField(*g, "name");
      }
      if (out_.schedule.chain_id.empty()) Note("chain_id", "chain.json has no chain_id");
      if (out_.schedule.daemon_name.empty()) Note("daemon_name", "chain.json has no daemon_name");
      auto cv = c->find("versions");
      if (cv == c->end()) return ChainFactsOnly(*c, genesis_name);
      versions = &*cv;
    } else if (root.contains("chain_id") || root.contains("daemon_name")) {
      // A current chain.json may lack `codebase` altogether: its chain facts still count.
      source_ = SourceName("chain.json", options_.file);
      ReadChainFields(root);
      Note("codebase", "chain.json has no codebase block: only chain_id and daemon_name read");
      out_.facts = ChainFacts{source_, "", "", "", {}};
      return std::move(out_);
    } else {
      return base::Status::InvalidArgument(
          "not a chain-registry file: expected versions.json ({\"chain_name\", \"versions\": "
          "[...]}) or chain.json (with \"chain_id\", \"daemon_name\", \"codebase\")");
    }
    if (!versions->is_array()) {
      return base::Status::InvalidArgument(array_name_ + " must be an array, got " +
                                           versions->type_name());
    }
    std::optional<size_t> genesis_index;
    for (size_t i = 0; i < versions->size(); ++i) {
      const json& e = (*versions)[i];
      if (!genesis_name.empty() && e.is_object() &&
          UpgradeDirName(StringField(e, "name"), false) == UpgradeDirName(genesis_name, false)) {
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
      bool named_genesis = UpgradeDirName(StringField(first, "name"), false) == "genesis";
      if ((h && (*h == 0 || *h == 1)) || named_genesis) genesis_index = 0;
    }
    if (!genesis_index) AddUnknownGenesis(*versions);
    if (genesis_index && *genesis_index != 0) {
      Note(Where(*genesis_index, genesis_name),
           "is the genesis entry but not the first: kept where it is (not re-sorted)");
    }
    for (size_t i = 0; i < versions->size(); ++i) ImportEntry((*versions)[i], i, genesis_index);
    NoteBrokenLinks(*versions);
    return std::move(out_);
  }

 private:
  void ReadChainFields(const json& root) {
    out_.schedule.chain_id = StringField(root, "chain_id");
    out_.schedule.daemon_name = StringField(root, "daemon_name");
    if (!out_.schedule.chain_id.empty()) out_.schedule.sources["chain_id"] = source_;
    if (!out_.schedule.daemon_name.empty()) out_.schedule.sources["daemon_name"] = source_;
  }

  base::Result<ImportResult> ChainFactsOnly(const json& codebase, const std::string& genesis) {
    ChainFacts f;
    f.source = source_;
    f.genesis_name = genesis;
    f.recommended_version = StringField(codebase, "recommended_version");
    if (f.recommended_version.empty()) f.recommended_version = StringField(codebase, "tag");
    f.sdk_version = SdkVersionOf(codebase);
    if (auto b = codebase.find("binaries"); b != codebase.end() && b->is_object()) {
      std::vector<std::string> unchecked;
      f.binaries = ReadBinaryMap(
          *b, [&](std::string m) { Note("codebase.binaries", std::move(m)); }, unchecked);
    }
    out_.facts = std::move(f);
    return std::move(out_);
  }

  // The registry does not say what ran from genesis: a segment that says so, instead of a guess.
  void AddUnknownGenesis(const json& versions) {
    Segment g;
    g.kind = SwitchKind::kGenesis;
    g.name = "genesis";
    g.first_height = kUnknownHeight;
    g.halt_semantics = HaltSemantics::kUnknown;
    std::string first = versions.empty() || !versions[0].is_object()
                            ? std::string("(nothing)")
                            : "\"" + StringField(versions[0], "name") + "\"";
    std::string why = "unknown: " + source_ + " starts with " + first +
                      " and has no genesis entry; the binary that ran from the chain's first "
                      "block is not listed";
    for (const char* field : {"kind", "first_height", "binaries", "halt_semantics"}) {
      g.sources[field] = why;
    }
    Note(array_name_, why + ": a genesis segment with unknown height and binary is put first");
    out_.schedule.segments.push_back(std::move(g));
  }

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

  static std::optional<std::string> OptionalString(const json& e, const char* key) {
    auto it = e.find(key);
    if (it == e.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
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
    if (auto st = CheckPlanName(seg.name); !st.ok()) {
      Note(where, st.message() + ": skipped (no schedule can hold it)");
      return;
    }
    seg.sources["name"] = source_;
    seg.next_name = OptionalString(e, "next_version_name");
    seg.previous_name = OptionalString(e, "previous_version_name");
    auto height = NumberField(e, "height");
    auto proposal = NumberField(e, "proposal");
    if (genesis_index && *genesis_index == i) {
      seg.kind = SwitchKind::kGenesis;
      seg.sources["kind"] = source_ + " (genesis entry)";
      if (height && *height > 0) {
        seg.first_height = *height;
        seg.sources["first_height"] = source_;
      } else {
        seg.first_height = kUnknownHeight;
        seg.sources["first_height"] =
            "unknown: " + source_ + " gives " +
            (height ? "height " + std::to_string(*height) + " (the genesis release)"
                    : std::string("no height")) +
            "; the chain's initial height is in its genesis.json";
      }
    } else {
      if (height && *height > 1) {
        seg.first_height = *height;
        seg.sources["first_height"] = source_;
      } else {
        seg.first_height = kUnknownHeight;
        seg.sources["first_height"] =
            "unknown: " + source_ + (height ? " gives no block number above 1 as height"
                                            : std::string(" gives no height"));
        Note(where, "has no usable height: kept with an unknown first height, so the schedule "
                    "cannot be replayed through it until the height is set");
      }
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
    ImportHaltSemantics(e, seg);
    ImportVersion(e, where, seg);
    ImportBinaries(e, where, seg);
    out_.schedule.segments.push_back(std::move(seg));
  }

  void ImportHaltSemantics(const json& e, Segment& seg) {
    std::string sdk = SdkVersionOf(e);
    if (sdk.empty()) {
      seg.halt_semantics = HaltSemantics::kUnknown;
      seg.sources["halt_semantics"] = "unknown: " + source_ + " gives no sdk.version";
      return;
    }
    seg.halt_semantics = HaltSemanticsFromSdkVersion(sdk);
    seg.sources["halt_semantics"] =
        seg.halt_semantics == HaltSemantics::kUnknown
            ? "unknown: " + source_ + " sdk.version " + sdk +
                  " is not a Cosmos SDK line whose --halt-height behaviour is known"
            : source_ + " sdk.version " + sdk;
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
      seg.sources["binaries"] = "unknown: " + source_ + " lists no binaries for this entry";
      return;
    }
    if (!b->is_object()) {
      Note(where, std::string("binaries is not an object (") + b->type_name() + "): ignored");
      seg.sources["binaries"] = "unknown: " + source_ + " binaries is not an object";
      return;
    }
    std::vector<std::string> unchecked;
    seg.binaries = ReadBinaryMap(
        *b, [&](std::string m) { Note(where, std::move(m)); }, unchecked);
    seg.sources["binaries"] = seg.binaries.empty()
                                  ? "unknown: " + source_ + " lists no usable binary"
                                  : source_;
    if (!unchecked.empty()) {
      std::string list;
      for (const std::string& p : unchecked) list += (list.empty() ? "" : ", ") + p;
      Note(where, "binaries without checksum: " + list);
    }
  }

  const RegistryImportOptions& options_;
  std::string source_;
  std::string array_name_;
  ImportResult out_;
};

}  // namespace

base::Result<ImportResult> ImportChainRegistry(std::string_view text,
                                               const RegistryImportOptions& options) {
  try {
    json root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded()) {
      return base::Status::InvalidArgument("chain-registry file is not valid JSON");
    }
    auto r = Importer(options).Run(root);
    if (r.ok()) r->schedule.format_version = RequiredFormatVersion(r->schedule);
    return r;
  } catch (const json::exception& e) {
    return base::Status::InvalidArgument(std::string("chain-registry file: ") + e.what());
  }
}

namespace {
std::string WithoutV(const std::string& v) {
  return !v.empty() && (v[0] == 'v' || v[0] == 'V') ? v.substr(1) : v;
}
}  // namespace

std::vector<ImportNote> ApplyChainFacts(Schedule& schedule, const ChainFacts& facts,
                                        const std::string& chain_id,
                                        const std::string& daemon_name) {
  std::vector<ImportNote> notes;
  auto fill = [&](const char* field, std::string& ours, const std::string& theirs) {
    if (theirs.empty()) return;
    if (ours.empty()) {
      ours = theirs;
      schedule.sources[field] = facts.source;
    } else if (ours != theirs) {
      notes.push_back({field, facts.source + " says \"" + theirs + "\", the schedule \"" + ours +
                                  "\": kept the schedule's"});
    }
  };
  fill("chain_id", schedule.chain_id, chain_id);
  fill("daemon_name", schedule.daemon_name, daemon_name);
  schedule.format_version = RequiredFormatVersion(schedule);
  if (facts.recommended_version.empty()) return notes;
  std::optional<size_t> match;
  for (size_t i = 0; i < schedule.segments.size(); ++i) {
    if (WithoutV(schedule.segments[i].version) == WithoutV(facts.recommended_version)) match = i;
  }
  if (!match) {
    if (!schedule.segments.empty()) {
      notes.push_back({"codebase.recommended_version",
                       facts.source + ": " + facts.recommended_version +
                           " is the version of no segment: the chain's current release is "
                           "missing from the schedule"});
    }
    return notes;
  }
  Segment& seg = schedule.segments[*match];
  std::string label = SegmentLabel(schedule, *match);
  if (!facts.sdk_version.empty() && seg.halt_semantics == HaltSemantics::kUnknown) {
    HaltSemantics h = HaltSemanticsFromSdkVersion(facts.sdk_version);
    if (h != HaltSemantics::kUnknown) {
      seg.halt_semantics = h;
      seg.sources["halt_semantics"] = facts.source + " codebase.sdk.version " + facts.sdk_version;
    }
  }
  if (seg.binaries.empty() && !facts.binaries.empty()) {
    seg.binaries = facts.binaries;
    seg.sources["binaries"] = facts.source + " codebase.binaries";
  } else if (!facts.binaries.empty() && seg.binaries != facts.binaries) {
    notes.push_back({label, facts.source + " lists other binaries for " +
                                facts.recommended_version + ": kept the segment's own"});
  }
  schedule.format_version = RequiredFormatVersion(schedule);
  return notes;
}

}  // namespace plans
