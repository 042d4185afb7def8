// plans: reading upgrade history from a node's Cosmos REST API (pure parsing, no I/O).
//
// The caller (binary-registry's HTTP client, driven by `replayer plans import --rest`) pages
// through passed proposals (gov v1, falling back to v1beta1 when v1 is not registered), asks
// /cosmos/upgrade/v1beta1/applied_plan/{name} for each plan, and hands the response bodies
// here. ParseGovProposalsPage understands both gov API versions and both ways a plan travels in
// v1 (MsgSoftwareUpgrade, or legacy SoftwareUpgradeProposal content wrapped in
// MsgExecLegacyContent). ScheduleFromGovPlans never trusts a plan's height alone: the applied
// height is authoritative, and every disagreement becomes a note.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "upgrade-plans/chain_registry.h"

namespace plans {

struct GovPlan {
  uint64_t proposal_id = 0;
  std::string name;
  int64_t height = 0;
  std::string info;
  std::string status;  // "PROPOSAL_STATUS_PASSED", ...
  bool operator==(const GovPlan&) const = default;
};

struct GovPage {
  std::vector<GovPlan> plans;  // upgrade plans only; other proposals are skipped
  std::string next_key;        // pagination.next_key; "" = last page
};

// One page of /cosmos/gov/v1/proposals or /cosmos/gov/v1beta1/proposals. Plan heights may be
// strings (proto JSON int64) or numbers. A gRPC-gateway error body ({"code": N, "message": ...})
// becomes kNotFound when N is 12 (UNIMPLEMENTED: the API version is not registered, try the
// other one) or 5 (NOT_FOUND), else kFailedPrecondition carrying the node's message (v1beta1
// listing fails on chains with multi-message v1 proposals). Malformed upgrade messages are
// kInvalidArgument naming proposals[i].
base::Result<GovPage> ParseGovProposalsPage(std::string_view text);

// /cosmos/upgrade/v1beta1/applied_plan/{name}: {"height":"123"}. "0", a missing height or `{}`
// mean "not applied" and return 0.
base::Result<int64_t> ParseAppliedPlanHeight(std::string_view text);

// /cosmos/upgrade/v1beta1/current_plan: {"plan": {"name", "time", "height", "info", ...}} for
// the plan scheduled but not yet reached, or {"plan": null} (nullopt). proposal_id and status
// are left empty: the endpoint does not say which proposal scheduled it.
base::Result<std::optional<GovPlan>> ParseCurrentPlan(std::string_view text);

// Builds a schedule from passed plans and their applied heights (plan name -> height, as
// queried; a name missing from the map was not queried):
//  - segments[0] is a genesis placeholder (first_height unknown, name "genesis" marked
//    "assumed", no binaries), so a merge with a registry import fills it; every segment's
//    halt_semantics is unknown (a plan does not tell the SDK version);
//  - a plan with applied height 0 was cancelled, replaced or is still pending: left out, noted;
//  - a plan whose applied height differs from its plan height takes the applied height, noted;
//  - a plan not in the map keeps its plan height, noted as unconfirmed;
//  - several plans with the same name: the one matching the applied height wins, noted;
//  - inline info fills binaries; URL info is listed in info_documents (and noted) for the
//    caller to fetch and pass to AttachInfoDocument; free-text info is noted.
ImportResult ScheduleFromGovPlans(const std::vector<GovPlan>& plans,
                                  const std::map<std::string, int64_t>& applied_heights,
                                  std::string_view chain_id, std::string_view daemon_name);

// Parses a fetched plan-info document (ParsePlanInfoDocument) and sets the binaries of the
// segment named doc.segment_name. kNotFound when no segment has that name; kAlreadyExists when
// the segment already has binaries that differ.
base::Status AttachInfoDocument(Schedule& schedule, const InfoDocument& doc, std::string_view text);

}  // namespace plans
