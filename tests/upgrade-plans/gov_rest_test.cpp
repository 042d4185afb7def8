// Response bodies follow the Cosmos SDK's gRPC-gateway JSON: gov v1 (SDK 0.46+, with
// MsgSoftwareUpgrade and MsgExecLegacyContent-wrapped legacy proposals), gov v1beta1, and
// x/upgrade's applied_plan. Heights and ids are strings, as proto3 JSON writes int64.
#include "upgrade-plans/gov_rest.h"

#include <gtest/gtest.h>

#include <string>

namespace plans {
namespace {

const std::string kSha(64, 'e');

// Page 1 of /cosmos/gov/v1/proposals?proposal_status=PROPOSAL_STATUS_PASSED.
const std::string kV1Page1 = R"({
  "proposals": [
    {
      "id": "798",
      "messages": [
        {
          "@type": "/cosmos.gov.v1.MsgExecLegacyContent",
          "content": {
            "@type": "/cosmos.upgrade.v1beta1.SoftwareUpgradeProposal",
            "title": "Gaia v10 Software Upgrade",
            "description": "Upgrade to v10",
            "plan": {
              "name": "v10",
              "time": "0001-01-01T00:00:00Z",
              "height": "15816200",
              "info": "{\"binaries\":{\"linux/amd64\":\"https://github.com/cosmos/gaia/releases/download/v10.0.2/gaiad-v10.0.2-linux-amd64?checksum=sha256:)" +
                             kSha + R"(\"}}",
              "upgraded_client_state": null
            }
          },
          "authority": "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn"
        }
      ],
      "status": "PROPOSAL_STATUS_PASSED",
      "final_tally_result": {"yes_count": "1", "abstain_count": "0", "no_count": "0", "no_with_veto_count": "0"},
      "submit_time": "2023-05-12T10:00:00Z",
      "deposit_end_time": "2023-05-26T10:00:00Z",
      "total_deposit": [{"denom": "uatom", "amount": "250000000"}],
      "voting_start_time": "2023-05-12T10:00:00Z",
      "voting_end_time": "2023-05-26T10:00:00Z",
      "metadata": "",
      "title": "Gaia v10 Software Upgrade",
      "summary": "Upgrade to v10",
      "proposer": ""
    },
    {
      "id": "800",
      "messages": [
        {"@type": "/cosmos.gov.v1.MsgExecLegacyContent",
         "content": {"@type": "/cosmos.params.v1beta1.ParameterChangeProposal", "title": "p",
                     "description": "d", "changes": []},
         "authority": "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn"}
      ],
      "status": "PROPOSAL_STATUS_PASSED"
    }
  ],
  "pagination": {"next_key": "AAAAAAAAAyA=", "total": "0"}
})";

// Page 2: a new-style MsgSoftwareUpgrade whose info is a URL, and one with free-text info.
const std::string kV1Page2 = R"({
  "proposals": [
    {
      "id": "885",
      "messages": [
        {
          "@type": "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade",
          "authority": "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn",
          "plan": {
            "name": "v15",
            "time": "0001-01-01T00:00:00Z",
            "height": "19639600",
            "info": "https://raw.githubusercontent.com/cosmos/mainnet/main/v15-info.json?checksum=sha256:)" +
                             kSha + R"(",
            "upgraded_client_state": null
          }
        }
      ],
      "status": "PROPOSAL_STATUS_PASSED",
      "title": "v15", "summary": "", "expedited": false, "failed_reason": ""
    },
    {
      "id": "914",
      "messages": [
        {"@type": "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade",
         "authority": "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn",
         "plan": {"name": "v16", "time": "0001-01-01T00:00:00Z", "height": "20440500",
                  "info": "Upgrade to Gaia v16.0.0, see the release notes",
                  "upgraded_client_state": null}}
      ],
      "status": "PROPOSAL_STATUS_PASSED"
    }
  ],
  "pagination": {"next_key": null, "total": "0"}
})";

// /cosmos/gov/v1beta1/proposals?proposal_status=3 (an older chain).
const std::string kV1beta1Page = R"({
  "proposals": [
    {
      "proposal_id": "51",
      "content": {
        "@type": "/cosmos.upgrade.v1beta1.SoftwareUpgradeProposal",
        "title": "Gravity DEX Upgrade",
        "description": "...",
        "plan": {"name": "Gravity-DEX", "time": "0001-01-01T00:00:00Z", "height": "6910000",
                 "info": "", "upgraded_client_state": null}
      },
      "status": "PROPOSAL_STATUS_PASSED",
      "final_tally_result": {"yes": "1", "abstain": "0", "no": "0", "no_with_veto": "0"},
      "submit_time": "2021-06-01T00:00:00Z",
      "deposit_end_time": "2021-06-15T00:00:00Z",
      "total_deposit": [],
      "voting_start_time": "2021-06-01T00:00:00Z",
      "voting_end_time": "2021-06-15T00:00:00Z"
    },
    {
      "proposal_id": "52",
      "content": {"@type": "/cosmos.gov.v1beta1.TextProposal", "title": "t", "description": "d"},
      "status": "PROPOSAL_STATUS_PASSED"
    }
  ],
  "pagination": {"next_key": "", "total": "2"}
})";

TEST(ParseGovProposalsPage, V1LegacyContentAndPagination) {
  auto page = ParseGovProposalsPage(kV1Page1);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->plans.size(), 1u);  // the parameter change is skipped
  const GovPlan& p = page->plans[0];
  EXPECT_EQ(p.proposal_id, 798u);
  EXPECT_EQ(p.name, "v10");
  EXPECT_EQ(p.height, 15816200);
  EXPECT_EQ(p.status, "PROPOSAL_STATUS_PASSED");
  EXPECT_NE(p.info.find("\"binaries\""), std::string::npos);
  EXPECT_EQ(page->next_key, "AAAAAAAAAyA=");
}

TEST(ParseGovProposalsPage, V1MsgSoftwareUpgradeLastPage) {
  auto page = ParseGovProposalsPage(kV1Page2);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->plans.size(), 2u);
  EXPECT_EQ(page->plans[0].name, "v15");
  EXPECT_EQ(page->plans[0].proposal_id, 885u);
  EXPECT_EQ(page->plans[1].height, 20440500);
  EXPECT_EQ(page->next_key, "");
}

TEST(ParseGovProposalsPage, V1beta1Content) {
  auto page = ParseGovProposalsPage(kV1beta1Page);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->plans.size(), 1u);
  EXPECT_EQ(page->plans[0].proposal_id, 51u);
  EXPECT_EQ(page->plans[0].name, "Gravity-DEX");
  EXPECT_EQ(page->plans[0].height, 6910000);
  EXPECT_EQ(page->plans[0].info, "");
  EXPECT_EQ(page->next_key, "");
}

TEST(ParseGovProposalsPage, V1beta1SingleNonLegacyMessageAsContent) {
  auto page = ParseGovProposalsPage(R"({"proposals":[{"proposal_id":"7","content":{
      "@type":"/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade","authority":"cosmos1x",
      "plan":{"name":"v2","height":"500","info":""}},"status":"PROPOSAL_STATUS_PASSED"}],
      "pagination":{"next_key":null}})");
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->plans.size(), 1u);
  EXPECT_EQ(page->plans[0].height, 500);
}

TEST(ParseGovProposalsPage, EmptyAndNumericForms) {
  auto empty =
      ParseGovProposalsPage(R"({"proposals":[],"pagination":{"next_key":null,"total":"0"}})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->plans.empty());
  auto numeric = ParseGovProposalsPage(R"({"proposals":[{"id":3,"messages":[{"@type":
      "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade","plan":{"name":"v2","height":42}}]}]})");
  ASSERT_TRUE(numeric.ok()) << numeric.status().message();
  EXPECT_EQ(numeric->plans[0].height, 42);
}

TEST(ParseGovProposalsPage, GatewayErrorsTellWhetherToFallBack) {
  auto unimplemented =
      ParseGovProposalsPage(R"({"code":12,"message":"Not Implemented","details":[]})");
  ASSERT_FALSE(unimplemented.ok());
  EXPECT_TRUE(unimplemented.status().Is(base::Status::Code::kNotFound));
  auto convert = ParseGovProposalsPage(
      R"({"code":2,"message":"can't convert a gov/v1 Proposal to gov/v1beta1 Proposal when amount of proposal messages not exactly one","details":[]})");
  ASSERT_FALSE(convert.ok());
  EXPECT_TRUE(convert.status().Is(base::Status::Code::kFailedPrecondition));
  EXPECT_NE(convert.status().message().find("can't convert"), std::string::npos);
}

TEST(ParseGovProposalsPage, MalformedUpgradeNamesTheProposal) {
  auto bad = ParseGovProposalsPage(R"({"proposals":[{"id":"1"},{"id":"2","messages":[{"@type":
      "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade","plan":{"name":"v2","height":"soon"}}]}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("proposals[1].messages[0].plan.height"), std::string::npos)
      << bad.status().message();
  EXPECT_FALSE(ParseGovProposalsPage(R"({"proposals":[{"messages":[]}]})").ok());
  EXPECT_FALSE(ParseGovProposalsPage("<html>").ok());
  EXPECT_FALSE(ParseGovProposalsPage(R"({"proposals":{}})").ok());
}

TEST(ParseAppliedPlanHeight, Shapes) {
  EXPECT_EQ(*ParseAppliedPlanHeight(R"({"height":"10085397"})"), 10085397);
  EXPECT_EQ(*ParseAppliedPlanHeight(R"({"height":"0"})"), 0);
  EXPECT_EQ(*ParseAppliedPlanHeight(R"({})"), 0);
  EXPECT_EQ(*ParseAppliedPlanHeight(R"({"height":77})"), 77);
  EXPECT_FALSE(ParseAppliedPlanHeight(R"({"height":"-1"})").ok());
  EXPECT_FALSE(ParseAppliedPlanHeight(R"([])").ok());
  EXPECT_FALSE(ParseAppliedPlanHeight("").ok());
  auto err = ParseAppliedPlanHeight(R"({"code":12,"message":"Not Implemented"})");
  ASSERT_FALSE(err.ok());
  EXPECT_TRUE(err.status().Is(base::Status::Code::kNotFound));
}

std::vector<GovPlan> AllPages() {
  std::vector<GovPlan> all;
  for (const std::string* page : {&kV1beta1Page, &kV1Page1, &kV1Page2}) {
    auto p = ParseGovProposalsPage(*page);
    EXPECT_TRUE(p.ok()) << p.status().message();
    all.insert(all.end(), p->plans.begin(), p->plans.end());
  }
  return all;
}

bool HasNote(const ImportResult& r, const std::string& where, const std::string& fragment) {
  for (const ImportNote& n : r.notes) {
    if (n.where == where && n.message.find(fragment) != std::string::npos) return true;
  }
  return false;
}

TEST(ScheduleFromGovPlans, ConfirmedPlansBecomeGovSegments) {
  std::map<std::string, int64_t> applied = {
      {"Gravity-DEX", 6910000}, {"v10", 15816200}, {"v15", 19639600}, {"v16", 20440500}};
  ImportResult r = ScheduleFromGovPlans(AllPages(), applied, "cosmoshub-4", "gaiad");
  const Schedule& s = r.schedule;
  EXPECT_EQ(s.chain_id, "cosmoshub-4");
  ASSERT_EQ(s.segments.size(), 5u);
  EXPECT_EQ(s.segments[0].kind, SwitchKind::kGenesis);
  EXPECT_EQ(s.segments[0].first_height, kUnknownHeight);  // REST does not say: not 1
  EXPECT_TRUE(s.segments[0].sources.at("first_height").starts_with("unknown"));
  EXPECT_EQ(s.segments[1].name, "Gravity-DEX");
  EXPECT_EQ(s.segments[1].kind, SwitchKind::kGovernancePlan);
  EXPECT_EQ(s.segments[1].sources.at("first_height"), "rest applied_plan");
  EXPECT_TRUE(HasNote(r, "plan \"Gravity-DEX\"", "its info is empty"));
  EXPECT_EQ(s.segments[2].name, "v10");
  ASSERT_EQ(s.segments[2].binaries.size(), 1u);
  EXPECT_EQ(s.segments[2].binaries.at("linux/amd64").checksum->hex, kSha);
  EXPECT_EQ(s.segments[2].sources.at("binaries"), "gov proposal 798 plan info");
  // URL info: listed for the caller to fetch.
  ASSERT_EQ(r.info_documents.size(), 1u);
  EXPECT_EQ(r.info_documents[0].segment_name, "v15");
  EXPECT_EQ(r.info_documents[0].url,
            "https://raw.githubusercontent.com/cosmos/mainnet/main/v15-info.json");
  EXPECT_EQ(r.info_documents[0].checksum->hex, kSha);
  EXPECT_TRUE(HasNote(r, "plan \"v16\"", "free text"));
  EXPECT_EQ(*ParseSchedule(FormatSchedule(s)), s);
}

TEST(ScheduleFromGovPlans, AppliedHeightWinsWithANoteAndUnappliedPlansAreLeftOut) {
  std::map<std::string, int64_t> applied = {{"Gravity-DEX", 6910001}, {"v10", 0}};
  ImportResult r = ScheduleFromGovPlans(AllPages(), applied, "cosmoshub-4", "gaiad");
  const Schedule& s = r.schedule;
  ASSERT_EQ(s.segments.size(), 4u);  // genesis, Gravity-DEX, v15, v16 (v10 never applied)
  EXPECT_EQ(s.segments[1].first_height, 6910001);
  EXPECT_TRUE(HasNote(r, "plan \"Gravity-DEX\"",
                      "plan height 6910000 (proposal 51) differs from the applied height 6910001"));
  EXPECT_TRUE(HasNote(r, "plan \"v10\"", "never applied"));
  EXPECT_TRUE(HasNote(r, "plan \"v15\"", "not queried"));
  EXPECT_EQ(s.segments[2].sources.at("first_height"),
            "gov plan height (proposal 885), not confirmed");
}

TEST(ScheduleFromGovPlans, ReScheduledPlanUsesTheApplied) {
  std::vector<GovPlan> plans = {
      {10, "v3", 1000, "", "PROPOSAL_STATUS_PASSED"},
      {12, "v3", 1200, "", "PROPOSAL_STATUS_PASSED"},
      {13, "v4", 1500, "", "PROPOSAL_STATUS_REJECTED"},
  };
  ImportResult r = ScheduleFromGovPlans(plans, {{"v3", 1000}}, "c", "d");
  ASSERT_EQ(r.schedule.segments.size(), 2u);
  EXPECT_EQ(r.schedule.segments[1].first_height, 1000);
  EXPECT_EQ(r.schedule.segments[1].sources.at("name"), "gov proposal 10");
  EXPECT_TRUE(HasNote(r, "plan \"v3\"", "passed in 2 proposals; using proposal 10"));
  EXPECT_TRUE(HasNote(r, "proposal 13 \"v4\"", "not passed"));
}

TEST(AttachInfoDocument, FillsTheSegmentsBinaries) {
  std::vector<GovPlan> plans = {{885, "v15", 19639600, "https://e.org/v15.json", ""}};
  ImportResult r = ScheduleFromGovPlans(plans, {{"v15", 19639600}}, "c", "d");
  ASSERT_EQ(r.info_documents.size(), 1u);
  std::string doc =
      R"({"binaries":{"linux/amd64":"https://e.org/gaiad-v15?checksum=sha256:)" + kSha + R"("}})";
  ASSERT_TRUE(AttachInfoDocument(r.schedule, r.info_documents[0], doc).ok());
  EXPECT_EQ(r.schedule.segments[1].binaries.at("linux/amd64").url, "https://e.org/gaiad-v15");
  EXPECT_EQ(r.schedule.segments[1].sources.at("binaries"),
            "plan info document https://e.org/v15.json");
  EXPECT_TRUE(AttachInfoDocument(r.schedule, r.info_documents[0], doc).ok());  // same again: fine
  std::string other = R"({"binaries":{"linux/amd64":"https://e.org/other"}})";
  EXPECT_TRUE(AttachInfoDocument(r.schedule, r.info_documents[0], other)
                  .Is(base::Status::Code::kAlreadyExists));
  EXPECT_TRUE(AttachInfoDocument(r.schedule, {"v99", "https://x", std::nullopt}, doc)
                  .Is(base::Status::Code::kNotFound));
  EXPECT_FALSE(AttachInfoDocument(r.schedule, r.info_documents[0], "not json").ok());
}

}  // namespace
}  // namespace plans

namespace plans {
namespace {

TEST(ParseCurrentPlan, PendingOrNone) {
  auto none = ParseCurrentPlan(R"({"plan":null})");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  auto pending = ParseCurrentPlan(R"({"plan":{"name":"v28","time":"0001-01-01T00:00:00Z",
      "height":"29743104","info":"","upgraded_client_state":null}})");
  ASSERT_TRUE(pending.ok()) << pending.status().message();
  ASSERT_TRUE(*pending);
  EXPECT_EQ((*pending)->name, "v28");
  EXPECT_EQ((*pending)->height, 29743104);
  EXPECT_FALSE(ParseCurrentPlan(R"({"plan":{"name":"v28","height":"x"}})").ok());
  EXPECT_TRUE(ParseCurrentPlan(R"({"code":12,"message":"Not Implemented"})")
                  .status()
                  .Is(base::Status::Code::kNotFound));
  EXPECT_FALSE(ParseCurrentPlan("nope").ok());
}

}  // namespace
}  // namespace plans
