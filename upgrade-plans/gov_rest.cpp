#include "upgrade-plans/gov_rest.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <limits>
#include <optional>
#include <set>

namespace plans {
namespace {

using nlohmann::json;

constexpr std::string_view kMsgSoftwareUpgrade = "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade";
constexpr std::string_view kSoftwareUpgradeProposal =
    "/cosmos.upgrade.v1beta1.SoftwareUpgradeProposal";
constexpr std::string_view kMsgExecLegacyContent = "/cosmos.gov.v1.MsgExecLegacyContent";

std::string TypeOf(const json& any) {
  if (!any.is_object()) return "";
  auto it = any.find("@type");
  return it != any.end() && it->is_string() ? it->get<std::string>() : "";
}

// Proto JSON integers: a decimal string, or a number from lenient encoders.
std::optional<uint64_t> ParseUint(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.get_ref<const std::string&>();
  if (s.empty() || s.size() > 19 ||
      !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return std::nullopt;
  }
  return std::stoull(s);
}

base::Status GatewayError(const json& root) {
  auto code = root.find("code");
  std::string message = root.contains("message") && root["message"].is_string()
                            ? root["message"].get<std::string>()
                            : root.dump(-1, ' ', false, json::error_handler_t::replace);
  int64_t c = code->is_number_integer() ? code->get<int64_t>() : -1;
  std::string text = "the node answered with error code " + std::to_string(c) + ": " + message;
  if (c == 12 || c == 5) return base::Status::NotFound(text);
  return base::Status::FailedPrecondition(text);
}

base::Status ReadPlan(const json& content, const std::string& where, GovPlan& plan) {
  auto p = content.find("plan");
  if (p == content.end() || !p->is_object()) {
    return base::Status::InvalidArgument(where + ": software upgrade without a plan object");
  }
  auto name = p->find("name");
  if (name == p->end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    return base::Status::InvalidArgument(where + ".plan.name: missing or not a string");
  }
  plan.name = name->get<std::string>();
  auto height = p->find("height");
  std::optional<uint64_t> h = height == p->end() ? std::nullopt : ParseUint(*height);
  if (!h || *h > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return base::Status::InvalidArgument(where + ".plan.height: not a block height (plan \"" +
                                         plan.name + "\")");
  }
  plan.height = static_cast<int64_t>(*h);
  auto info = p->find("info");
  if (info != p->end() && info->is_string()) plan.info = info->get<std::string>();
  return base::Status::Ok();
}

// Appends the plan carried by `msg` (an Any) if it is a software upgrade.
base::Status FromAny(const json& msg, const std::string& where, const GovPlan& proposal,
                     std::vector<GovPlan>& out) {
  std::string type = TypeOf(msg);
  if (type == kMsgExecLegacyContent) {
    auto content = msg.find("content");
    if (content == msg.end()) return base::Status::Ok();
    return FromAny(*content, where + ".content", proposal, out);
  }
  if (type != kMsgSoftwareUpgrade && type != kSoftwareUpgradeProposal) return base::Status::Ok();
  GovPlan plan = proposal;
  RETURN_IF_ERROR(ReadPlan(msg, where, plan));
  out.push_back(std::move(plan));
  return base::Status::Ok();
}

base::Result<GovPage> ParsePage(const json& root) {
  if (!root.is_object()) {
    return base::Status::InvalidArgument(std::string("proposals page must be an object, got ") +
                                         root.type_name());
  }
  if (root.contains("code") && !root.contains("proposals")) return GatewayError(root);
  GovPage page;
  auto proposals = root.find("proposals");
  if (proposals != root.end() && !proposals->is_null()) {
    if (!proposals->is_array()) {
      return base::Status::InvalidArgument(std::string("proposals must be an array, got ") +
                                           proposals->type_name());
    }
    for (size_t i = 0; i < proposals->size(); ++i) {
      const json& p = (*proposals)[i];
      std::string where = "proposals[" + std::to_string(i) + "]";
      if (!p.is_object()) {
        return base::Status::InvalidArgument(where + ": must be an object");
      }
      GovPlan proposal;
      auto id = p.contains("id") ? p.find("id") : p.find("proposal_id");
      std::optional<uint64_t> parsed_id = id == p.end() ? std::nullopt : ParseUint(*id);
      if (!parsed_id) {
        return base::Status::InvalidArgument(where +
                                             ": no proposal id (\"id\" in v1, "
                                             "\"proposal_id\" in v1beta1)");
      }
      proposal.proposal_id = *parsed_id;
      if (auto st = p.find("status"); st != p.end() && st->is_string()) {
        proposal.status = st->get<std::string>();
      }
      if (auto msgs = p.find("messages"); msgs != p.end() && msgs->is_array()) {
        for (size_t m = 0; m < msgs->size(); ++m) {
          RETURN_IF_ERROR(FromAny((*msgs)[m], where + ".messages[" + std::to_string(m) + "]",
                                  proposal, page.plans));
        }
      }
      if (auto content = p.find("content"); content != p.end() && content->is_object()) {
        RETURN_IF_ERROR(FromAny(*content, where + ".content", proposal, page.plans));
      }
    }
  }
  if (auto pg = root.find("pagination"); pg != root.end() && pg->is_object()) {
    if (auto nk = pg->find("next_key"); nk != pg->end() && nk->is_string()) {
      page.next_key = nk->get<std::string>();
    }
  }
  return page;
}

std::string Plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

base::Result<GovPage> ParseGovProposalsPage(std::string_view text) {
  try {
    json root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded()) return base::Status::InvalidArgument("proposals page is not JSON");
    return ParsePage(root);
  } catch (const json::exception& e) {
    return base::Status::InvalidArgument(std::string("proposals page: ") + e.what());
  }
}

base::Result<int64_t> ParseAppliedPlanHeight(std::string_view text) {
  try {
    json root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded())
      return base::Status::InvalidArgument("applied_plan answer is not JSON");
    if (!root.is_object()) {
      return base::Status::InvalidArgument("applied_plan answer must be a JSON object");
    }
    if (root.contains("code") && !root.contains("height")) return GatewayError(root);
    auto h = root.find("height");
    if (h == root.end() || h->is_null()) return int64_t{0};
    auto v = ParseUint(*h);
    if (!v || *v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return base::Status::InvalidArgument("applied_plan height " +
                                           h->dump(-1, ' ', false, json::error_handler_t::replace) +
                                           " is not a block height");
    }
    return static_cast<int64_t>(*v);
  } catch (const json::exception& e) {
    return base::Status::InvalidArgument(std::string("applied_plan answer: ") + e.what());
  }
}

base::Result<std::optional<GovPlan>> ParseCurrentPlan(std::string_view text) {
  try {
    json root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded())
      return base::Status::InvalidArgument("current_plan answer is not JSON");
    if (!root.is_object()) {
      return base::Status::InvalidArgument("current_plan answer must be a JSON object");
    }
    if (root.contains("code") && !root.contains("plan")) return GatewayError(root);
    auto p = root.find("plan");
    if (p == root.end() || p->is_null()) return std::optional<GovPlan>();
    GovPlan plan;
    RETURN_IF_ERROR(ReadPlan(root, "current_plan", plan));
    return std::optional<GovPlan>(std::move(plan));
  } catch (const json::exception& e) {
    return base::Status::InvalidArgument(std::string("current_plan answer: ") + e.what());
  }
}

ImportResult ScheduleFromGovPlans(const std::vector<GovPlan>& plans,
                                  const std::map<std::string, int64_t>& applied_heights,
                                  std::string_view chain_id, std::string_view daemon_name) {
  ImportResult out;
  Schedule& s = out.schedule;
  s.chain_id = std::string(chain_id);
  s.daemon_name = std::string(daemon_name);
  Segment genesis;
  genesis.first_height = kUnknownHeight;
  genesis.kind = SwitchKind::kGenesis;
  genesis.name = "genesis";
  genesis.halt_semantics = HaltSemantics::kUnknown;
  genesis.sources = {{"first_height", "unknown: REST does not tell the chain's initial height"},
                     {"name", "assumed: placeholder"},
                     {"binaries", "unknown: governance does not tell the genesis binary"},
                     {"halt_semantics", "unknown: governance does not tell SDK versions"}};
  s.segments.push_back(std::move(genesis));
  out.notes.push_back({"segments[0]",
                       "the genesis binary and the initial height cannot be "
                       "learnt from governance: merge a chain-registry import or "
                       "fill them in"});

  // Group by name (plans may be passed twice under one name: re-scheduled or replaced).
  std::vector<std::string> order;
  std::map<std::string, std::vector<const GovPlan*>> by_name;
  for (const GovPlan& p : plans) {
    std::string where = "proposal " + std::to_string(p.proposal_id) + " \"" + p.name + "\"";
    if (!p.status.empty() && p.status != "PROPOSAL_STATUS_PASSED" && p.status != "3") {
      out.notes.push_back({where, "status " + p.status + ", not passed: skipped"});
      continue;
    }
    if (!by_name.contains(p.name)) order.push_back(p.name);
    by_name[p.name].push_back(&p);
  }
  for (const std::string& name : order) {
    const auto& candidates = by_name[name];
    const GovPlan* plan = candidates.back();  // the latest passed proposal replaces earlier ones
    auto applied = applied_heights.find(name);
    std::string where = "plan \"" + name + "\"";
    Segment seg;
    seg.kind = SwitchKind::kGovernancePlan;
    seg.name = name;
    if (applied == applied_heights.end()) {
      seg.first_height = plan->height;
      seg.sources["first_height"] =
          "gov plan height (proposal " + std::to_string(plan->proposal_id) + "), not confirmed";
      out.notes.push_back({where, "applied height not queried: using the plan height " +
                                      std::to_string(plan->height) + " unconfirmed"});
    } else if (applied->second <= 0) {
      out.notes.push_back({where, "passed (proposal " + std::to_string(plan->proposal_id) +
                                      ") but never applied on chain: cancelled, replaced or still "
                                      "pending; left out"});
      continue;
    } else {
      for (const GovPlan* c : candidates) {
        if (c->height == applied->second) plan = c;
      }
      seg.first_height = applied->second;
      seg.sources["first_height"] = "rest applied_plan";
      if (plan->height != applied->second) {
        out.notes.push_back(
            {where, "plan height " + std::to_string(plan->height) + " (proposal " +
                        std::to_string(plan->proposal_id) + ") differs from the applied height " +
                        std::to_string(applied->second) + ": using the applied height"});
      }
    }
    if (candidates.size() > 1) {
      out.notes.push_back({where, "passed in " + Plural(candidates.size(), "proposal") +
                                      "; using proposal " + std::to_string(plan->proposal_id)});
    }
    if (seg.first_height <= 1) {
      out.notes.push_back({where, "height " + std::to_string(seg.first_height) +
                                      " is not a block above 1: left out"});
      continue;
    }
    std::string from = "gov proposal " + std::to_string(plan->proposal_id);
    seg.sources["name"] = from;
    seg.sources["kind"] = from;
    seg.halt_semantics = HaltSemantics::kUnknown;
    seg.sources["halt_semantics"] = "unknown: a governance plan does not tell the SDK version";
    auto info = ParsePlanInfo(name, plan->info);
    if (!info.ok()) {
      out.notes.push_back({where, info.status().message()});
    } else if (info->kind == PlanInfo::Kind::kInline) {
      for (const auto& [platform, spec] : info->binaries) {
        if (spec.url.empty()) {
          out.notes.push_back({where, "plan info binary for " + platform + " has no address"});
        } else {
          seg.binaries[platform] = spec;
        }
      }
      if (!seg.binaries.empty()) seg.sources["binaries"] = from + " plan info";
      std::vector<std::string> unchecked;
      for (const auto& [platform, spec] : seg.binaries) {
        if (!spec.checksum) unchecked.push_back(platform);
      }
      if (!unchecked.empty()) {
        std::string list;
        for (const auto& p : unchecked) list += (list.empty() ? "" : ", ") + p;
        out.notes.push_back({where, "plan info binaries without checksum: " + list});
      }
    } else {
      out.info_documents.push_back({name, info->document_url, info->document_checksum});
      out.notes.push_back({where, "plan info is a URL (" + info->document_url +
                                      "): fetch it to learn the binaries"});
    }
    s.segments.push_back(std::move(seg));
  }
  std::stable_sort(
      s.segments.begin() + 1, s.segments.end(),
      [](const Segment& a, const Segment& b) { return a.first_height < b.first_height; });
  s.format_version = RequiredFormatVersion(s);
  return out;
}

base::Status AttachInfoDocument(Schedule& schedule, const InfoDocument& doc,
                                std::string_view text) {
  auto it = std::find_if(schedule.segments.begin(), schedule.segments.end(),
                         [&](const Segment& s) { return s.name == doc.segment_name; });
  if (it == schedule.segments.end()) {
    return base::Status::NotFound("no segment named \"" + doc.segment_name + "\"");
  }
  ASSIGN_OR_RETURN(BinaryMap binaries, ParsePlanInfoDocument(doc.segment_name, text, doc.url));
  if (!it->binaries.empty() && it->binaries != binaries) {
    return base::Status::AlreadyExists("segment \"" + doc.segment_name +
                                       "\" already has other binaries than " + doc.url);
  }
  it->binaries = std::move(binaries);
  it->sources["binaries"] = "plan info document " + doc.url;
  return base::Status::Ok();
}

}  // namespace plans
