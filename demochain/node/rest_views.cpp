#include "demochain/node/rest_views.h"

#include <nlohmann/json.hpp>

namespace demochain {

using nlohmann::json;

namespace {

std::string UrlDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size()) {
      std::string byte;
      if (HexDecode(s.substr(i + 1, 2), &byte)) {
        out += byte;
        i += 2;
      } else {
        out.push_back('%');
      }
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

HttpReply Json(int status, const json& j) {
  return HttpReply{status, "application/json", j.dump()};
}

// grpc-gateway error body.
HttpReply GrpcError(int http_status, int code, const std::string& message) {
  return Json(http_status, {{"code", code}, {"message", message}, {"details", json::array()}});
}

// CometBFT JSON-RPC envelope.
HttpReply RpcResult(const json& result) {
  return Json(200, {{"jsonrpc", "2.0"}, {"id", -1}, {"result", result}});
}
HttpReply RpcError(int status, const std::string& message, const std::string& data) {
  return Json(status, {{"jsonrpc", "2.0"},
                       {"id", -1},
                       {"error", {{"code", -32603}, {"message", message}, {"data", data}}}});
}

bool ParseU64(const std::string& s, uint64_t* out) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos)
    return false;
  *out = std::stoull(s);
  return true;
}

json PlanJson(const Plan& p) {
  return {{"name", p.name},
          {"time", "0001-01-01T00:00:00Z"},
          {"height", std::to_string(p.height)},
          {"info", p.info},
          {"upgraded_client_state", nullptr}};
}

json ProposalJson(const App& app, const Proposal& p) {
  auto t = [&](uint64_t h) { return FormatTime(app.BlockTime(h)); };
  json msg = {{"@type", "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade"},
              {"authority", GovAuthorityAddress()},
              {"plan", PlanJson(p.plan)}};
  bool done = p.status != ProposalStatus::kVotingPeriod;
  return {{"id", std::to_string(p.id)},
          {"messages", json::array({msg})},
          {"status", ProposalStatusName(p.status)},
          {"final_tally_result",
           {{"yes_count", std::to_string(done ? p.tally.yes : 0)},
            {"abstain_count", std::to_string(done ? p.tally.abstain : 0)},
            {"no_count", std::to_string(done ? p.tally.no : 0)},
            {"no_with_veto_count", std::to_string(done ? p.tally.no_with_veto : 0)}}},
          {"submit_time", t(p.submit_height)},
          {"deposit_end_time", t(p.voting_end_height)},
          {"total_deposit", json::array()},
          {"voting_start_time", t(p.submit_height)},
          {"voting_end_time", t(p.voting_end_height)},
          {"metadata", ""},
          {"title", p.title},
          {"summary", p.summary},
          {"proposer", p.proposer}};
}

// gov v1beta1 shape: one legacy content per proposal.
json ProposalJsonV1beta1(const App& app, const Proposal& p) {
  json v1 = ProposalJson(app, p);
  const json& tally = v1["final_tally_result"];
  return {{"proposal_id", v1["id"]},
          {"content",
           {{"@type", "/cosmos.upgrade.v1beta1.SoftwareUpgradeProposal"},
            {"title", p.title},
            {"description", p.summary},
            {"plan", PlanJson(p.plan)}}},
          {"status", v1["status"]},
          {"final_tally_result",
           {{"yes", tally["yes_count"]},
            {"abstain", tally["abstain_count"]},
            {"no", tally["no_count"]},
            {"no_with_veto", tally["no_with_veto_count"]}}},
          {"submit_time", v1["submit_time"]},
          {"deposit_end_time", v1["deposit_end_time"]},
          {"total_deposit", json::array()},
          {"voting_start_time", v1["voting_start_time"]},
          {"voting_end_time", v1["voting_end_time"]}};
}

json BlockJson(const std::string& encoded) {
  Block b = DecodeBlock(encoded);
  json txs = json::array();
  for (const auto& tx : b.txs) txs.push_back(Base64Encode(tx));
  return {{"block_id", {{"hash", HexUpper(BlockHash(encoded))}}},
          {"block",
           {{"header",
             {{"chain_id", b.header.chain_id},
              {"height", std::to_string(b.header.height)},
              {"time", FormatTime(b.header.time_unix)},
              {"last_block_id",
               {{"hash", b.header.height > 1 ? HexUpper(b.header.last_block_hash) : ""}}},
              {"app_hash", HexUpper(b.header.app_hash)},
              {"proposer_index", std::to_string(b.header.proposer_index)}}},
            {"data", {{"txs", txs}}}}}};
}

HttpReply Status(Node& node) {
  return node.WithApp([&](const App& app, uint64_t h) {
    std::string block_hash = h > 0 ? HexUpper(BlockHash(*node.blocks().Get(h))) : "";
    json result = {{"node_info",
                    {{"network", app.genesis().chain_id},
                     {"version", "0.37.4"},
                     {"moniker", "demochain"},
                     {"other", {{"app_version", node.traits().version}}}}},
                   {"sync_info",
                    {{"latest_block_hash", block_hash},
                     {"latest_app_hash", HexUpper(app.AppHash())},
                     {"latest_block_height", std::to_string(h)},
                     {"latest_block_time", FormatTime(app.BlockTime(h))},
                     {"earliest_block_height", h > 0 ? "1" : "0"},
                     {"catching_up", false},
                     {"upgrade_pending", node.upgrade_pending.load()}}},
                   {"validator_info", {{"address", ""}, {"voting_power", "0"}}}};
    return RpcResult(result);
  });
}

HttpReply Proposals(Node& node, const ParsedTarget& t, bool v1beta1) {
  ProposalStatus want{};
  bool filter = false;
  if (auto it = t.query.find("proposal_status"); it != t.query.end() && !it->second.empty() &&
                                                 it->second != "0" &&
                                                 it->second != "PROPOSAL_STATUS_UNSPECIFIED") {
    if (!ParseProposalStatus(it->second, &want))
      return GrpcError(400, 3, "invalid proposal_status " + it->second);
    filter = true;
  }
  uint64_t limit = 100, start_id = 0;
  if (auto it = t.query.find("pagination.limit"); it != t.query.end() && !it->second.empty())
    if (!ParseU64(it->second, &limit) || limit == 0) limit = 100;
  if (auto it = t.query.find("pagination.key"); it != t.query.end() && !it->second.empty()) {
    std::string raw;
    if (!Base64Decode(it->second, &raw) || raw.size() != 8)
      return GrpcError(400, 3, "invalid pagination.key");
    start_id = DecodeU64BE(raw);
  }
  return node.WithApp([&](const App& app, uint64_t) {
    json list = json::array();
    json next_key = nullptr;
    uint64_t total = 0;
    for (const auto& p : AllProposals(app.state())) {
      if (filter && p.status != want) continue;
      ++total;
      if (p.id < start_id) continue;
      if (list.size() == limit) {
        if (next_key.is_null()) next_key = Base64Encode(EncodeU64BE(p.id));
        continue;
      }
      list.push_back(v1beta1 ? ProposalJsonV1beta1(app, p) : ProposalJson(app, p));
    }
    return Json(200, {{"proposals", list},
                      {"pagination", {{"next_key", next_key}, {"total", std::to_string(total)}}}});
  });
}

HttpReply BlockRange(Node& node, const ParsedTarget& t) {
  uint64_t from = 0, to = 0;
  if (!ParseU64(t.query.count("from") ? t.query.at("from") : "", &from) ||
      !ParseU64(t.query.count("to") ? t.query.at("to") : "", &to) || from == 0 || to < from)
    return RpcError(400, "Invalid params", "need from >= 1 and to >= from");
  to = std::min({to, from + kMaxBlocksPerRange - 1, node.Height()});
  std::vector<std::string> blocks;
  for (uint64_t h = from; h <= to; ++h) {
    auto b = node.blocks().Get(h);
    if (!b) break;
    blocks.push_back(std::move(*b));
  }
  return HttpReply{200, "application/octet-stream", EncodeBlockRange(blocks)};
}

HttpReply Broadcast(Node& node, const ParsedTarget& t) {
  auto it = t.query.find("tx");
  std::string hex = it == t.query.end() ? "" : it->second;
  if (hex.size() >= 2 && hex[0] == '"') hex = hex.substr(1, hex.size() - 2);
  if (hex.rfind("0x", 0) == 0) hex = hex.substr(2);
  std::string tx;
  if (hex.empty() || !HexDecode(hex, &tx))
    return RpcError(400, "Invalid params", "tx must be 0x<hex>");
  try {
    DecodeTx(tx);
  } catch (const DecodeError& e) {
    return RpcResult(
        {{"code", 2}, {"log", std::string("tx parse error: ") + e.what()}, {"hash", ""}});
  }
  node.AddToMempool(tx);
  return RpcResult({{"code", 0}, {"log", ""}, {"codespace", ""}, {"hash", HexUpper(Sha256(tx))}});
}

}  // namespace

ParsedTarget ParseTarget(const std::string& target) {
  ParsedTarget t;
  size_t q = target.find('?');
  t.path = target.substr(0, q);
  if (q == std::string::npos) return t;
  std::string rest = target.substr(q + 1);
  size_t pos = 0;
  while (pos <= rest.size()) {
    size_t amp = rest.find('&', pos);
    std::string part = rest.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      if (eq == std::string::npos)
        t.query[UrlDecode(part)] = "";
      else
        t.query[UrlDecode(part.substr(0, eq))] = UrlDecode(part.substr(eq + 1));
    }
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return t;
}

std::string EncodeBlockRange(const std::vector<std::string>& blocks) {
  ByteWriter w;
  for (const auto& b : blocks) w.Bytes(b);
  return w.Take();
}

bool DecodeBlockRange(const std::string& body, std::vector<std::string>* blocks) {
  try {
    ByteReader r(body);
    while (!r.AtEnd()) blocks->push_back(r.Bytes());
    return true;
  } catch (const DecodeError&) {
    return false;
  }
}

HttpReply Route(Node& node, const std::string& method, const std::string& target) {
  if (method != "GET" && method != "POST") return GrpcError(405, 12, "method not allowed");
  ParsedTarget t = ParseTarget(target);
  const std::string& p = t.path;
  try {
    if (p == "/status") return Status(node);
    if (p == "/health") return RpcResult(json::object());
    if (p == "/abci_info") {
      return node.WithApp([&](const App& app, uint64_t h) {
        return RpcResult({{"response",
                           {{"data", "demochain"},
                            {"version", node.traits().version},
                            {"app_version", std::to_string(node.traits().ModuleVersion("bank"))},
                            {"last_block_height", std::to_string(h)},
                            {"last_block_app_hash", Base64Encode(HashToString(app.AppHash()))}}}});
      });
    }
    if (p == "/block") {
      uint64_t h = node.Height();
      if (auto it = t.query.find("height");
          it != t.query.end() && !it->second.empty() && !ParseU64(it->second, &h))
        return RpcError(400, "Invalid params", "bad height");
      auto b = node.blocks().Get(h);
      if (!b || h > node.Height())
        return RpcError(500, "Internal error",
                        "height " + std::to_string(h) +
                            " must be less than or equal to the "
                            "current blockchain height " +
                            std::to_string(node.Height()));
      return RpcResult(BlockJson(*b));
    }
    if (p == "/blocks") return BlockRange(node, t);
    if (p == "/broadcast_tx_sync" || p == "/broadcast_tx_async") return Broadcast(node, t);
    if (p == "/cosmos/upgrade/v1beta1/current_plan") {
      return node.WithApp([&](const App& app, uint64_t) {
        auto plan = GetPlan(app.state());
        return Json(200, {{"plan", plan ? PlanJson(*plan) : json(nullptr)}});
      });
    }
    const std::string applied = "/cosmos/upgrade/v1beta1/applied_plan/";
    if (p.rfind(applied, 0) == 0) {
      std::string name = p.substr(applied.size());
      return node.WithApp([&](const App& app, uint64_t) {
        return Json(200, {{"height", std::to_string(AppliedHeight(app.state(), name))}});
      });
    }
    if (p == "/cosmos/upgrade/v1beta1/module_versions") {
      return node.WithApp([&](const App& app, uint64_t) {
        json list = json::array();
        std::string only = t.query.count("module_name") ? t.query.at("module_name") : "";
        for (const auto& [m, v] : StoredModuleVersions(app.state()))
          if (only.empty() || only == m)
            list.push_back({{"name", m}, {"version", std::to_string(v)}});
        return Json(200, {{"module_versions", list}});
      });
    }
    if (p == "/cosmos/gov/v1/proposals") return Proposals(node, t, false);
    if (p == "/cosmos/gov/v1beta1/proposals") return Proposals(node, t, true);
    const std::string one = "/cosmos/gov/v1/proposals/";
    if (p.rfind(one, 0) == 0) {
      uint64_t id = 0;
      if (!ParseU64(p.substr(one.size()), &id)) return GrpcError(400, 3, "invalid proposal id");
      return node.WithApp([&](const App& app, uint64_t) {
        auto prop = GetProposal(app.state(), id);
        if (!prop) return GrpcError(404, 5, "proposal " + std::to_string(id) + " doesn't exist");
        return Json(200, {{"proposal", ProposalJson(app, *prop)}});
      });
    }
    const std::string bal = "/cosmos/bank/v1beta1/balances/";
    if (p.rfind(bal, 0) == 0) {
      std::string addr = p.substr(bal.size());
      return node.WithApp([&](const App& app, uint64_t) {
        uint64_t amount = GetBalance(app.state(), app.BankVersion(), addr);
        json coins = json::array();
        if (amount > 0) coins.push_back({{"denom", kDenom}, {"amount", std::to_string(amount)}});
        return Json(200, {{"balances", coins},
                          {"pagination",
                           {{"next_key", nullptr}, {"total", std::to_string(coins.size())}}}});
      });
    }
  } catch (const std::exception& e) {
    return GrpcError(500, 13, e.what());
  }
  return GrpcError(501, 12, "Not Implemented");
}

}  // namespace demochain
