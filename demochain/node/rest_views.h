// What a demochain node answers over HTTP, independent of the transport: CometBFT-style RPC
// (/status, /abci_info, /block?height=N, /blocks?from=A&to=B as a compact binary range for
// syncing peers, /broadcast_tx_sync?tx=0x<hex>) and the Cosmos REST (grpc-gateway) shapes of
// x/upgrade, x/gov v1 and x/bank: int64 as strings, Any messages with "@type", pagination with
// base64 next_key. The server calls Route() for each request; tests call it directly too.
#pragma once

#include <map>
#include <string>

#include "demochain/node/node.h"

namespace demochain {

struct HttpReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

struct ParsedTarget {
  std::string path;
  std::map<std::string, std::string> query;
};
ParsedTarget ParseTarget(const std::string& target);  // url-decodes query values

constexpr uint64_t kMaxBlocksPerRange = 1000;

// Encodes blocks for /blocks: repeated (u32 length, encoded block). Decode returns false on
// malformed input.
std::string EncodeBlockRange(const std::vector<std::string>& blocks);
bool DecodeBlockRange(const std::string& body, std::vector<std::string>* blocks);

HttpReply Route(Node& node, const std::string& method, const std::string& target);

}  // namespace demochain
