#include "demochain/cli/actions.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "demochain/core/app.h"
#include "demochain/node/http_client.h"
#include "demochain/node/log.h"
#include "demochain/node/node.h"
#include "demochain/node/rest_views.h"

namespace demochain {

using nlohmann::json;
namespace fs = std::filesystem;

std::string ResolveHome(const std::string& flag) {
  if (!flag.empty()) return flag;
  for (const char* var : {"DEMOCHAIND_HOME", "DAEMON_HOME"})
    if (const char* v = std::getenv(var); v && *v) return v;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.demochain";
}

int PrintVersion(const BuildInfo& build, const VersionTraits& traits, bool long_form,
                 const std::string& output) {
  json versions = json::array();
  for (const auto& [m, v] : traits.module_versions)
    versions.push_back({{"name", m}, {"version", std::to_string(v)}});
  json handlers = traits.upgrade_handlers;
  json j = {{"name", "demochain"},         {"server_name", "demochaind"},
            {"version", build.version},    {"commit", build.commit},
            {"build_tags", "demochain"},   {"build_date", build.build_date},
            {"compiler", build.compiler},  {"cosmos_sdk_version", "v0.47-compatible"},
            {"module_versions", versions}, {"upgrade_handlers", handlers}};
  if (output == "json") {
    std::cout << (long_form ? j.dump() : json{{"version", build.version}}.dump()) << "\n";
  } else if (!long_form) {
    std::cout << build.version << "\n";
  } else {
    std::cout << "name: demochain\nserver_name: demochaind\nversion: " << build.version
              << "\ncommit: " << build.commit
              << "\nbuild_tags: demochain\nbuild_date: " << build.build_date
              << "\ncompiler: " << build.compiler
              << "\ncosmos_sdk_version: v0.47-compatible\nmodule_versions:";
    for (const auto& [m, v] : traits.module_versions) std::cout << " " << m << "=" << v;
    std::cout << "\nupgrade_handlers:";
    for (const auto& h : traits.upgrade_handlers) std::cout << " " << h;
    std::cout << "\n";
  }
  return 0;
}

int Init(const VersionTraits&, const InitOptions& o) {
  const std::string genesis_path = o.home + "/config/genesis.json";
  if (fs::exists(genesis_path) && !o.overwrite) {
    std::cerr << "Error: genesis.json file already exists: " << genesis_path << "\n";
    return 1;
  }
  if (o.accounts < 2 || o.validators < 1 || o.validators > o.accounts) {
    std::cerr << "Error: need at least 2 accounts and 1..accounts validators\n";
    return 1;
  }
  std::error_code ec;
  fs::create_directories(o.home + "/config", ec);
  fs::create_directories(o.home + "/data", ec);
  if (ec) {
    std::cerr << "Error: cannot create " << o.home << ": " << ec.message() << "\n";
    return 1;
  }
  Genesis g =
      DefaultGenesis(o.chain_id, o.accounts, o.validators, o.fee_fix_height, o.voting_period);
  if (!WriteFileAtomic(genesis_path, GenesisToJson(g)) ||
      !WriteFileAtomic(o.home + "/config/node.json", json{{"moniker", o.moniker}}.dump() + "\n")) {
    std::cerr << "Error: cannot write " << genesis_path << "\n";
    return 1;
  }
  std::cout << json{{"moniker", o.moniker}, {"chain_id", o.chain_id}, {"home", o.home}}.dump()
            << "\n";
  return 0;
}

int Status(const std::string& node_url, const std::string& home) {
  if (!node_url.empty()) {
    HttpClient client(10000);
    HttpResult r = client.Get(node_url + "/status");
    if (!r.ok || r.status != 200) {
      std::cerr << "Error: " << (r.ok ? "HTTP " + std::to_string(r.status) : r.error) << "\n";
      return 1;
    }
    try {
      std::cout << json::parse(r.body).at("result").dump() << "\n";
    } catch (const std::exception& e) {
      std::cerr << "Error: bad /status reply: " << e.what() << "\n";
      return 1;
    }
    return 0;
  }
  // Offline: read the databases directly (fails while a node holds their lock).
  BlockStore blocks;
  AppStore app_store;
  if (std::string err = blocks.Open(home + "/data/blockstore.db"); !err.empty()) {
    std::cerr << "Error: " << err << " (is a node running? use --node)\n";
    return 1;
  }
  if (std::string err = app_store.Open(home + "/data/application.db"); !err.empty()) {
    std::cerr << "Error: " << err << " (is a node running? use --node)\n";
    return 1;
  }
  KvState state;
  std::string app_hash;
  uint64_t h = app_store.Load(state, &app_hash);
  std::string block_hash;
  if (auto b = blocks.Get(h); b && h > 0) block_hash = HexUpper(BlockHash(*b));
  json out = {{"node_info", {{"moniker", "demochain"}}},
              {"sync_info",
               {{"latest_block_hash", block_hash},
                {"latest_app_hash", HexUpper(app_hash)},
                {"latest_block_height", std::to_string(h)},
                {"block_store_height", std::to_string(blocks.Height())},
                {"catching_up", false}}}};
  std::cout << out.dump() << "\n";
  return 0;
}

int PreUpgrade(const VersionTraits& traits, const std::string& home) {
  if (!traits.pre_upgrade_implemented) {
    std::cerr << "pre-upgrade: not implemented in " << traits.version << "\n";
    return 1;
  }
  // Test hook: a supervisor's handling of exit codes 30/31 can be exercised by writing the
  // wanted code into this file.
  std::string forced;
  if (ReadFile(home + "/config/pre-upgrade-exit-code", &forced)) {
    int code = std::atoi(forced.c_str());
    std::cerr << "pre-upgrade: exiting with " << code << " as configured\n";
    return code;
  }
  std::error_code ec;
  fs::create_directories(home + "/data", ec);
  std::ofstream logf(home + "/data/pre-upgrade.log", std::ios::app);
  if (!logf) {
    std::cerr << "pre-upgrade: cannot write " << home << "/data/pre-upgrade.log\n";
    return 31;
  }
  logf << traits.version << " pre-upgrade ok\n";
  std::cerr << "pre-upgrade: " << traits.version << " ok\n";
  return 0;
}

int Export(const VersionTraits& traits, const std::string& home) {
  LogFn quiet = [](const std::string&, const std::string&) {};
  Node node(home, traits, quiet);
  if (std::string err = node.Open(); !err.empty()) {
    std::cerr << "Error: " << err << "\n";
    return 1;
  }
  std::cout << node.WithApp([](const App& app, uint64_t h) { return app.Export(h); }).dump(2)
            << "\n";
  return 0;
}

int KeysList(const std::string& home) {
  std::string text;
  Genesis g;
  if (!ReadFile(home + "/config/genesis.json", &text)) {
    std::cerr << "Error: cannot read " << home << "/config/genesis.json\n";
    return 1;
  }
  if (std::string err = GenesisFromJson(text, &g); !err.empty()) {
    std::cerr << "Error: " << err << "\n";
    return 1;
  }
  json list = json::array();
  for (const auto& a : g.accounts)
    list.push_back(
        {{"address", a.address}, {"stake", std::to_string(a.stake)}, {"validator", a.stake > 0}});
  std::cout << list.dump() << "\n";
  return 0;
}

int BroadcastTx(const std::string& node_url, const Tx& tx) {
  HttpClient client(10000);
  HttpResult r = client.Get(node_url + "/broadcast_tx_sync?tx=0x" + HexLower(EncodeTx(tx)));
  if (!r.ok || r.status != 200) {
    std::cerr << "Error: " << (r.ok ? "HTTP " + std::to_string(r.status) + " " + r.body : r.error)
              << "\n";
    return 1;
  }
  try {
    json result = json::parse(r.body).at("result");
    std::cout << json{{"height", "0"},
                      {"txhash", result.at("hash")},
                      {"code", result.at("code")},
                      {"raw_log", result.at("log")}}
                     .dump()
              << "\n";
    return result.at("code").get<int>() == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "Error: bad reply: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace demochain
