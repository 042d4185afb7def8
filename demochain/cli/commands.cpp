#include "demochain/cli/commands.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "demochain/cli/actions.h"
#include "demochain/node/runner.h"

namespace demochain {

int RunCli(const BuildInfo& build, int argc, char** argv) {
  VersionTraits traits;
  if (!TraitsForVersion(build.version, &traits)) {
    std::cerr << "demochaind: unknown build version " << build.version << "\n";
    return 1;
  }
  CLI::App app{"demochaind " + build.version + ": a small chain that upgrades like Cosmos SDK"};
  app.require_subcommand(1);
  app.fallthrough();  // --home may follow the subcommand, as in SDK daemons
  std::string home_flag;
  app.add_option("--home", home_flag,
                 "node home (default $DEMOCHAIND_HOME, $DAEMON_HOME, ~/.demochain)");

  // version
  bool long_form = false;
  std::string output = "text";
  auto* version = app.add_subcommand("version", "print the version");
  version->add_flag("--long", long_form, "add commit and build facts");
  version->add_option("--output,-o", output, "text|json")->check(CLI::IsMember({"text", "json"}));

  // init
  InitOptions init_o;
  auto* init = app.add_subcommand("init", "write config/genesis.json");
  init->add_option("moniker", init_o.moniker, "node name");
  init->add_option("--chain-id", init_o.chain_id);
  init->add_option("--accounts", init_o.accounts, "genesis accounts (default 100)");
  init->add_option("--validators", init_o.validators, "how many of them stake (default 4)");
  init->add_option("--voting-period", init_o.voting_period, "gov voting period in blocks");
  init->add_option("--fee-fix-height", init_o.fee_fix_height,
                   "height from which v2.1.0+ round fees up (bank param; 0 = never)");
  init->add_flag("--overwrite", init_o.overwrite);

  // start
  StartOptions start_o;
  auto* start = app.add_subcommand("start", "run the node");
  start->add_option("--rpc-listen", start_o.rpc_listen, "host:port for RPC + REST (port 0 = free)");
  start->add_option("--rpc-port-file", start_o.rpc_port_file, "write the bound RPC port here");
  start->add_option("--peer", start_o.peer, "sync blocks from this node (http://host:port)");
  start->add_flag("--produce", start_o.produce, "produce blocks");
  start->add_option("--seed", start_o.seed, "producer seed for the pseudo-random transfers");
  start->add_option("--txs-per-block", start_o.transfers_per_block, "transfers per block (20)");
  start->add_option("--block-interval", start_o.block_interval_ms, "ms between blocks (0 = fast)");
  start->add_option("--halt-height", start_o.halt_height,
                    "sdk47: exit 0 after committing this height; sdk50: never execute it, stay up");
  std::string halt_behavior = "sdk47";
  start->add_option("--halt-behavior", halt_behavior,
                    "what --halt-height does: sdk47 (default; SDK <= 0.47: commit it, log "
                    "`halting node per configuration`, exit 0) or sdk50 (SDK 0.50+: refuse the "
                    "block at the halt height, last committed = H-1, log `CONSENSUS FAILURE!!! "
                    "err=\"halt per configuration height H time 0\"`, keep running and serving "
                    "RPC until SIGINT/SIGTERM, then exit 0) or sdk50early (SDK 0.50.0-0.50.9: "
                    "commit the halt height, refuse the next block the same way)")
      ->check(CLI::IsMember({"sdk47", "sdk50", "sdk50early"}));
  start->add_flag("--exit-on-upgrade-needed", start_o.exit_on_upgrade_needed,
                  "exit (code 2) instead of idling when an upgrade is needed");
  start->add_option("--await-txs", start_o.await_txs,
                    "producer: wait for N mempool txs before the first block");
  start->add_option("--await-txs-timeout", start_o.await_txs_timeout_ms, "ms (default 60000)");
  start->add_option("--fetch-batch", start_o.fetch_batch, "blocks per range request (500)");
  bool skip_invariants = false;
  if (!traits.HasModule("mint")) {
    // Like x/crisis: wired up to v2.x, removed in v3 (the release that added mint), where the
    // flag is unknown (a real per-version start-flag difference a supervisor has to handle).
    start->add_flag("--x-crisis-skip-assert-invariants", skip_invariants,
                    "skip invariant checks (no-op)");
  }

  // status
  std::string node_url;
  auto* status = app.add_subcommand("status", "print the node status as JSON");
  status->add_option("--node", node_url, "query this node (http://host:port); else read --home");

  auto* pre_upgrade = app.add_subcommand("pre-upgrade", "run before an upgrade (Cosmovisor)");
  auto* export_cmd = app.add_subcommand("export", "print the state at the current height as JSON");
  auto* keys = app.add_subcommand("keys", "genesis accounts");
  keys->require_subcommand(1);
  auto* keys_list = keys->add_subcommand("list", "print the genesis accounts");

  // tx
  auto* tx = app.add_subcommand("tx", "submit a transaction to a running node");
  tx->require_subcommand(1);
  std::string tx_node = "http://127.0.0.1:26657";
  std::string from;
  auto* gov = tx->add_subcommand("gov", "governance");
  gov->require_subcommand(1);
  auto* submit = gov->add_subcommand("submit-proposal", "submit a proposal");
  submit->require_subcommand(1);
  SubmitUpgradeProposalTx prop;
  auto* sw = submit->add_subcommand("software-upgrade", "MsgSoftwareUpgrade proposal");
  sw->add_option("name", prop.name, "plan name")->required();
  sw->add_option("--upgrade-height", prop.height)->required();
  sw->add_option("--upgrade-info", prop.info, "plan info (JSON with binaries)");
  sw->add_option("--title", prop.title);
  sw->add_option("--summary,--description", prop.summary);
  VoteTx vote;
  std::string vote_option;
  auto* vote_cmd = gov->add_subcommand("vote", "vote on a proposal");
  vote_cmd->add_option("proposal-id", vote.proposal_id)->required();
  vote_cmd->add_option("option", vote_option, "yes|no|abstain|no_with_veto")->required();
  TransferTx send;
  auto* bank = tx->add_subcommand("bank", "bank");
  bank->require_subcommand(1);
  auto* send_cmd = bank->add_subcommand("send", "transfer");
  send_cmd->add_option("from", send.from)->required();
  send_cmd->add_option("to", send.to)->required();
  send_cmd->add_option("amount", send.amount)->required();
  for (auto* c : {sw, vote_cmd, send_cmd}) c->add_option("--node", tx_node, "node RPC URL");
  for (auto* c : {sw, vote_cmd}) c->add_option("--from", from, "signer address")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  const std::string home = ResolveHome(home_flag);
  if (*version) return PrintVersion(build, traits, long_form, output);
  if (*init) {
    init_o.home = home;
    return Init(traits, init_o);
  }
  if (*start) {
    start_o.home = home;
    start_o.halt_behavior = halt_behavior == "sdk50"        ? HaltBehavior::kSdk50
                            : halt_behavior == "sdk50early" ? HaltBehavior::kSdk50Early
                                                            : HaltBehavior::kSdk47;
    return RunStart(traits, start_o);
  }
  if (*status) return Status(node_url, home);
  if (*pre_upgrade) return PreUpgrade(traits, home);
  if (*export_cmd) return Export(traits, home);
  if (*keys_list) return KeysList(home);
  if (*sw) {
    prop.proposer = from;
    if (prop.title.empty()) prop.title = "Upgrade to " + prop.name;
    return BroadcastTx(tx_node, prop);
  }
  if (*vote_cmd) {
    vote.voter = from;
    if (!ParseVoteOption(vote_option, &vote.option)) {
      std::cerr << "Error: vote option must be yes, no, abstain or no_with_veto\n";
      return 1;
    }
    return BroadcastTx(tx_node, vote);
  }
  if (*send_cmd) return BroadcastTx(tx_node, send);
  return 1;
}

}  // namespace demochain
